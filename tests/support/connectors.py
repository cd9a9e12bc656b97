"""Connector inputs shared by the tests: a configured `Source`, warehouse events, and pulling every page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from router.domain import EventKind, EventLine, PulledPayload, Source, WarehouseEvent

CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
OCCURRED = dt.datetime(2026, 2, 18, 10, tzinfo=dt.UTC)
MAX_PAGES = 1000


def make_source(
    kind: str,
    settings: Mapping[str, object] | None = None,
    *,
    source_id: int = 1,
    name: str | None = None,
    suffix: str = "SE",
    order_type: str = "B2C",
    has_credentials: bool = True,
    created_at: dt.datetime = CREATED,
) -> Source:
    """An enabled source of `kind` (named `{kind}-test` unless told), not the article master."""
    return Source(
        id=source_id,
        name=name if name is not None else f"{kind}-test",
        kind=kind,
        suffix=suffix,
        order_type=order_type,
        is_article_master=False,
        enabled=True,
        settings=dict(settings or {}),
        has_credentials=has_credentials,
        created_at=created_at,
    )


def warehouse_event(
    number: str,
    key: str,
    kind: EventKind = EventKind.SHIPPED,
    *,
    suffix: str,
    lines: Iterable[EventLine | tuple[str, int]] = (),
    occurred_at: dt.datetime = OCCURRED,
    **fields: Any,
) -> WarehouseEvent:
    """An event for source order `number` (WMS number `{number}-{suffix}`); `lines` as EventLines or (id, quantity)."""
    return WarehouseEvent(
        kind=kind,
        idempotency_key=key,
        source_order_number=number,
        wms_order_number=f"{number}-{suffix}",
        occurred_at=occurred_at,
        lines=tuple(_event_line(line) for line in lines),
        **fields,
    )


def _event_line(line: EventLine | tuple[str, int]) -> EventLine:
    if isinstance(line, EventLine):
        return line
    line_id, quantity = line
    return EventLine(line_id=line_id, article_number="A", quantity=Decimal(quantity))


async def pull_all(connector: Any, cursor: str | None) -> tuple[list[PulledPayload], str | None, int]:
    """Pull until the connector says there is no more, as the router would: the items, the last cursor, the pages."""
    items: list[PulledPayload] = []
    for pages in range(1, MAX_PAGES + 1):
        page = await connector.pull(cursor)
        items.extend(page.items)
        cursor = page.cursor
        if not page.more:
            return items, cursor, pages
    raise AssertionError("pull never finished")
