"""What the CLI's commands share: the console, progress bars, end summaries, the runtime, one-line errors."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from router.errors import RouterError

if TYPE_CHECKING:
    from router.runtime import Runtime
    from router.settings import Settings

__all__ = ["EXIT_DIFFERENCES", "EXIT_ERROR", "console", "one_line", "progress_bar", "runtime", "summary"]

console = Console(stderr=True)
EXIT_ERROR = 2
EXIT_DIFFERENCES = 1


def progress_bar() -> Progress:
    """A rich progress bar on stderr: spinner, description, bar, done/total, elapsed."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def summary(title: str, **counts: object) -> None:
    """The end summary: one line on stdout, `title: key n, key n`."""
    parts = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items())
    sys.stdout.write(f"{title}: {parts}\n")


@contextlib.asynccontextmanager
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """The router's runtime for one command; an unreachable database becomes a one-line RouterError."""
    from router.runtime import Runtime  # noqa: PLC0415 - heavy imports only for commands that need them

    stack = contextlib.AsyncExitStack()
    try:
        rt = await stack.enter_async_context(Runtime.open(settings))
    except RouterError:
        raise
    except Exception as exc:  # OSError from the driver, or SQLAlchemy's wrapper of it from the migrations
        raise RouterError(f"cannot connect to the database: {one_line(exc)}") from exc
    async with stack:
        yield rt


def one_line(exc: BaseException) -> str:
    """An error as one line for stderr: a RouterError's message, an unreachable database, or the exception."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, RouterError):
        cause = exc.__cause__
        if isinstance(cause, OSError):
            return f"{exc.message} ({_os_error(cause)})"
        return exc.message
    if isinstance(exc, OSError):
        return _os_error(exc)
    orig = getattr(exc, "orig", None)  # SQLAlchemy (migrations) wraps the driver's error
    if isinstance(orig, BaseException):
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        return f"database: {first}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _os_error(exc: OSError) -> str:
    text = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, ConnectionRefusedError) and "refused" not in text.lower():
        return f"connection refused ({text})"
    return text
