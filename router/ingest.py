"""Ingest: raw payload stored first, then normalized, routed and written with its outbox row in one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import asyncpg
import msgspec
import structlog

from connectors import ConnectorContext, connector_class
from router import articles, ledger, metrics
from router.db import transaction, wrap_db_errors
from router.domain import (
    ArticleUpdate,
    CanonicalOrder,
    Ignored,
    InboxState,
    OrderState,
    RoutedOrder,
    Source,
    SourceCancellation,
)
from router.errors import DuplicateOrder, InputError, UniqueViolation
from router.naming import DEFAULT_NUMBER_TEMPLATE, resolve_order_type, wms_order_number
from router.outbox import Priority, enqueue
from router.sql import queries
from router.store.inbox import InboxStore
from router.store.orders import queue_cancel

__all__ = ["IngestResult", "Ingestor", "route"]

log = structlog.get_logger(__name__)
_encoder = msgspec.json.Encoder(decimal_format="number")
_ORDER_KEYS = frozenset({"orders_source_order_key", "orders_wms_order_number_key"})


class IngestResult(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one pushed payload."""

    inbox_id: int
    outcome: str  # created | replaced | duplicate | ignored | cancel_requested
    order_id: int | None = None
    source_order_number: str | None = None
    wms_order_number: str | None = None
    revision: int | None = None


def route(order: CanonicalOrder, source: Source) -> RoutedOrder:
    """Give an order its WMS number (the source's suffix) and its order type."""
    template = source.settings.get("order_number_template", DEFAULT_NUMBER_TEMPLATE)
    return RoutedOrder(
        wms_order_number=wms_order_number(
            order.order_number, source.suffix, template=str(template), field="order_number"
        ),
        order_type=resolve_order_type(order.order_type, source.order_type, source.settings),
        order=order,
    )


def problem_of(exc: InputError) -> dict[str, object]:
    """The stored form of a rejection (the same fields the API's problem+json shows)."""
    return {"code": exc.code, "detail": exc.message, "field": exc.field}


