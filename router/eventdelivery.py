"""Hands one stored warehouse event to its owning source's connector and settles it, for any event table."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, LiteralString

import msgspec
import structlog

from connectors.base import Reporter
from router import metrics
from router.db import transaction, wrap_db_errors
from router.domain import WarehouseEvent
from router.errors import FatalUpstreamError, RetriableUpstreamError
from router.outbox import Job, Outbox, Priority, backoff_delay, enqueue
from router.sql import queries

if TYPE_CHECKING:
    import asyncpg
    import httpx

    from router.settings import OutboxSettings
    from router.store.sources import SourceStore

__all__ = ["ORDER_EVENTS", "PURCHASE_ORDER_EVENTS", "EventDelivery", "EventTable"]

log = structlog.get_logger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class EventTable:
    """Where one kind of warehouse event is kept, and what the WMS is told once its source has it."""

    name: str
    """The table, named in every log line about its events."""
    get: LiteralString
    mark_delivered: LiteralString
    mark_failed: LiteralString
    counters_job: str
    counters_key: str
    number_field: str
    counted: tuple[str, ...]
    """Counter fields of the event (`_counters` in its payload); any set one queues a `counters_job`."""


ORDER_EVENTS = EventTable(
    name="order_events",
    get="get_event",
    mark_delivered="mark_event_delivered",
    mark_failed="mark_event_failed",
    counters_job="wms.report_counters",
    counters_key="counters",
    number_field="wms_order_number",
    counted=("reported", "returned"),
)
PURCHASE_ORDER_EVENTS = EventTable(
    name="purchase_order_events",
    get="get_purchase_order_event",
    mark_delivered="mark_purchase_order_event_delivered",
    mark_failed="mark_purchase_order_event_failed",
    counters_job="po.report_counters",
    counters_key="po-counters",
    number_field="number",
    counted=("reported",),
)


class EventDelivery:
    """Delivers the event a job names: done, retried with backoff, or a dead letter; counters follow success."""

    def __init__(
        self,
        table: EventTable,
        *,
        pool: asyncpg.Pool,
        sources: SourceStore,
        http: httpx.AsyncClient,
        wms_lane: str,
        settings: OutboxSettings,
    ) -> None:
        self.table = table
        self.pool = pool
        self.outbox = Outbox(pool)
        self.sources = sources
        self.http = http
        self.wms_lane = wms_lane
        self.settings = settings

    async def __call__(self, job: Job) -> None:
        """Hand the job's event (payload `event_id`) to its source's `report()` and settle the job."""
        table = self.table
        event_id = int(job.payload["event_id"])
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries[table.get], event_id)
        if row is None or row["state"] == "delivered":
            await self.outbox.finish(job.id)
            return
        payload: dict[str, Any] = dict(row["payload"])
        counters = payload.pop("_counters", {}) or {}
        event = msgspec.convert(payload, WarehouseEvent)
        try:
            await (await self._reporter(row["source_id"])).report(event)
        except FatalUpstreamError as exc:
            await self._failed(job, event_id, event, f"source refused: {exc.message}", permanent=True)
            return
        except RetriableUpstreamError as exc:
            error = f"{exc.code}: {exc.message}"
            await self._failed(job, event_id, event, error, permanent=False, after=exc.retry_after)
            return
        except Exception as exc:
            log.exception("event.unexpected_error", events=table.name, job_id=job.id)
            await self._failed(job, event_id, event, f"internal error: {type(exc).__name__}", permanent=False)
            return
        async with transaction(self.pool) as conn:
            await conn.execute(queries[table.mark_delivered], event_id)
            await self.outbox.finish(job.id, conn)
            if any(counters.get(name) for name in table.counted):
                await enqueue(
                    conn,
                    lane=self.wms_lane,
                    kind=table.counters_job,
                    priority=Priority.READ,
                    idempotency_key=f"{table.counters_key}:{event.idempotency_key}",
                    order_id=job.order_id,
                    payload={table.number_field: event.wms_order_number, **counters},
                )
        metrics.EVENTS_DELIVERED.labels(event.kind.value, "delivered").inc()
        log.info(
            "event.delivered",
            events=table.name,
            kind=event.kind.value,
            key=event.idempotency_key,
            source_id=row["source_id"],
        )

    async def _reporter(self, source_id: int) -> Reporter:
        source = await self.sources.get_by_id(source_id)
        connector = await self.sources.connector(source, self.http)
        if not isinstance(connector, Reporter):
            raise FatalUpstreamError(f"sources of kind {source.kind!r} cannot receive events")
        return connector

    async def _failed(
        self,
        job: Job,
        event_id: int,
        event: WarehouseEvent,
        error: str,
        *,
        permanent: bool,
        after: float | None = None,
    ) -> None:
        dead = permanent or job.attempts >= self.settings.max_attempts
        async with transaction(self.pool) as conn:
            await conn.execute(queries[self.table.mark_failed], event_id, error[:2000], "dead" if dead else "pending")
            if dead:
                await self.outbox.bury(job.id, error, conn)
        if dead:
            metrics.EVENTS_DELIVERED.labels(event.kind.value, "dead_letter").inc()
            metrics.DEAD_LETTERS.labels(job.kind).inc()
            log.warning(
                "event.dead_letter",
                events=self.table.name,
                key=event.idempotency_key,
                error=error,
                attempts=job.attempts,
            )
            return
        delay = backoff_delay(job.attempts, base=self.settings.backoff_base, cap=self.settings.backoff_cap)
        await self.outbox.retry_later(job.id, max(delay, after or 0.0), error)
        log.info("event.retry", events=self.table.name, key=event.idempotency_key, attempt=job.attempts, error=error)
