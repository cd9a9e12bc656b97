"""Connector kinds, discovered through the `order_router.connectors` entry-point group."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib.metadata import entry_points

import structlog

from connectors.base import Connector, ConnectorContext
from router.errors import InputError

__all__ = ["Connector", "ConnectorContext", "check_settings", "connector_class", "connector_kinds"]

log = structlog.get_logger(__name__)


@functools.cache
def connector_kinds() -> dict[str, type[Connector]]:
    """Every installed connector kind by name; adding one is a package plus an entry point."""
    found: dict[str, type[Connector]] = {}
    for entry in entry_points(group="order_router.connectors"):
        try:
            cls = entry.load()
        except ImportError as exc:  # registered but not importable: say so, keep the other kinds working
            log.warning("connector.unavailable", kind=entry.name, error=str(exc))
            continue
        found[getattr(cls, "kind", entry.name)] = cls
    return found


def connector_class(kind: str, *, field: str = "kind") -> type[Connector]:
    """The class for a kind, or an InputError naming the known kinds."""
    kinds = connector_kinds()
    try:
        return kinds[kind]
    except KeyError:
        known = ", ".join(sorted(kinds))
        raise InputError(f"unknown connector kind {kind!r} (known: {known})", field=field) from None


def check_settings(kind: str, settings: Mapping[str, object]) -> None:
    """Validate a source's settings with its kind's own rules (when it declares `check_settings`)."""
    check = getattr(connector_class(kind), "check_settings", None)
    if check is not None:
        check(settings)
