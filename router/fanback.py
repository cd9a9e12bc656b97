"""Fan-back: read WMS order changes, find each order's owner, emit events for that source only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

import asyncpg
import msgspec
import structlog

from router import ledger, metrics
from router.db import transaction, wrap_db_errors
from router.domain import EventKind, EventLine, WarehouseEvent, WmsOrderLineStatus, WmsOrderStatus
from router.outbox import Priority, enqueue
from router.sql import queries

__all__ = ["CANCELLED", "SHIPPED_FROM", "Emitted", "Fanback", "derive_events", "source_lane"]

log = structlog.get_logger(__name__)

SHIPPED_FROM = 450
"""Ongoing's standard "Sent": handed to the shipping platform."""
CANCELLED = 1000

_encoder = msgspec.json.Encoder(decimal_format="number")


def source_lane(source_id: int) -> str:
    """The outbox lane delivering to one source."""
    return f"source:{source_id}"


def _counts(lines: Sequence[tuple[str, Decimal]]) -> str:
    return ",".join(f"{line}={qty.normalize()}" for line, qty in sorted(lines))


class Emitted(msgspec.Struct, frozen=True):
    """Per line, what earlier events already told the source (cumulative picked and returned)."""

    picked: Decimal = Decimal(0)
    returned: Decimal = Decimal(0)


_NOTHING = Emitted()


def derive_events(
    wms: WmsOrderStatus,
    *,
    source_order_number: str,
    emitted: Mapping[str, Emitted],
    now: dt.datetime,
    shipped_from: int = SHIPPED_FROM,
) -> list[WarehouseEvent]:
    """Events a WMS snapshot implies beyond what was already emitted to the source.

    Keys carry the cumulative counts they report, so re-reading the same snapshot (an overlapping poll, a
    duplicate webhook) yields the same keys and no new events.
    """

    def make(kind: EventKind, key: str, lines: Sequence[EventLine] = (), **extra: str | None) -> WarehouseEvent:
        return WarehouseEvent(
            kind=kind,
            idempotency_key=key,
            source_order_number=source_order_number,
            wms_order_number=wms.order_number,
            wms_order_id=wms.order_id,
            wms_status=wms.status_number,
            occurred_at=now,
            lines=tuple(lines),
            **extra,
        )

    lines = [ln for ln in wms.lines if ln.line_id is not None]
    if wms.status_number == CANCELLED:
        return [make(EventKind.CANCELLED, f"cancelled:{wms.order_number}")]
    events: list[WarehouseEvent] = []
    if wms.status_number >= shipped_from:
        shipped = [_line(ln, ln.picked) for ln in lines if ln.picked > 0]
        tracking = {"way_bill": wms.way_bill, "tracking_url": wms.tracking_url, "transporter": wms.transporter}
        events.append(make(EventKind.SHIPPED, f"shipped:{wms.order_number}", shipped, **tracking))
    else:
        picked = [
            _line(ln, ln.picked - _was(emitted, ln).picked) for ln in lines if ln.picked > _was(emitted, ln).picked
        ]
        if picked:
            totals = _counts([(ln.line_id or "", ln.picked) for ln in lines if ln.picked > 0])
            events.append(make(EventKind.PICKED, f"picked:{wms.order_number}:{totals}", picked))
    returned = [
        _line(ln, ln.returned - _was(emitted, ln).returned) for ln in lines if ln.returned > _was(emitted, ln).returned
    ]
    if returned:
        totals = _counts([(ln.line_id or "", ln.returned) for ln in lines if ln.returned > 0])
        events.append(make(EventKind.RETURNED, f"returned:{wms.order_number}:{totals}", returned))
    return events


def _line(line: WmsOrderLineStatus, quantity: Decimal) -> EventLine:
    return EventLine(line_id=line.line_id or "", article_number=line.article_number or "", quantity=quantity)


def _was(emitted: Mapping[str, Emitted], line: WmsOrderLineStatus) -> Emitted:
    return emitted.get(line.line_id or "", _NOTHING)


