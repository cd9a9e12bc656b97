"""Purchase orders: suffixed intake, ProcessInOrder exactly once, goods received back to the owning source only."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import asyncpg
import msgspec
import structlog

from connectors.base import decode_error_to_input_error
from router.db import transaction, wrap_db_errors
from router.domain import EventKind, EventLine, InboxState, Source, WarehouseEvent
from router.errors import (
    ConflictError,
    DuplicateOrder,
    FatalUpstreamError,
    InputError,
    RetriableUpstreamError,
    UniqueViolation,
)
from router.lane import Periodic
from router.naming import DEFAULT_NUMBER_TEMPLATE, validate_article_number, wms_order_number
from router.outbox import Job, Priority, enqueue, wms_lane
from router.sql import queries
from router.store.inbox import InboxStore
from router.wms.purchasing import WmsInOrderStatus, WmsPurchaseOrder, WmsPurchaseOrderLine

if TYPE_CHECKING:
    from router.settings import FanbackSettings, OutboxSettings, WmsSettings
    from router.wms.client import WmsClient

__all__ = ["PurchaseAccepted", "PurchaseOrder", "PurchaseWorker", "receive", "received_event"]

log = structlog.get_logger(__name__)

CHANNEL = "purchase_orders"
"""The inbox channel of purchase orders."""
CURSOR = "in_orders"
"""`wms_cursors` row: where the next purchase-order poll starts (before the overlap)."""

_MAX_QUANTITY = Decimal(1_000_000)
_encoder = msgspec.json.Encoder()  # decimals as strings: converted back exactly


class PurchaseOrderChanged(ConflictError):
    """The purchase order was already received with different content; send changes under a new number."""

    code = "purchase_order_changed"


class PurchaseLine(msgspec.Struct, frozen=True, kw_only=True):
    """One line of a purchase order; `line_id` (default: its position) becomes ExternalOrderLineCode."""

    article_number: str
    quantity: Decimal
    line_id: Annotated[str, msgspec.Meta(min_length=1, max_length=50)] | None = None


class PurchaseOrder(msgspec.Struct, frozen=True, kw_only=True):
    """A purchase order as a source sends it (`POST /api/sources/{source}/purchase-orders`)."""

    number: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    lines: Annotated[tuple[PurchaseLine, ...], msgspec.Meta(min_length=1, max_length=1000)]
    supplier: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    supplier_name: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    expected_date: dt.date | None = None
    remark: Annotated[str, msgspec.Meta(max_length=1000)] | None = None


_decoder = msgspec.json.Decoder(PurchaseOrder)


class PurchaseAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one pushed purchase order: `created` or `duplicate`."""

    outcome: str
    number: str
    wms_number: str
    inbox_id: int


def decode_purchase_order(body: bytes) -> PurchaseOrder:
    """Decode and validate; line ids are filled in; every problem is an InputError naming its field."""
    try:
        raw = _decoder.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise decode_error_to_input_error(exc) from exc
    lines, seen = [], set()
    for index, line in enumerate(raw.lines):
        validate_article_number(line.article_number, field=f"lines[{index}].article_number")
        if not line.quantity.is_finite() or not 0 < line.quantity <= _MAX_QUANTITY:
            raise InputError(f"must be greater than 0 and at most {_MAX_QUANTITY}", field=f"lines[{index}].quantity")
        line_id = line.line_id or str(index + 1)
        if line_id in seen:
            raise InputError(f"line_id {line_id!r} is used twice", field=f"lines[{index}].line_id")
        seen.add(line_id)
        lines.append(msgspec.structs.replace(line, line_id=line_id))
    return msgspec.structs.replace(raw, lines=tuple(lines))


async def receive(
    pool: asyncpg.Pool, source: Source, *, headers: Mapping[str, str], body: bytes, lane: str
) -> PurchaseAccepted:
    """Store the raw payload first, then the purchase order with its `po.send` job, in one transaction."""
    inbox_id = await InboxStore(pool).store(source_id=source.id, channel=CHANNEL, headers=headers, body=body)
    try:
        po = decode_purchase_order(body)
        template = str(source.settings.get("order_number_template", DEFAULT_NUMBER_TEMPLATE))
        wms_number = wms_order_number(po.number, source.suffix, template=template, field="number")
        return await _persist(pool, source, po, wms_number=wms_number, inbox_id=inbox_id, lane=lane)
    except (InputError, ConflictError) as exc:
        field = exc.field if isinstance(exc, InputError) else None
        async with transaction(pool) as conn:
            error = {"code": exc.code, "detail": exc.message, "field": field}
            await InboxStore.finish(conn, inbox_id, InboxState.REJECTED, error=error)
        raise


