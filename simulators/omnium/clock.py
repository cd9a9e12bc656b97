"""Clocks for the simulator: the wall clock, or a manual one tests advance (modified times, tokens, limits)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """**Protocol**: where the simulator reads the current time (always timezone-aware UTC)."""

    def now(self) -> dt.datetime:
        """The current time."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> dt.datetime:
        """`datetime.now(UTC)`."""
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that moves only when told; `sleep` advances it, so a client can wait on it without waiting.

    Give the simulator and the connector the same instance: a connector that honours `Retry-After` by
    `await clock.sleep(seconds)` then reaches the simulator exactly `seconds` later in simulated time.
    """

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = start or dt.datetime(2026, 2, 17, 8, 0, tzinfo=dt.UTC)
        self.slept: list[float] = []

    def now(self) -> dt.datetime:
        """The simulated time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> dt.datetime:
        """Move the time forward (never backwards) and return the new time."""
        with self._lock:
            self._now += dt.timedelta(seconds=max(0.0, seconds))
            return self._now

    def set(self, when: dt.datetime) -> None:
        """Jump to a given time (tests seeding history)."""
        with self._lock:
            self._now = when

    async def sleep(self, seconds: float) -> None:
        """An async `sleep` that advances this clock instead of waiting; records each request."""
        with self._lock:
            self.slept.append(seconds)
        self.advance(seconds)
