"""Delivers warehouse events to their owning source through its connector; retries, dead letters."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import msgspec
import structlog

from connectors import ConnectorContext, connector_class
from connectors.base import Reporter
from router import metrics
from router.claimloop import ClaimLoop
from router.db import transaction, wrap_db_errors
from router.domain import WarehouseEvent
from router.errors import FatalUpstreamError, RetriableUpstreamError
from router.outbox import Job, Priority, backoff_delay, enqueue
from router.settings import OutboxSettings
from router.sql import queries
from router.store.sources import SourceStore

__all__ = ["DeliveryWorker"]

log = structlog.get_logger(__name__)


class DeliveryWorker(ClaimLoop):
    """Claims `event.deliver` jobs of every source lane (several at once, one order's events in order)."""

    name = "delivery"
    lane_prefix = "source:"
    claim_query = "claim_delivery"
    next_due_query = "next_delivery_due"

    def __init__(
        self,
        *,
        dsn: str,
        pool: asyncpg.Pool,
        sources: SourceStore,
        http: httpx.AsyncClient,
        wms_lane: str,
        settings: OutboxSettings,
        concurrency: int,
    ) -> None:
        super().__init__(dsn=dsn, pool=pool, settings=settings, concurrency=concurrency)
        self.sources = sources
        self.http = http
        self.wms_lane = wms_lane

    async def handle(self, job: Job) -> None:
        """Deliver one event."""
        await self.deliver(job)

    async def deliver(self, job: Job) -> None:
        """Hand one event to its source's connector and settle the job."""
        event_id = int(job.payload["event_id"])
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["get_event"], event_id)
        if row is None or row["state"] == "delivered":
            await self.outbox.finish(job.id)
            return
        payload: dict[str, Any] = dict(row["payload"])
        counters = payload.pop("_counters", {}) or {}
        event = msgspec.convert(payload, WarehouseEvent)
        try:
            reporter = await self._reporter(row["source_id"])
            await reporter.report(event)
        except FatalUpstreamError as exc:
            await self._failed(job, event_id, event, f"source refused: {exc.message}", permanent=True)
            return
        except RetriableUpstreamError as exc:
            await self._failed(
                job, event_id, event, f"{exc.code}: {exc.message}", permanent=False, after=exc.retry_after
            )
            return
        except Exception as exc:
            log.exception("delivery.unexpected_error", job_id=job.id)
            await self._failed(job, event_id, event, f"internal error: {type(exc).__name__}", permanent=False)
            return
        async with transaction(self.pool) as conn:
            await conn.execute(queries["mark_event_delivered"], event_id)
            await self.outbox.finish(job.id, conn)
            if counters.get("reported") or counters.get("returned"):
                await enqueue(
                    conn,
                    lane=self.wms_lane,
                    kind="wms.report_counters",
                    priority=Priority.READ,
                    idempotency_key=f"counters:{event.idempotency_key}",
                    order_id=job.order_id,
                    payload={"wms_order_number": event.wms_order_number, **counters},
                )
        metrics.EVENTS_DELIVERED.labels(event.kind.value, "delivered").inc()
        log.info("event.delivered", kind=event.kind.value, key=event.idempotency_key, source_id=row["source_id"])

    async def _reporter(self, source_id: int) -> Reporter:
        source = await self.sources.get_by_id(source_id)
        credentials = await self.sources.credentials(source.id)
        connector = connector_class(source.kind)(
            ConnectorContext(source=source, credentials=credentials, http=self.http)
        )
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
            await conn.execute(queries["mark_event_failed"], event_id, error[:2000], "dead" if dead else "pending")
            if dead:
                await self.outbox.bury(job.id, error, conn)
        if dead:
            metrics.EVENTS_DELIVERED.labels(event.kind.value, "dead_letter").inc()
            metrics.DEAD_LETTERS.labels(job.kind).inc()
            log.warning("event.dead_letter", key=event.idempotency_key, error=error, attempts=job.attempts)
            return
        delay = backoff_delay(job.attempts, base=self.settings.backoff_base, cap=self.settings.backoff_cap)
        await self.outbox.retry_later(job.id, max(delay, after or 0.0), error)
        log.info("event.retry", key=event.idempotency_key, attempt=job.attempts, error=error)