async def _persist(
    pool: asyncpg.Pool, source: Source, po: PurchaseOrder, *, wms_number: str, inbox_id: int, lane: str
) -> PurchaseAccepted:
    encoded = _encoder.encode(po)
    digest = hashlib.sha256(encoded).digest()
    accepted = PurchaseAccepted(outcome="created", number=po.number, wms_number=wms_number, inbox_id=inbox_id)
    try:
        async with transaction(pool) as conn:
            args = (source.id, po.number, wms_number, msgspec.json.decode(encoded), digest, inbox_id)
            po_id = await conn.fetchval(queries["insert_purchase_order"], *args)
            if po_id is None:
                existing = await conn.fetchrow(queries["get_purchase_order_by_source_number"], source.id, po.number)
                if existing["payload_hash"] != digest:
                    raise PurchaseOrderChanged(f"purchase order {po.number!r} was already received with other content")
                await InboxStore.finish(conn, inbox_id, InboxState.ACCEPTED)
                return msgspec.structs.replace(accepted, outcome="duplicate", wms_number=existing["wms_number"])
            await conn.execute(
                queries["insert_purchase_order_lines"],
                po_id,
                list(range(1, len(po.lines) + 1)),
                [line.line_id for line in po.lines],
                [line.article_number for line in po.lines],
                [line.quantity for line in po.lines],
            )
            key = f"po:{po_id}"
            payload = {"purchase_order_id": po_id}
            await enqueue(
                conn, lane=lane, kind="po.send", priority=Priority.ORDER, idempotency_key=key, payload=payload
            )
            await InboxStore.finish(conn, inbox_id, InboxState.ACCEPTED)
    except UniqueViolation as exc:
        if exc.constraint != "purchase_orders_wms_number_key":
            raise
        raise DuplicateOrder(f"WMS number {wms_number!r} already belongs to another purchase order") from exc
    log.info("purchase_order.ingested", source=source.name, wms_number=wms_number)
    return accepted


def received_event(
    wms: WmsInOrderStatus, *, source_number: str, emitted: Mapping[str, Decimal], now: dt.datetime
) -> tuple[WarehouseEvent, dict[str, dict[str, str]]] | None:
    """The `received` event a WMS snapshot implies beyond what was emitted, and the counters to report after.

    The key carries the cumulative received counts, so re-reading a snapshot yields the same key.
    """
    lines = [ln for ln in wms.lines if ln.line_id in emitted]
    deltas = [
        EventLine(line_id=ln.line_id or "", article_number=ln.article_number or "", quantity=ln.received - was)
        for ln in lines
        if ln.received > (was := emitted[ln.line_id or ""])
    ]
    if not deltas:
        return None
    totals = {ln.line_id or "": ln.received for ln in lines if ln.received > 0}
    key = f"received:{wms.number}:" + ",".join(f"{k}={v.normalize()}" for k, v in sorted(totals.items()))
    event = WarehouseEvent(
        kind=EventKind.RECEIVED,
        idempotency_key=key,
        source_order_number=source_number,
        wms_order_number=wms.number,
        occurred_at=now,
        wms_order_id=wms.in_order_id,
        wms_status=wms.status_number,
        lines=tuple(deltas),
    )
    return event, {"reported": {k: str(v) for k, v in totals.items()}}


