"""Fault knobs of the simulator: latency, failing, committing-then-timing-out and dropping calls."""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass

__all__ = ["Fault", "FaultKind", "Faults"]


class FaultKind(enum.StrEnum):
    """What happens to a call a fault applies to."""

    FAIL = "fail"  # answer an HTTP error BEFORE processing (nothing committed)
    COMMIT_THEN_TIMEOUT = "commit_then_timeout"  # process and commit, then hold the response for `delay`
    DROP = "drop"  # process nothing, close the connection without a response


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One armed fault; `operation` None applies to any SOAP operation."""

    kind: FaultKind
    remaining: int
    operation: str | None = None
    status: int = 500
    delay: float = 5.0


class Faults:
    """Thread-safe fault plan; armed faults apply in the order they were armed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latency = 0.0
        self._armed: list[Fault] = []

    @property
    def latency(self) -> float:
        """Seconds added before every SOAP call is processed."""
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency cannot be negative")
        with self._lock:
            self._latency = float(seconds)

    def fail_next(self, n: int = 1, *, status: int = 500, operation: str | None = None) -> None:
        """Fail the next `n` calls with HTTP `status` before processing them.

        A 500 carries an ASMX-style `soap:Server` fault; other statuses a plain-text body.
        """
        self._arm(Fault(kind=FaultKind.FAIL, remaining=n, status=status, operation=operation))

    def commit_then_timeout(self, n: int = 1, *, delay: float = 5.0, operation: str | None = None) -> None:
        """Process and commit the next `n` calls, then hold each response for `delay` seconds."""
        self._arm(Fault(kind=FaultKind.COMMIT_THEN_TIMEOUT, remaining=n, delay=delay, operation=operation))

    def drop_next(self, n: int = 1, *, operation: str | None = None) -> None:
        """Close the connection of the next `n` calls without processing or answering them."""
        self._arm(Fault(kind=FaultKind.DROP, remaining=n, operation=operation))

    def clear(self) -> None:
        """Disarm every fault and remove the latency."""
        with self._lock:
            self._armed.clear()
            self._latency = 0.0

    def armed(self) -> list[Fault]:
        """Return the faults still armed."""
        with self._lock:
            return list(self._armed)

    def take(self, operation: str) -> Fault | None:
        """Consume one use of the first armed fault that applies to `operation`."""
        with self._lock:
            for index, fault in enumerate(self._armed):
                if fault.operation in (None, operation):
                    if fault.remaining <= 1:
                        del self._armed[index]
                    else:
                        self._armed[index] = Fault(
                            kind=fault.kind,
                            remaining=fault.remaining - 1,
                            operation=fault.operation,
                            status=fault.status,
                            delay=fault.delay,
                        )
                    return fault
            return None

    def _arm(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("n must be at least 1")
        with self._lock:
            self._armed.append(fault)
