"""What the SOAP simulators' control sides share: the `/_sim/faults` bodies and the state's request log."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Generic, TypeVar

import msgspec

if TYPE_CHECKING:
    from collections.abc import Callable

    from simulators.ongoing_wms.faults import Faults

__all__ = ["FaultSpec", "FaultsBody", "LoggedState"]

T = TypeVar("T")
EntryT = TypeVar("EntryT")


class FaultSpec(msgspec.Struct, forbid_unknown_fields=True):
    """One fault to arm."""

    n: int = 1
    operation: str | None = None
    status: int = 500
    delay: float = 5.0


class FaultsBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/faults: any combination of the knobs."""

    latency: float | None = None
    fail_next: FaultSpec | None = None
    commit_then_timeout: FaultSpec | None = None
    drop_next: FaultSpec | None = None

    def arm(self, faults: Faults) -> None:
        """Arm on `faults` every knob this body names; the others stay as they are."""
        if self.latency is not None:
            faults.latency = self.latency
        if (f := self.fail_next) is not None:
            faults.fail_next(f.n, status=f.status, operation=f.operation)
        if (f := self.commit_then_timeout) is not None:
            faults.commit_then_timeout(f.n, delay=f.delay, operation=f.operation)
        if (f := self.drop_next) is not None:
            faults.drop_next(f.n, operation=f.operation)


class LoggedState(Generic[EntryT]):
    """State behind one re-entrant lock, `_changed` (a Condition woken on every change), with a request log."""

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.RLock())
        self._log: list[EntryT] = []

    def record(self, entry: EntryT) -> None:
        """Remember one request."""
        with self._changed:
            self._log.append(entry)
            self._changed.notify_all()

    def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Block until `predicate()` is truthy, re-checked on every change; TimeoutError after `timeout`."""
        with self._changed:
            if result := self._changed.wait_for(predicate, timeout):
                return result
        raise TimeoutError(f"condition not met within {timeout}s")

    def _logged(self) -> list[EntryT]:
        """Every request so far, oldest first."""
        with self._changed:
            return list(self._log)