def counters_after(event: WarehouseEvent, wms: WmsOrderStatus) -> dict[str, dict[str, str]]:
    """What to mark reported in the WMS once the source accepted `event` (cumulative, so idempotent)."""
    if event.kind in {EventKind.PICKED, EventKind.SHIPPED}:
        return {"reported": {ln.line_id: str(ln.picked) for ln in wms.lines if ln.line_id and ln.picked > 0}}
    if event.kind is EventKind.RETURNED:
        return {"returned": {ln.line_id: str(ln.returned) for ln in wms.lines if ln.line_id and ln.returned > 0}}
    return {}


class Fanback:
    """Turns WMS order snapshots into events for their owners (call it from the WMS lane only)."""

    def __init__(self, pool: asyncpg.Pool, *, shipped_from: int = SHIPPED_FROM) -> None:
        self.pool = pool
        self.shipped_from = shipped_from

    async def process(self, snapshots: Sequence[WmsOrderStatus], *, now: dt.datetime) -> int:
        """Record each snapshot; returns how many new events were enqueued."""
        created = 0
        for wms in snapshots:
            created += await self._process_one(wms, now=now)
        return created

    async def _process_one(self, wms: WmsOrderStatus, *, now: dt.datetime) -> int:
        with wrap_db_errors():
            owner = await self.pool.fetchrow(queries["find_order_by_wms_number"], wms.order_number)
        if owner is None:
            await self._foreign(wms)
            return 0
        created = 0
        async with transaction(self.pool) as conn:
            rows = await conn.fetch(queries["lock_order_lines"], owner["id"])
            emitted = {r["line_id"]: Emitted(picked=r["picked"], returned=r["returned"]) for r in rows}
            events = derive_events(
                wms,
                source_order_number=owner["source_order_number"],
                emitted=emitted,
                now=now,
                shipped_from=self.shipped_from,
            )
            seen = {ln.line_id: ln for ln in wms.lines if ln.line_id in emitted}
            for line_id, line in seen.items():
                if line.picked != emitted[line_id].picked or line.returned != emitted[line_id].returned:
                    await conn.execute(
                        queries["set_line_emitted"],
                        owner["id"],
                        line_id,
                        max(line.picked, emitted[line_id].picked),
                        max(line.returned, emitted[line_id].returned),
                    )
            shipped_at = wms.shipped_at if wms.status_number >= self.shipped_from else None
            await conn.execute(queries["note_wms_status"], owner["id"], wms.status_number, shipped_at)
            if wms.status_number == CANCELLED:
                # Cancelled in the warehouse, perhaps before the router ever learnt the WMS had it (a send whose
                # answer was lost): whatever it still reserves is free again.
                await ledger.release_order(conn, owner["id"])
            for event in events:
                if await self.emit(
                    conn,
                    order_id=owner["id"],
                    source_id=owner["source_id"],
                    event=event,
                    counters=counters_after(event, wms),
                ):
                    created += 1
        return created

    @staticmethod
    async def emit(
        conn: asyncpg.Connection,
        *,
        order_id: int,
        source_id: int,
        event: WarehouseEvent,
        counters: dict[str, dict[str, str]] | None = None,
    ) -> bool:
        """Store an event and enqueue its delivery to the owning source, in the caller's transaction.

        `counters` are what to mark reported in the WMS once the source has accepted it. Returns False when
        the event's key is already known (nothing is enqueued twice).
        """
        payload = msgspec.json.decode(_encoder.encode(event))
        payload["_counters"] = counters or {}
        event_id = await conn.fetchval(
            queries["insert_event"], order_id, source_id, event.kind.value, event.idempotency_key, payload
        )
        if event_id is None:
            return False
        await enqueue(
            conn,
            lane=source_lane(source_id),
            kind="event.deliver",
            priority=Priority.EVENT,
            idempotency_key=f"event:{event.idempotency_key}",
            order_id=order_id,
            payload={"event_id": event_id},
        )
        metrics.EVENTS_CREATED.labels(event.kind.value).inc()
        return True

    async def _foreign(self, wms: WmsOrderStatus) -> None:
        with wrap_db_errors():
            counted = await self.pool.fetchval(
                queries["record_foreign"], wms.order_number, wms.order_id, wms.status_number
            )
        if counted:
            metrics.FOREIGN_EVENTS_IGNORED.inc()
        log.debug("fanback.foreign_order", wms_order_number=wms.order_number, status=wms.status_number)
