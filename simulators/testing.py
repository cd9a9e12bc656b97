"""Helpers for tests that drive the router against simulators: wait on a condition, never on the clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

__all__ = ["eventually"]

T = TypeVar("T")


async def eventually(
    probe: Callable[[], T | Awaitable[T]],
    *,
    timeout: float = 15.0,
    interval: float = 0.02,
    what: str = "condition",
) -> T:
    """Poll `probe` (sync or async) until it returns something truthy; fail after `timeout` seconds."""
    last: T | None = None
    with anyio.move_on_after(timeout):
        while True:
            result = probe()
            last = await result if isinstance(result, Awaitable) else result
            if last:
                return last
            await anyio.sleep(interval)
    msg = f"timed out after {timeout}s waiting for {what} (last value: {last!r})"
    raise TimeoutError(msg)
