"""Delivers goods-received events of purchase orders to their owning source (lanes `po:{source_id}`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from router.claimloop import ClaimLoop
from router.eventdelivery import PURCHASE_ORDER_EVENTS, EventDelivery

if TYPE_CHECKING:
    import asyncpg
    import httpx

    from router.outbox import Job
    from router.settings import OutboxSettings
    from router.store.sources import SourceStore

__all__ = ["PurchaseDelivery"]


class PurchaseDelivery(ClaimLoop):
    """Claims `po:` lanes (one purchase order's events in order); delivery itself is `EventDelivery`'s."""

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
        self.deliver = EventDelivery(
            PURCHASE_ORDER_EVENTS, pool=pool, sources=sources, http=http, wms_lane=wms_lane, settings=settings
        )

    async def handle(self, job: Job) -> None:
        """Hand one `received` event to its source; on success the WMS's counters follow."""
        await self.deliver(job)
