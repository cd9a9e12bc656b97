"""The command line shared by the simulators' `python -m simulators.<name>` entry points."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["add_pairs", "pairs", "parser", "serve"]

_Sim = TypeVar("_Sim", bound=AbstractContextManager[Any])


def parser(name: str, description: str | None, port: int) -> argparse.ArgumentParser:
    """An argument parser for `python -m simulators.<name>`, with its `--port` option (default `port`)."""
    result = argparse.ArgumentParser(prog=f"python -m simulators.{name}", description=description)
    result.add_argument("--port", type=int, default=port, help="TCP port on 127.0.0.1 (0: any free port)")
    return result


def add_pairs(options: argparse.ArgumentParser, flag: str, metavar: str, text: str) -> None:
    """Add a repeatable `NAME=VALUE` option (read it back with `pairs`)."""
    options.add_argument(flag, action="append", default=[], metavar=metavar, help=text)


def pairs(specs: Iterable[str]) -> list[tuple[str, str]]:
    """Split repeatable `NAME=VALUE` options at the first `=` (a missing value is "")."""
    return [(name, value) for name, _, value in (spec.partition("=") for spec in specs)]


def serve(simulator: _Sim, banner: Callable[[_Sim], str]) -> None:
    """Start the simulator, print `banner(simulator)`, serve until SIGINT or SIGTERM, then stop it."""
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with simulator:
        sys.stdout.write(banner(simulator))
        sys.stdout.flush()
        stop.wait()