class Ingestor:
    """Takes payloads from any connector into the order pipeline."""

    def __init__(self, pool: asyncpg.Pool, *, wms_lane: str) -> None:
        self.pool = pool
        self.inbox = InboxStore(pool)
        self.wms_lane = wms_lane

    async def receive(self, source: Source, *, channel: str, headers: Mapping[str, str], body: bytes) -> IngestResult:
        """Store the raw payload, then process it; an InputError leaves the payload stored as rejected."""
        inbox_id = await self.inbox.store(source_id=source.id, channel=channel, headers=headers, body=body)
        return await self.process(source, inbox_id=inbox_id, headers=headers, body=body, channel=channel)

    async def process(
        self, source: Source, *, inbox_id: int, headers: Mapping[str, str], body: bytes, channel: str | None = None
    ) -> IngestResult:
        """Normalize and persist a stored payload (also used to replay a rejected one).

        On the article channel (`channel=None` looks the stored payload's up) the result is article master
        data, stored with its fate by `router.articles`; outcome `pending` (sent on) or `ignored`.
        """
        try:
            result = await self._normalize(source, inbox_id, headers, body, channel)
            if isinstance(result, IngestResult):
                return result
            if isinstance(result, ArticleUpdate):
                # Article master data takes its own path (only the master source's updates reach the WMS);
                # an article document arriving on the order channel is kept, visible, and not an order.
                result = Ignored(reason=f"article update for {result.article_number} on the order channel")
            if isinstance(result, Ignored):
                async with transaction(self.pool) as conn:
                    await InboxStore.finish(conn, inbox_id, InboxState.IGNORED, error={"detail": result.reason})
                return IngestResult(inbox_id=inbox_id, outcome="ignored")
            if isinstance(result, SourceCancellation):
                return await self._cancel(source, result, inbox_id)
            routed = route(result, source)
        except InputError as exc:
            async with transaction(self.pool) as conn:
                await InboxStore.finish(conn, inbox_id, InboxState.REJECTED, error=problem_of(exc))
            raise
        try:
            return await self._persist(source, routed, inbox_id)
        except UniqueViolation as exc:
            if exc.constraint not in _ORDER_KEYS:
                raise
        # The same new order arrived twice at once and the other copy inserted first: now the row exists,
        # so this attempt locks it and becomes a duplicate or a replacement.
        try:
            return await self._persist(source, routed, inbox_id)
        except UniqueViolation as exc:
            if exc.constraint != "orders_wms_order_number_key":
                raise
            error = DuplicateOrder(f"WMS order number {routed.wms_order_number!r} already belongs to another order")
            async with transaction(self.pool) as conn:
                await InboxStore.finish(
                    conn, inbox_id, InboxState.REJECTED, error={"code": error.code, "detail": error.message}
                )
            raise error from exc

    async def _normalize(
        self, source: Source, inbox_id: int, headers: Mapping[str, str], body: bytes, channel: str | None
    ) -> CanonicalOrder | ArticleUpdate | SourceCancellation | Ignored | IngestResult:
        """The connector's reading of a payload; article master data is stored right away (router.articles)."""
        if channel is None:
            with wrap_db_errors():
                channel = await self.pool.fetchval(queries["inbox_channel"], inbox_id)
        if channel == articles.CHANNEL:
            update: ArticleUpdate | Ignored = articles.decode_article(body)
        else:
            result = connector_class(source.kind)(ConnectorContext(source=source)).normalize(body, headers)
            if channel != articles.FEED_CHANNEL:
                return result
            update = articles.from_connector(result)
        if isinstance(update, Ignored):
            return update
        done = await articles.accept(self.pool, source, inbox_id=inbox_id, update=update, lane=self.wms_lane)
        return IngestResult(inbox_id=inbox_id, outcome=done.fate)

    async def _persist(self, source: Source, routed: RoutedOrder, inbox_id: int) -> IngestResult:
        payload_json = _encoder.encode(routed.order)
        payload_hash = hashlib.sha256(routed.order_type.encode() + b"\0" + payload_json).digest()
        payload = msgspec.json.decode(payload_json)
        number = routed.order.order_number
        lines = routed.order.lines
        line_arrays = (
            list(range(1, len(lines) + 1)),
            [ln.line_id for ln in lines],
            [ln.article_number for ln in lines],
            [ln.quantity for ln in lines],
        )
        with wrap_db_errors():
            new = await self.pool.fetchrow(
                queries["insert_new_order"],
                source.id,
                number,
                routed.wms_order_number,
                routed.order_type,
                payload,
                payload_hash,
                inbox_id,
                *line_arrays,
                self.wms_lane,
                int(Priority.ORDER),
            )
        if new is not None:
            if new["short"]:
                metrics.SHORT_ORDERS.labels("hold" if new["shortage_held"] else "send").inc()
            return self._done(
                outcome="created",
                inbox_id=inbox_id,
                number=number,
                routed=routed,
                order_id=new["id"],
                revision=new["revision"],
            )
        async with transaction(self.pool) as conn:
            existing = await conn.fetchrow(queries["lock_order_by_source_number"], source.id, number)
            if existing is not None and existing["payload_hash"] == payload_hash:
                await InboxStore.finish(conn, inbox_id, InboxState.ACCEPTED, order_id=existing["id"])
                return IngestResult(
                    inbox_id=inbox_id,
                    outcome="duplicate",
                    order_id=existing["id"],
                    source_order_number=number,
                    wms_order_number=existing["wms_order_number"],
                    revision=existing["revision"],
                )
            if existing is None:
                row = await conn.fetchrow(
                    queries["insert_order"],
                    source.id,
                    number,
                    routed.wms_order_number,
                    routed.order_type,
                    OrderState.QUEUED.value,
                    payload,
                    payload_hash,
                    inbox_id,
                )
                outcome = "created"
            else:
                state = existing["state"]
                if state in {OrderState.DEAD_LETTER.value, OrderState.RECEIVED.value}:
                    state = OrderState.QUEUED.value
                row = await conn.fetchrow(
                    queries["replace_order"],
                    existing["id"],
                    routed.order_type,
                    payload,
                    payload_hash,
                    inbox_id,
                    state,
                )
                await conn.execute(queries["delete_order_lines"], existing["id"])
                outcome = "replaced"
            order_id, revision = row["id"], row["revision"]
            await conn.execute(queries["insert_order_lines"], order_id, *line_arrays)
            key = f"order:{order_id}:rev:{revision}"
            await enqueue(
                conn,
                lane=self.wms_lane,
                kind="order.send",
                priority=Priority.ORDER,
                idempotency_key=key,
                order_id=order_id,
                payload={"revision": revision},
            )
            if outcome == "replaced":
                await conn.execute(queries["supersede_pending"], order_id, "order.send", key)
            await ledger.reserve_existing(
                conn,
                order_id=order_id,
                revision=revision,
                source_id=source.id,
                line_numbers=line_arrays[0],
                articles=line_arrays[2],
                quantities=line_arrays[3],
            )
            await InboxStore.finish(conn, inbox_id, InboxState.ACCEPTED, order_id=order_id)
        return self._done(
            outcome=outcome, inbox_id=inbox_id, number=number, routed=routed, order_id=order_id, revision=revision
        )

    async def _cancel(self, source: Source, cancel: SourceCancellation, inbox_id: int) -> IngestResult:
        """A source cancelled orders of its own: queue each WMS cancel (decided in the lane) and keep the payload.

        Unknown numbers are not an error (the order may have been cancelled before it reached the router).
        """
        async with transaction(self.pool) as conn:
            order_ids = []
            for number in cancel.order_numbers:
                row = await conn.fetchrow(queries["get_order_for_source"], source.id, number)
                if row is not None:
                    await queue_cancel(conn, row["id"], wms_lane=self.wms_lane)
                    order_ids.append(row["id"])
            if not order_ids:
                numbers = ", ".join(cancel.order_numbers)
                detail = f"cancellation of orders the router does not have: {numbers}"
                await InboxStore.finish(conn, inbox_id, InboxState.IGNORED, error={"detail": detail})
                return IngestResult(inbox_id=inbox_id, outcome="ignored")
            await InboxStore.finish(conn, inbox_id, InboxState.ACCEPTED, order_id=order_ids[0])
        log.info("order.cancel_requested_by_source", source=source.name, numbers=cancel.order_numbers)
        return IngestResult(inbox_id=inbox_id, outcome="cancel_requested", order_id=order_ids[0])

    @staticmethod
    def _done(
        *, outcome: str, inbox_id: int, number: str, routed: RoutedOrder, order_id: int, revision: int
    ) -> IngestResult:
        log.debug("order.ingested", outcome=outcome, order_id=order_id, wms_order_number=routed.wms_order_number)
        return IngestResult(
            inbox_id=inbox_id,
            outcome=outcome,
            order_id=order_id,
            source_order_number=number,
            wms_order_number=routed.wms_order_number,
            revision=revision,
        )