class PurchaseWorker:
    """The WMS lane's purchase-order work: `po.send`, `po.report_counters` and the reception poll."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        wms: WmsClient,
        *,
        wms_settings: WmsSettings,
        outbox_settings: OutboxSettings,
        fanback_settings: FanbackSettings,
    ) -> None:
        self.pool = pool
        self.wms = wms
        self.create_operation = wms_settings.create_operation
        self.max_attempts = outbox_settings.max_attempts
        self.overlap = dt.timedelta(seconds=fanback_settings.overlap_seconds)
        self.lane = wms_lane(wms_settings.goods_owner_code or "default")

    def periodic(self, interval: float) -> Periodic:
        """The lane task reading purchase orders changed in the WMS."""
        return Periodic("po.poll", interval, self.poll)

    async def send(self, job: Job) -> None:
        """ProcessInOrder once: after an attempt with an unknown outcome, read back before posting again."""
        po_id = int(job.payload["purchase_order_id"])
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["get_purchase_order"], po_id)
        if row is None or row["wms_in_order_id"] is not None:
            return
        number = row["wms_number"]
        try:
            if job.attempts > 1:
                found = [p for p in await self.wms.get_in_orders(numbers=[number]) if p.number == number]
                if found:
                    await self._placed(po_id, found[0].in_order_id)
                    return
            po = msgspec.convert(row["payload"], PurchaseOrder)
            in_order_id = await self.wms.process_in_order(
                _wms_purchase_order(number, po), operation=self.create_operation
            )
        except FatalUpstreamError as exc:
            await self._note(po_id, "dead_letter", f"WMS rejected: {exc.context.get('wms_message') or exc.message}")
            raise
        except RetriableUpstreamError as exc:
            state = "dead_letter" if job.attempts >= self.max_attempts else "queued"
            await self._note(po_id, state, f"{exc.code}: {exc.message}")
            raise
        await self._placed(po_id, in_order_id)

    async def report_counters(self, job: Job) -> None:
        """After the source accepted a `received` event, mark those quantities reported in the WMS."""
        reported = {k: Decimal(v) for k, v in dict(job.payload.get("reported") or {}).items()}
        if reported:
            await self.wms.report_in_order_lines(str(job.payload["number"]), reported)

    async def poll(self) -> int:
        """Read purchase orders changed since the cursor (minus the overlap); returns new events."""
        with wrap_db_errors():
            cursor = await self.pool.fetchval(queries["get_cursor"], CURSOR)
            if cursor is None:
                cursor = await self.pool.fetchval(queries["earliest_purchase_order_placed"])
        if cursor is None:
            return 0  # the WMS has no purchase order from us yet
        started = dt.datetime.now(dt.UTC)
        created = 0
        for snapshot in await self.wms.get_in_orders(changed_since=cursor - self.overlap):
            created += await self.process(snapshot, now=started)
        with wrap_db_errors():
            await self.pool.execute(queries["set_cursor"], CURSOR, started)
        return created

    async def process(self, wms: WmsInOrderStatus, *, now: dt.datetime) -> int:
        """Record one snapshot: a new `received` event for its owner (1), nothing (0); foreign ones are counted."""
        with wrap_db_errors():
            owner = await self.pool.fetchrow(queries["find_purchase_order_by_wms_number"], wms.number)
            if owner is None:
                seen = (wms.number, wms.in_order_id, wms.status_number)
                await self.pool.fetchval(queries["record_foreign_in_order"], *seen)
                return 0
        async with transaction(self.pool) as conn:
            rows = await conn.fetch(queries["lock_purchase_order_lines"], owner["id"])
            await conn.execute(queries["note_purchase_order_status"], owner["id"], wms.status_number)
            emitted = {r["line_id"]: r["received"] for r in rows}
            found = received_event(wms, source_number=owner["source_number"], emitted=emitted, now=now)
            if found is None:
                return 0
            event, counters = found
            for line in wms.lines:
                if line.line_id in emitted and line.received > emitted[line.line_id]:
                    await conn.execute(queries["set_purchase_line_received"], owner["id"], line.line_id, line.received)
            payload = msgspec.json.decode(msgspec.json.encode(event))
            payload["_counters"] = counters
            args = (owner["id"], owner["source_id"], event.idempotency_key, payload)
            event_id = await conn.fetchval(queries["insert_purchase_order_event"], *args)
            if event_id is None:
                return 0
            await enqueue(
                conn,
                lane=f"po:{owner['source_id']}",
                kind="po.event.deliver",
                priority=Priority.EVENT,
                idempotency_key=f"po-event:{event.idempotency_key}",
                payload={"event_id": event_id, "purchase_order_id": owner["id"]},
            )
        log.info("purchase_order.received", wms_number=wms.number, key=event.idempotency_key)
        return 1

    async def _placed(self, po_id: int, in_order_id: int) -> None:
        with wrap_db_errors():
            await self.pool.execute(queries["place_purchase_order"], po_id, in_order_id)
        log.info("purchase_order.placed", purchase_order_id=po_id, wms_in_order_id=in_order_id)

    async def _note(self, po_id: int, state: str, error: str) -> None:
        with wrap_db_errors():
            await self.pool.execute(queries["note_purchase_order_error"], po_id, state, error[:2000])


def _wms_purchase_order(number: str, po: PurchaseOrder) -> WmsPurchaseOrder:
    return WmsPurchaseOrder(
        number=number,
        lines=tuple(
            WmsPurchaseOrderLine(
                line_id=line.line_id or str(i), article_number=line.article_number, quantity=line.quantity
            )
            for i, line in enumerate(po.lines, start=1)
        ),
        supplier=po.supplier,
        supplier_name=po.supplier_name,
        expected_date=po.expected_date,
        remark=po.remark,
    )
