"""Delivers goods-received events of purchase orders to their owning source (lanes `po:{source_id}`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
import structlog

from connectors.base import Reporter
from router.claimloop import ClaimLoop
from router.db import transaction, wrap_db_errors
from router.domain import WarehouseEvent
from router.errors import FatalUpstreamError, RetriableUpstreamError
from router.outbox import Job, Priority, backoff_delay, enqueue
from router.sql import queries

if TYPE_CHECKING:
    import asyncpg
    import httpx

    from router.settings import OutboxSettings
    from router.store.sources import SourceStore

__all__ = ["PurchaseDelivery"]

log = structlog.get_logger(__name__)


class PurchaseDelivery(ClaimLoop):
    """Delivers `received` events to the owning source's connector (lanes `po:{source_id}`)."""

    name = "po-delivery"
    lane_prefix = "po:"
    claim_query = "claim_purchase_event_delivery"
    next_due_query = "next_purchase_event_due"

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
        """Hand one event to its source's connector; on success queue the counters for the WMS."""
        event_id = int(job.payload["event_id"])
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["get_purchase_order_event"], event_id)
        if row is None or row["state"] == "delivered":
            await self.outbox.finish(job.id)
            return
        payload = dict(row["payload"])
        counters = payload.pop("_counters", {}) or {}
        event = msgspec.convert(payload, WarehouseEvent)
        try:
            await (await self._reporter(row["source_id"])).report(event)
        except FatalUpstreamError as exc:
            await self._failed(job, event_id, f"source refused: {exc.message}", permanent=True)
            return
        except RetriableUpstreamError as exc:
            await self._failed(job, event_id, f"{exc.code}: {exc.message}", permanent=False, after=exc.retry_after)
            return
        except Exception as exc:
            log.exception("po_delivery.unexpected_error", job_id=job.id)
            await self._failed(job, event_id, f"internal error: {type(exc).__name__}", permanent=False)
            return
        async with transaction(self.pool) as conn:
            await conn.execute(queries["mark_purchase_order_event_delivered"], event_id)
            await self.outbox.finish(job.id, conn)
            if counters.get("reported"):
                await enqueue(
                    conn,
                    lane=self.wms_lane,
                    kind="po.report_counters",
                    priority=Priority.READ,
                    idempotency_key=f"po-counters:{event.idempotency_key}",
                    payload={"number": event.wms_order_number, **counters},
                )
        log.info("po_event.delivered", key=event.idempotency_key, source_id=row["source_id"])

    async def _reporter(self, source_id: int) -> Reporter:
        source = await self.sources.get_by_id(source_id)
        connector = await self.sources.connector(source, self.http)
        if not isinstance(connector, Reporter):
            raise FatalUpstreamError(f"sources of kind {source.kind!r} cannot receive events")
        return connector

    async def _failed(
        self, job: Job, event_id: int, error: str, *, permanent: bool, after: float | None = None
    ) -> None:
        dead = permanent or job.attempts >= self.settings.max_attempts
        async with transaction(self.pool) as conn:
            state = "dead" if dead else "pending"
            await conn.execute(queries["mark_purchase_order_event_failed"], event_id, error[:2000], state)
            if dead:
                await self.outbox.bury(job.id, error, conn)
        if dead:
            log.warning("po_event.dead_letter", event_id=event_id, error=error)
            return
        delay = backoff_delay(job.attempts, base=self.settings.backoff_base, cap=self.settings.backoff_cap)
        await self.outbox.retry_later(job.id, max(delay, after or 0.0), error)
