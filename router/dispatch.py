"""Sends orders to the WMS exactly once: read-back before any re-post, bounded retries, dead letters."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from decimal import Decimal

import asyncpg
import msgspec
import structlog

from router import ledger, metrics
from router.cancel import Cancellations, reject, too_late_reason
from router.db import transaction, wrap_db_errors
from router.domain import CanonicalOrder, OrderState, RoutedOrder
from router.errors import FatalUpstreamError, RetriableUpstreamError
from router.fanback import Fanback
from router.outbox import Job, Outbox, backoff_delay
from router.settings import FanbackSettings, OutboxSettings, WmsSettings
from router.sql import queries
from router.wms.client import WmsClient
from router.wmsread import WmsReader

__all__ = ["WmsDispatcher"]

log = structlog.get_logger(__name__)

_READ_BATCH = 200
"""Webhook-triggered reads answered by one WMS call (Ongoing asks integrations to batch)."""


class WmsDispatcher:
    """Handles the jobs of the WMS lane; one instance per process, called by its LaneWorker."""

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
        self.outbox = Outbox(pool)
        self.wms_settings = wms_settings
        self.outbox_settings = outbox_settings
        self.shipped_from = fanback_settings.shipped_from_status
        self.fanback = Fanback(pool, shipped_from=self.shipped_from)
        self.reader = WmsReader(pool, wms, self.fanback, fanback_settings)
        self.cancellations = Cancellations(
            pool, wms, self.fanback, frozen_from=wms_settings.frozen_from_status, shipped_from=self.shipped_from
        )
        self._handlers: dict[str, Callable[[Job], Awaitable[None]]] = {
            "order.send": self._send_order,
            "order.cancel": self.cancellations.cancel,
            "wms.read_orders": self._read_orders,
            "wms.report_counters": self._report_counters,
        }

    async def handle(self, job: Job) -> None:
        """Run one job; every outcome ends in done, a later retry, or a dead letter."""
        started = time.perf_counter()
        outcome = "done"
        try:
            handler = self._handlers.get(job.kind)
            if handler is None:
                outcome = "rejected"
                await self._fail(job, f"no handler for job kind {job.kind!r}", permanent=True)
            else:
                await handler(job)
                if job.kind != "order.send":  # order.send finishes together with recording its outcome
                    await self.outbox.finish(job.id)
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
            reason = too_late_reason(current.status_number, current.status_text, shipped_from=self.shipped_from)
            key = f"rejected:{routed.wms_order_number}:rev:{revision}"
            await reject(self.pool, order, reason=reason, key=key, wms=current)
            await self.outbox.finish(job.id)
            return
        wms_order_id = await self.wms.process_order(routed, operation="CreateOrUpdate")
        await self._placed(job, wms_order_id, revision)

    async def _read_orders(self, job: Job) -> None:
        """Answer this and every other due webhook-triggered read with one GetOrdersByQuery."""
        with wrap_db_errors():
            others = await self.pool.fetch(queries["pending_reads"], job.lane, job.id, _READ_BATCH)
        numbers = {str(n) for n in job.payload.get("numbers", [])}
        for row in others:
            numbers.update(str(n) for n in dict(row["payload"]).get("numbers", []))
        await self.reader.read(sorted(numbers))
        if others:
            with wrap_db_errors():
                await self.pool.execute(queries["finish_many"], [row["id"] for row in others])

    async def _report_counters(self, job: Job) -> None:
        """After the source accepted an event, mark its quantities reported in the WMS (cumulative values)."""
        number = str(job.payload["wms_order_number"])
        reported = {k: Decimal(v) for k, v in dict(job.payload.get("reported") or {}).items()}
        returned = {k: Decimal(v) for k, v in dict(job.payload.get("returned") or {}).items()}
        if reported:
            await self.wms.report_lines(number, reported)
        if returned:
            await self.wms.report_returned_lines(number, returned)

    async def _placed(self, job: Job, wms_order_id: int, revision: int) -> None:
        async with transaction(self.pool) as conn:
            await conn.execute(queries["place_order_and_finish"], job.order_id, wms_order_id, revision, job.id)
            if job.order_id is not None:
                await ledger.place_order(conn, job.order_id)  # held -> placed, in the same transaction
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
