"""Sends orders to the WMS exactly once: read-back before any re-post, bounded retries, dead letters."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal

import asyncpg
import msgspec
import structlog

from connectors import connector_class
from router import ledger, metrics
from router.articles import ArticleWorker
from router.cancel import Cancellations, reject, too_late_reason
from router.db import transaction, wrap_db_errors
from router.domain import CanonicalOrder, EventKind, OrderState, RoutedOrder, WarehouseEvent
from router.errors import FatalUpstreamError, InputError, RetriableUpstreamError
from router.fanback import Fanback
from router.outbox import Job, Outbox, backoff_delay
from router.purchasing import PurchaseWorker
from router.settings import FanbackSettings, LedgerSettings, OutboxSettings, WmsSettings
from router.sql import queries
from router.stocksync import StockSync
from router.wms.client import WmsClient
from router.wmsread import WmsReader

__all__ = ["WmsDispatcher", "wants_placed"]

log = structlog.get_logger(__name__)

_READ_BATCH = 200
"""Webhook-triggered reads answered by one WMS call (Ongoing asks integrations to batch)."""


@functools.cache
def wants_placed(kind: str) -> bool:
    """Whether sources of this connector kind are told when the WMS accepted their order."""
    try:
        return bool(getattr(connector_class(kind), "wants_placed", False))
    except InputError:  # a kind no longer installed: nobody to tell
        return False


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
        ledger_settings: LedgerSettings | None = None,
    ) -> None:
        self.pool = pool
        self.wms = wms
        self.outbox = Outbox(pool)
        self.wms_settings = wms_settings
        self.outbox_settings = outbox_settings
        self.shipped_from = fanback_settings.shipped_from_status
        self.fanback = Fanback(pool, shipped_from=self.shipped_from)
        self.reader = WmsReader(pool, wms, self.fanback, fanback_settings)
        self.stock = StockSync(pool, wms, ledger_settings or LedgerSettings())
        self.cancellations = Cancellations(
            pool, wms, self.fanback, frozen_from=wms_settings.frozen_from_status, shipped_from=self.shipped_from
        )
        self.articles = ArticleWorker(pool, wms, wms_settings=wms_settings, outbox_settings=outbox_settings)
        self.purchasing = PurchaseWorker(
            pool, wms, wms_settings=wms_settings, outbox_settings=outbox_settings, fanback_settings=fanback_settings
        )
        self._handlers: dict[str, Callable[[Job], Awaitable[None]]] = {
            "order.send": self._send_order,
            "order.cancel": self.cancellations.cancel,
            "wms.read_orders": self._read_orders,
            "stock.read": self._read_stock,
            "wms.report_counters": self._report_counters,
            "article.send": self.articles.send,
            "po.send": self.purchasing.send,
            "po.report_counters": self.purchasing.report_counters,
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
            # An order for an article the WMS lacks waits for it instead of failing (router.articles).
            placed = functools.partial(self._placed, job, revision=revision)
            await self.articles.send_order(job, routed, operation=self.wms_settings.create_operation, placed=placed)
            return
        # Already in the WMS: a changed order becomes an update while the warehouse has not started.
        current = await self.wms.find_order(routed.wms_order_number)
        if current is not None and current.status_number >= self.wms_settings.frozen_from_status:
            reason = too_late_reason(current.status_number, current.status_text, shipped_from=self.shipped_from)
            key = f"rejected:{routed.wms_order_number}:rev:{revision}"
            await reject(self.pool, order, reason=reason, key=key, wms=current)
            await self.outbox.finish(job.id)
            return
        placed = functools.partial(self._placed, job, revision=revision)
        await self.articles.send_order(job, routed, operation="CreateOrUpdate", placed=placed)

    async def _read_orders(self, job: Job) -> None:
        """Answer this and every other due webhook-triggered order read with one GetOrdersByQuery."""
        await self._batched(job, "numbers", self.reader.read)

    async def _read_stock(self, job: Job) -> None:
        """Answer this and every other due stock-change notification with one GetInventoryByQuery."""
        await self._batched(job, "articles", self.stock.articles)

    async def _batched(self, job: Job, field: str, read: Callable[[list[str]], Awaitable[object]]) -> None:
        """Read what this job and the other due jobs of its kind name, in one WMS call; finish them together."""
        with wrap_db_errors():
            others = await self.pool.fetch(queries["pending_reads"], job.lane, job.id, _READ_BATCH, job.kind)
        names = {str(n) for n in job.payload.get(field, [])}
        for row in others:
            names.update(str(n) for n in dict(row["payload"]).get(field, []))
        await read(sorted(names))
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
                await self._tell_placed(conn, job.order_id, wms_order_id)
        log.info("dispatch.placed", order_id=job.order_id, wms_order_id=wms_order_id, revision=revision)

    async def _tell_placed(self, conn: asyncpg.Connection, order_id: int, wms_order_id: int) -> None:
        """A `placed` event for owners whose connector asks for one (`wants_placed`), once per order."""
        owner = await conn.fetchrow(queries["order_owner"], order_id)
        if owner is None or not wants_placed(owner["kind"]):
            return
        event = WarehouseEvent(
            kind=EventKind.PLACED,
            idempotency_key=f"placed:{owner['wms_order_number']}",
            source_order_number=owner["source_order_number"],
            wms_order_number=owner["wms_order_number"],
            wms_order_id=wms_order_id,
            occurred_at=owner["placed_at"],
        )
        await self.fanback.emit(conn, order_id=order_id, source_id=owner["source_id"], event=event)

    @staticmethod
    async def _release_unsent(conn: asyncpg.Connection, order_id: int) -> None:
        """A dead order that never reached the WMS gives its stock back (a replay reserves it again).

        An order already in the WMS (a failed update) keeps its reservations: the warehouse still holds it.
        """
        if await conn.fetchval(queries["order_in_wms"], order_id):
            return
        await ledger.release_order(conn, order_id)

    async def _fail(self, job: Job, error: str, *, permanent: bool) -> None:
        exhausted = job.attempts >= self.outbox_settings.max_attempts
        if permanent or exhausted:
            async with transaction(self.pool) as conn:
                await self.outbox.bury(job.id, error, conn)
                if job.order_id is not None and job.kind == "order.send":
                    await conn.execute(queries["mark_order_failed"], job.order_id, OrderState.DEAD_LETTER.value, error)
                    await self._release_unsent(conn, job.order_id)
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
