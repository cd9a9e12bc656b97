"""Shopify's REST leaky bucket: `size` calls, leaking `leak_rate` per second, per access token."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["LeakyBucket"]


class LeakyBucket:
    """Admit a call if it fits; report the level as the `X-Shopify-Shop-Api-Call-Limit` header shows it."""

    def __init__(
        self,
        *,
        size: int = 40,
        leak_rate: float = 2.0,
        retry_after: float | None = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size = size
        self.leak_rate = leak_rate
        self.retry_after = retry_after
        self.enabled = True
        self._clock = clock
        self._lock = threading.Lock()
        self._level = 0.0
        self._at = clock()
        self.throttled = 0
        """How many calls were answered 429."""

    def _drain(self) -> float:
        now = self._clock()
        self._level = max(0.0, self._level - (now - self._at) * self.leak_rate)
        self._at = now
        return self._level

    def admit(self) -> tuple[bool, str, float]:
        """(admitted, the call-limit header value, seconds to wait if refused)."""
        with self._lock:
            level = self._drain()
            if self.enabled and level + 1 > self.size:
                self.throttled += 1
                wait = self.retry_after if self.retry_after is not None else (level + 1 - self.size) / self.leak_rate
                return False, f"{self.size}/{self.size}", wait
            self._level = level + 1
            return True, f"{min(self.size, math.ceil(self._level))}/{self.size}", 0.0

    def configure(self, *, size: int | None = None, leak_rate: float | None = None) -> None:
        """Change the bucket (e.g. a Plus shop: 400 and 20/s)."""
        with self._lock:
            self._drain()
            self.size = size if size is not None else self.size
            self.leak_rate = leak_rate if leak_rate is not None else self.leak_rate

    def reset(self) -> None:
        """Empty the bucket and forget the count of 429s."""
        with self._lock:
            self._level, self._at, self.throttled = 0.0, self._clock(), 0
