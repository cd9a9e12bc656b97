"""Client-side model of Shopify's leaky bucket, so calls wait for room instead of drawing 429s."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable

__all__ = ["CALL_LIMIT_HEADER", "LeakyBucketPacer", "parse_call_limit"]

CALL_LIMIT_HEADER = "X-Shopify-Shop-Api-Call-Limit"
_CALL_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_call_limit(value: str | None) -> tuple[int, int] | None:
    """`"32/40"` to `(32, 40)`; None for a missing or malformed header."""
    match = _CALL_LIMIT.match(value or "")
    if match is None or int(match[2]) <= 0:
        return None
    return int(match[1]), int(match[2])


class LeakyBucketPacer:
    """Estimate the bucket's level and delay each call until one more fits below `size - headroom`.

    The estimate leaks at `leak_rate` per second (the shop's plan: 2/s standard, 4/s Advanced, 20/s Plus)
    and is corrected from every `X-Shopify-Shop-Api-Call-Limit` header, taking the higher of the two so
    calls made by other processes on the same token are counted too. Calls are admitted one at a time.
    """

    def __init__(
        self,
        *,
        leak_rate: float,
        size: int = 40,
        headroom: int = 2,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if leak_rate <= 0:
            raise ValueError("leak_rate must be positive")
        self.leak_rate = leak_rate
        self.size = size
        self.headroom = headroom
        self._clock = clock
        self._sleep = sleep
        self._level = 0.0
        self._at = clock()
        self._lock = asyncio.Lock()
        self.waited = 0.0
        """Total seconds spent waiting for room (for logs and tests)."""

    def level(self) -> float:
        """The estimated number of calls in the bucket now."""
        return max(0.0, self._level - (self._clock() - self._at) * self.leak_rate)

    def _limit(self) -> float:
        return max(1.0, float(self.size - self.headroom))

    async def acquire(self) -> None:
        """Wait until one more call fits, then count it."""
        async with self._lock:
            while True:
                level = self.level()
                excess = level + 1 - self._limit()
                if excess <= 0:
                    self._level, self._at = level + 1, self._clock()
                    return
                delay = excess / self.leak_rate
                self.waited += delay
                await self._sleep(delay)

    def observe(self, used: int, size: int) -> None:
        """Correct the estimate from a response's call-limit header."""
        level = self.level()
        self.size = size
        self._level, self._at = max(level, float(used)), self._clock()

    def full(self) -> None:
        """After a 429: the bucket is full whatever the estimate said."""
        self._level, self._at = float(self.size), self._clock()
