"""What one SOAP call produced: the HTTP answer plus what the request log records about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulators.ongoing_wms.records import WriteResult

__all__ = ["Outcome", "read_outcome", "write_outcome"]


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """The HTTP status and body to answer, whether anything was committed, and what to record."""

    status: int
    body: bytes
    committed: bool
    outcome: str
    fields: dict[str, object] = field(default_factory=dict)


def write_outcome(body: bytes, result: WriteResult, fields: dict[str, object]) -> Outcome:
    """A Process*/Update* answer: HTTP 200 whatever the result; committed only on success."""
    outcome = "ok" if result.success else f"rejected: {result.error}"
    return Outcome(status=200, body=body, committed=result.success, outcome=outcome, fields=fields)


def read_outcome(body: bytes, fields: dict[str, object]) -> Outcome:
    """A Get* answer: HTTP 200, nothing committed."""
    return Outcome(status=200, body=body, committed=False, outcome="ok", fields=fields)
