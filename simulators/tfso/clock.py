"""The simulator's injectable clock: real UTC time by default, frozen or shifted on command."""

from __future__ import annotations

import datetime as dt
import threading

__all__ = ["SimClock"]


class SimClock:
    """UTC `now()` for DateChanged, session idle time and login throttling; thread-safe."""

    def __init__(self, frozen_at: dt.datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen = _utc(frozen_at) if frozen_at is not None else None
        self._offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        """The current simulated time (aware, UTC)."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return dt.datetime.now(dt.UTC) + self._offset

    def freeze(self, at: dt.datetime | None = None) -> dt.datetime:
        """Stop the clock at `at` (default: now); returns the frozen time."""
        with self._lock:
            base = dt.datetime.now(dt.UTC) + self._offset
            self._frozen = _utc(at) if at is not None else base
            return self._frozen

    def unfreeze(self) -> None:
        """Let the clock run again from where it was frozen."""
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - dt.datetime.now(dt.UTC)
                self._frozen = None

    def advance(self, seconds: float) -> dt.datetime:
        """Move the clock forward (frozen or running); returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            delta = dt.timedelta(seconds=seconds)
            if self._frozen is not None:
                self._frozen += delta
                return self._frozen
            self._offset += delta
            return dt.datetime.now(dt.UTC) + self._offset


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
