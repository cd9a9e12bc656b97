"""structlog configuration: key-value or JSON lines, with secrets redacted in one processor."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

__all__ = ["configure_logging", "redact"]

_SECRET_KEYS = re.compile(r"(pass(word)?|secret|token|api_?key|authorization|credential|cookie)", re.IGNORECASE)
_NOISY_LIBRARIES = ("alembic", "pgserver", "httpx", "httpcore", "zeep", "asyncio", "uvicorn.error")
_KEY_LIKE = re.compile(r"rk_[0-9a-f]{16}_[A-Za-z0-9_-]{20,}")


def redact(_logger: object, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Blank values under secret-sounding keys and anything shaped like a router API key."""
    for key, value in list(event.items()):
        if _SECRET_KEYS.search(key):
            event[key] = "<redacted>"
        elif isinstance(value, str) and "rk_" in value:
            event[key] = _KEY_LIKE.sub("rk_<redacted>", value)
    return event


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler writing to whatever `sys.stderr` is at the time of each record (never a stale, closed one)."""

    @property
    def stream(self) -> Any:
        """The process's stderr now."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        """Ignored: the stream is always the current stderr."""


def _stderr_logger(*_args: object) -> structlog.PrintLogger:
    return structlog.PrintLogger(sys.stderr)


def configure_logging(level: str = "info", *, json: bool = False) -> None:
    """Route structlog (and stdlib logging) to stderr at `level`.

    Both write to `sys.stderr` as it is when a line is logged, so a caller that swaps stderr (a test's
    capture, a daemon redirect) never leaves a logger writing to a closed stream.
    """
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    handler = _CurrentStderr()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=numeric, handlers=[handler])
    # Libraries that narrate their normal work (initdb output, alembic plugins, every HTTP request) speak
    # only when something is wrong.
    for noisy in _NOISY_LIBRARIES:
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
