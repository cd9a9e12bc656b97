"""Start the embedded PostgreSQL (pgserver) when no database URL is configured."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def ensure_runtime_dir() -> None:
    """Give platformdirs (used by pgserver) a private runtime directory so it does not warn."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        path = Path("/tmp") / f"router-runtime-{os.getuid()}"  # noqa: S108 - private, mode 0700
        path.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(path)


def start_embedded(data_dir: Path) -> tuple[str, Any]:
    """Start (or join) the embedded server under `data_dir/pg`; return its URL and the server handle.

    Several router processes on one data directory share one server: pgserver keeps it running while
    any of them holds a handle.
    """
    ensure_runtime_dir()
    import pgserver  # noqa: PLC0415 - heavy import, only when embedded

    data_dir.mkdir(parents=True, exist_ok=True)
    get_server = pgserver.get_server  # type: ignore[attr-defined]  # re-exported without __all__
    server = get_server(str((data_dir / "pg").resolve()), cleanup_mode=None)
    return str(server.get_uri()), server


def with_database(dsn: str, database: str) -> str:
    """The same server URL pointing at another database."""
    from urllib.parse import urlsplit, urlunsplit  # noqa: PLC0415

    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))
