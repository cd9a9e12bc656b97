"""Apply the alembic revisions from code (used by `router migrate`, `router serve` and the tests)."""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config

__all__ = ["alembic_config", "downgrade", "upgrade"]

_LOCK = threading.Lock()  # alembic's context is process-global; across processes an advisory lock serializes


def alembic_config(dsn: str) -> Config:
    """An alembic Config pointing at the packaged revisions and the given database."""
    script_location = Path(str(resources.files("migrations")))
    config = Config(str(script_location / "alembic.ini"))
    config.set_main_option("script_location", str(script_location))
    config.attributes["dsn"] = dsn
    return config


def upgrade(dsn: str, revision: str = "head") -> None:
    """Migrate the database up (blocking; call from a thread inside an event loop)."""
    with _LOCK:
        command.upgrade(alembic_config(dsn), revision)


def downgrade(dsn: str, revision: str = "base") -> None:
    """Migrate the database down (blocking)."""
    with _LOCK:
        command.downgrade(alembic_config(dsn), revision)
