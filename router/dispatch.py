"""Sends orders to the WMS exactly once: read-back before any re-post, bounded retries, dead letters."""

from __future__ import annotations

import time

import asyncpg
import msgspec
import structlog

from router import metrics
from router.db import transaction, wrap_db_errors
from router.domain import CanonicalOrder, OrderState, RoutedOrder
from router.errors import FatalUpstreamError, RetriableUpstreamError
from router.outbox import Job, Outbox, backoff_delay
from router.settings import OutboxSettings, WmsSettings
from router.sql import queries
from router.wms.client import WmsClient

__all__ = ["WmsDispatcher"]

log = structlog.get_logger(__name__)


class WmsDispatcher:
    """Handles the jobs of the WMS lane; one instance per process, called by its LaneWorker."""

    def __init__(
        self, pool: asyncpg.Pool, wms: WmsClient, *, wms_settings: WmsSettings, outbox_settings: OutboxSettings
    ) -> None:
        self.pool = pool
        self.wms = wms
        self.outbox = Outbox(pool)
        self.wms_settings = wms_settings
        self.outbox_settings = outbox_settings

    async def handle(self, job: Job) -> None:
        """Run one job; every outcome ends in done, a later retry, or a dead letter."""
        started = time.perf_counter()
        outcome = "done"
        try:
            if job.kind == "order.send":
                await self._send_order(job)
            else:
                outcome = "rejected"
                await self._fail(job, f"no handler for job kind {job.kind!r}", permanent=True)
        except FatalUpstreamError as exc:
            outcome = "rejected"
            await self._fail(job, f"WMS rejected: {exc.message}", permanent=True)
        except RetriableUpstreamError as exc:
            outcome = "transient"
            await self._fail(job, f"{exc.code}: {exc.message}", permanent=False)
        except Exception as exc:
            outcome = "error"
            log.exception("dispatch.unexpected_error", job_id=job.id, kind=job.kind)
            await self._fail(job, f"internal error: {type(exc).__name__}: {exc}", permanent=False)
        finally:
            metrics.WMS_CALLS.labels(job.kind, outcome).inc()
            metrics.WMS_LATENCY.labels(job.kind).observe(time.perf_counter() - started)

    async def _send_order(self, job: Job) -> None:
        order = await self.pool.fetchrow(queries["get_order"], job.order_id)
        if order is None or order["state"] in {OrderState.CANCELLED.value, OrderState.CONFLICT.value}:
            await self.outbox.finish(job.id)
            return
        revision = order["revision"]
        if order["sent_revision"] is not None and order["sent_revision"] >= revision:
            await self.outbox.finish(job.id)  # a newer row already sent this revision
            return
        routed = RoutedOrder(
            wms_order_number=order["wms_order_number"],
            order_type=order["order_type"],
            order=msgspec.convert(order["payload"], CanonicalOrder),
        )
        if order["wms_order_id"] is None:
            if job.attempts > 1:
                # An earlier attempt's outcome is unknown: ask the WMS before posting again.
                found = await self.wms.find_order(routed.wms_order_number)
                if found is not None:
                    sent = int(job.payload.get("revision", revision))
                    log.info("dispatch.read_back_found", order_id=job.order_id, wms_order_id=found.order_id)
                    await self._placed(job, found.order_id, sent)
                    return
            wms_order_id = await self.wms.process_order(routed, operation=self.wms_settings.create_operation)
            await self._placed(job, wms_order_id, revision)
            return
        # Already in the WMS: a changed order becomes an update while the warehouse has not started.
        current = await self.wms.find_order(routed.wms_order_number)
        if current is not None and current.status_number >= self.wms_settings.frozen_from_status:
            async with transaction(self.pool) as conn:
                await conn.execute(
                    queries["mark_order_failed"],
                    job.order_id,
                    OrderState.CONFLICT.value,
                    f"too late to change: WMS status {current.status_number} {current.status_text or ''}".strip(),
                )
                await self.outbox.finish(job.id, conn)
            return
        wms_order_id = await self.wms.process_order(routed, operation="CreateOrUpdate")
        await self._placed(job, wms_order_id, revision)

    async def _placed(self, job: Job, wms_order_id: int, revision: int) -> None:
        with wrap_db_errors():
            await self.pool.execute(queries["place_order_and_finish"], job.order_id, wms_order_id, revision, job.id)
        log.info("dispatch.placed", order_id=job.order_id, wms_order_id=wms_order_id, revision=revision)

    async def _fail(self, job: Job, error: str, *, permanent: bool) -> None:
        exhausted = job.attempts >= self.outbox_settings.max_attempts
        if permanent or exhausted:
            async with transaction(self.pool) as conn:
                await self.outbox.bury(job.id, error, conn)
                if job.order_id is not None and job.kind == "order.send":
                    await conn.execute(queries["mark_order_failed"], job.order_id, OrderState.DEAD_LETTER.value, error)
            metrics.DEAD_LETTERS.labels(job.kind).inc()
            log.warning("dispatch.dead_letter", job_id=job.id, kind=job.kind, error=error, attempts=job.attempts)
            return
        delay = backoff_delay(
            job.attempts, base=self.outbox_settings.backoff_base, cap=self.outbox_settings.backoff_cap
        )
        await self.outbox.retry_later(job.id, delay, error)
        if job.order_id is not None:
            await self.pool.execute(queries["note_order_error"], job.order_id, error[:2000])
        log.info("dispatch.retry", job_id=job.id, attempt=job.attempts, delay=round(delay, 3), error=error)
