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


def configure_logging(level: str = "info", *, json: bool = False) -> None:
    """Route structlog (and stdlib logging) to stderr at `level`."""
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    logging.basicConfig(level=numeric, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
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
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
