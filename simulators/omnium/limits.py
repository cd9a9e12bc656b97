"""Omnium's rate limits (concurrency, token bucket, batch lanes) plus fault knobs: storms, failures, aborts."""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulators.omnium.clock import Clock

__all__ = ["Admission", "Limiter", "RateLimits"]


@dataclass(frozen=True, kw_only=True)
class RateLimits:
    """The documented defaults; tests lower them to hit them."""

    concurrency: int = 20
    """Concurrent requests per API user."""
    batch_concurrency: int = 4
    """Concurrent batch operations (UpdateMany, ProcessInventoryTransactions)."""
    bucket_capacity: int = 12_000
    """Token bucket size (one token per request)."""
    refill_tokens: int = 1_000
    """Tokens added per refill."""
    refill_seconds: float = 10.0
    """Seconds between refills (simulated clock)."""


@dataclass(frozen=True, kw_only=True)
class Admission:
    """The limiter's answer: admitted, or refused with `retry_after` seconds (and whether the client came early)."""

    admitted: bool
    retry_after: int = 0
    early: bool = False
    reason: str = ""


class Limiter:
    """Thread-safe; times come from the simulator's clock, concurrency from requests actually in flight."""

    def __init__(self, clock: Clock, limits: RateLimits | None = None) -> None:
        self.clock = clock
        self.limits = limits or RateLimits()
        self._lock = threading.Lock()
        self._tokens = float(self.limits.bucket_capacity)
        self._refilled_at = clock.now()
        self._in_flight = 0
        self._batch_in_flight = 0
        self.max_in_flight = 0
        self.max_batch_in_flight = 0
        self._storm_left = 0
        self._storm_retry_after = 2
        self._blocked_until: dt.datetime | None = None
        self._fail: list[tuple[int, int, str | None]] = []  # (remaining, status, path fragment)
        self._aborts: list[str] = []
        self.latency = 0.0
        """Real seconds added before each admitted call is processed (to make concurrency observable)."""

    def configure(self, limits: RateLimits) -> None:
        """Replace the limits (the bucket is refilled)."""
        with self._lock:
            self.limits = limits
            self._tokens = float(limits.bucket_capacity)

    # --- knobs ------------------------------------------------------------------------------------

    def throttle_next(self, n: int, *, retry_after: int = 2) -> None:
        """A 429 storm: each of the next `n` calls is refused with `Retry-After: retry_after`."""
        with self._lock:
            self._storm_left = n
            self._storm_retry_after = retry_after

    def fail_next(self, n: int = 1, *, status: int = 500, path: str | None = None) -> None:
        """Answer the next `n` calls (whose path contains `path`, if given) with `status`, processing nothing."""
        with self._lock:
            self._fail.append((n, status, path.lower() if path else None))

    def abort_next_workflow(self, reason: str = "Simulated workflow abort") -> None:
        """The next UpdateStatus runs a workflow that aborts: HTTP 200 with `isAborted: true`, nothing saved."""
        with self._lock:
            self._aborts.append(reason)

    def take_abort(self) -> str | None:
        """The reason of an armed workflow abort, consuming it."""
        with self._lock:
            return self._aborts.pop(0) if self._aborts else None

    def take_failure(self, path: str) -> int | None:
        """The status of an armed failure matching `path`, consuming one."""
        with self._lock:
            for index, (left, status, fragment) in enumerate(self._fail):
                if fragment is None or fragment in path.lower():
                    if left <= 1:
                        del self._fail[index]
                    else:
                        self._fail[index] = (left - 1, status, fragment)
                    return status
            return None

    def clear(self) -> None:
        """Disarm every knob and refill the bucket."""
        with self._lock:
            self._storm_left = 0
            self._blocked_until = None
            self._fail.clear()
            self._aborts.clear()
            self.latency = 0.0
            self._tokens = float(self.limits.bucket_capacity)

    # --- admission --------------------------------------------------------------------------------

    def admit(self, *, batch: bool) -> Admission:
        """Decide one call; an admitted call must be `release`d."""
        now = self.clock.now()
        with self._lock:
            if self._blocked_until is not None and now < self._blocked_until:
                wait = math.ceil((self._blocked_until - now).total_seconds())
                return Admission(admitted=False, retry_after=max(1, wait), early=True, reason="before Retry-After")
            if self._storm_left > 0:
                self._storm_left -= 1
                self._blocked_until = now + dt.timedelta(seconds=self._storm_retry_after)
                return Admission(admitted=False, retry_after=self._storm_retry_after, reason="throttled")
            self._refill(now)
            if self._tokens < 1:
                wait = max(1, math.ceil(self.limits.refill_seconds - (now - self._refilled_at).total_seconds()))
                self._blocked_until = now + dt.timedelta(seconds=wait)
                return Admission(admitted=False, retry_after=wait, reason="token bucket empty")
            if self._in_flight >= self.limits.concurrency:
                return Admission(admitted=False, retry_after=1, reason="too many concurrent requests")
            if batch and self._batch_in_flight >= self.limits.batch_concurrency:
                return Admission(admitted=False, retry_after=1, reason="too many concurrent batch requests")
            self._tokens -= 1
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            if batch:
                self._batch_in_flight += 1
                self.max_batch_in_flight = max(self.max_batch_in_flight, self._batch_in_flight)
            return Admission(admitted=True)

    def release(self, *, batch: bool) -> None:
        """One admitted call finished."""
        with self._lock:
            self._in_flight -= 1
            if batch:
                self._batch_in_flight -= 1

    def _refill(self, now: dt.datetime) -> None:
        steps = int((now - self._refilled_at).total_seconds() // self.limits.refill_seconds)
        if steps > 0:
            self._tokens = min(float(self.limits.bucket_capacity), self._tokens + steps * self.limits.refill_tokens)
            self._refilled_at += dt.timedelta(seconds=steps * self.limits.refill_seconds)
