"""A source's cancellation: cancelled in the WMS while the warehouse has not started, otherwise refused."""

from __future__ import annotations

import datetime as dt

import asyncpg
import structlog

from router import ledger
from router.db import transaction, wrap_db_errors
from router.domain import EventKind, OrderState, WarehouseEvent, WmsOrderStatus
from router.errors import FatalUpstreamError
from router.fanback import CANCELLED, Fanback
from router.outbox import Job
from router.sql import queries
from router.wms.client import WmsClient

__all__ = ["Cancellations", "reject", "too_late_reason"]

log = structlog.get_logger(__name__)


def too_late_reason(status: int, status_text: str | None, *, shipped_from: int) -> str:
    """The reason a source is given when its cancellation or change comes after the warehouse started."""
    stage = "shipped" if status >= shipped_from else "picked"
    return f"too late ({stage}): WMS status {status} {status_text or ''}".strip()


class Cancellations:
    """Runs `order.cancel` jobs in the WMS lane (cancellations go first in the lane's priority order)."""

    def __init__(
        self, pool: asyncpg.Pool, wms: WmsClient, fanback: Fanback, *, frozen_from: int, shipped_from: int
    ) -> None:
        self.pool = pool
        self.wms = wms
        self.fanback = fanback
        self.frozen_from = frozen_from
        self.shipped_from = shipped_from

    async def cancel(self, job: Job) -> None:
        """Cancel the job's order if the warehouse allows it; tell its source either way."""
        with wrap_db_errors():
            order = await self.pool.fetchrow(queries["get_order"], job.order_id)
            attempted = await self.pool.fetchval(queries["send_attempted"], job.order_id)
        if order is None or order["state"] == OrderState.CANCELLED.value:
            return
        number = order["wms_order_number"]
        current = await self.wms.find_order(number) if order["wms_order_id"] is not None or attempted else None
        if current is None:
            await self._cancel_unsent(order)
            return
        if current.status_number == CANCELLED:
            await self.fanback.process([current], now=dt.datetime.now(dt.UTC))
            return
        if current.status_number >= self.frozen_from:
            await self._refuse(order, current)
            return
        try:
            await self.wms.cancel_order(number)
        except FatalUpstreamError:
            after = await self.wms.find_order(number)
            if after is not None and after.status_number >= self.frozen_from and after.status_number != CANCELLED:
                await self._refuse(order, after)
                return
            raise
        after = await self.wms.find_order(number)
        if after is None or after.status_number != CANCELLED:
            msg = f"the WMS accepted the cancellation of {number} but does not show it cancelled"
            raise FatalUpstreamError(msg)
        async with transaction(self.pool) as conn:
            await conn.execute(queries["supersede_order_jobs"], order["id"])
            await ledger.release_order(conn, order["id"])
        await self.fanback.process([after], now=dt.datetime.now(dt.UTC))
        log.info("order.cancelled", order_id=order["id"], wms_order_number=number)

    async def _cancel_unsent(self, order: asyncpg.Record) -> None:
        """The WMS never had the order: cancel it here and confirm to the source."""
        event = WarehouseEvent(
            kind=EventKind.CANCELLED,
            idempotency_key=f"cancelled:{order['wms_order_number']}",
            source_order_number=order["source_order_number"],
            wms_order_number=order["wms_order_number"],
            occurred_at=dt.datetime.now(dt.UTC),
            reason="cancelled before it was sent to the warehouse",
        )
        async with transaction(self.pool) as conn:
            await conn.execute(queries["supersede_order_jobs"], order["id"])
            await conn.execute(queries["mark_order_state"], order["id"], OrderState.CANCELLED.value, None)
            await ledger.release_order(conn, order["id"])
            await Fanback.emit(conn, order_id=order["id"], source_id=order["source_id"], event=event)

    async def _refuse(self, order: asyncpg.Record, current: WmsOrderStatus) -> None:
        reason = too_late_reason(current.status_number, current.status_text, shipped_from=self.shipped_from)
        await reject(self.pool, order, reason=reason, key=f"rejected:{order['wms_order_number']}:cancel", wms=current)


async def reject(
    pool: asyncpg.Pool, order: asyncpg.Record, *, reason: str, key: str, wms: WmsOrderStatus | None = None
) -> None:
    """Mark the order as a conflict and send its source an explicit `rejected` event with the reason."""
    event = WarehouseEvent(
        kind=EventKind.REJECTED,
        idempotency_key=key,
        source_order_number=order["source_order_number"],
        wms_order_number=order["wms_order_number"],
        occurred_at=dt.datetime.now(dt.UTC),
        wms_order_id=wms.order_id if wms else order["wms_order_id"],
        wms_status=wms.status_number if wms else None,
        reason=reason,
    )
    async with transaction(pool) as conn:
        await conn.execute(queries["mark_order_state"], order["id"], OrderState.CONFLICT.value, reason)
        await Fanback.emit(conn, order_id=order["id"], source_id=order["source_id"], event=event)
    log.info("order.rejected", order_id=order["id"], reason=reason)
