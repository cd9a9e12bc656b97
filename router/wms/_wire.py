"""Reading zeep results and writing times: small helpers every mapping module shares."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["decimal", "field", "items", "text", "timestamp", "wire_time"]


def field(node: Any, *path: str) -> Any:
    """Walk zeep objects (or dicts) by element name; a missing or nil step yields None."""
    for name in path:
        if node is None:
            return None
        node = node.get(name) if isinstance(node, dict) else getattr(node, name, None)
    return node


def decimal(value: Any, default: Decimal | None = Decimal(0)) -> Decimal | None:
    """A Decimal, or `default` when the value is missing or nil."""
    if value is None:
        return default
    return value if isinstance(value, Decimal) else Decimal(str(value))


def text(value: Any) -> str | None:
    """A string, None for missing or empty."""
    return str(value) if value not in (None, "") else None


def items(node: Any, name: str) -> list[Any]:
    """Return the repeated children of an ArrayOf* wrapper, without nil entries."""
    found = field(node, name)
    return [item for item in (found or []) if item is not None]


def timestamp(value: Any) -> dt.datetime | None:
    """An aware time from a response dateTime: .NET's MinValue (year 1) means "none"; no zone means UTC.

    Ongoing documents UTC for its REST API; the SOAP API's zone-less times are read as UTC too (inferred).
    """
    if not isinstance(value, dt.datetime) or value.year <= 1:
        return None
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def wire_time(value: dt.datetime | None) -> dt.datetime | None:
    """A time for a request filter: aware and in UTC (a naive time is taken as UTC)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
