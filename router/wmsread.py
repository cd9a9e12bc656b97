"""Reading order changes from the WMS: the cursor poll, webhook-triggered reads and the counter reconciliation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import asyncpg
import structlog

from router.db import wrap_db_errors
from router.fanback import Fanback
from router.settings import FanbackSettings
from router.sql import queries
from router.wms.client import WmsClient

__all__ = ["WmsReader"]

log = structlog.get_logger(__name__)

ORDERS_CURSOR = "orders"


class WmsReader:
    """Feeds WMS order snapshots to the fan-back; runs only in the holder of the WMS lane."""

    def __init__(self, pool: asyncpg.Pool, wms: WmsClient, fanback: Fanback, settings: FanbackSettings) -> None:
        self.pool = pool
        self.wms = wms
        self.fanback = fanback
        self.settings = settings
        self._polls = 0

    async def poll(self) -> int:
        """Read orders changed since the cursor (minus the overlap); the cursor moves to this read's start."""
        started = dt.datetime.now(dt.UTC)
        with wrap_db_errors():
            position = await self.pool.fetchval(queries["get_cursor"], ORDERS_CURSOR)
            if position is None:
                position = await self.pool.fetchval(queries["earliest_placed"]) or started
        since = position - dt.timedelta(seconds=self.settings.overlap_seconds)
        snapshots = await self.wms.get_orders(changed_since=since)
        created = await self.fanback.process(snapshots, now=started)
        self._polls += 1
        if self.settings.reconcile_every and self._polls % self.settings.reconcile_every == 0:
            created += await self.reconcile()
        with wrap_db_errors():
            await self.pool.execute(queries["set_cursor"], ORDERS_CURSOR, started)
        if created:
            log.info("wms.poll", since=since.isoformat(), orders=len(snapshots), events=created)
        return created

    async def reconcile(self) -> int:
        """Every order whose lines still have picked or returned items to report, whatever the cursor says."""
        snapshots = await self.wms.get_orders(only_lines_to_report=True)
        return await self.fanback.process(snapshots, now=dt.datetime.now(dt.UTC))

    async def read(self, numbers: Sequence[str]) -> int:
        """Read named orders now (a WMS webhook said they changed)."""
        snapshots = await self.wms.get_orders(numbers=list(numbers))
        return await self.fanback.process(snapshots, now=dt.datetime.now(dt.UTC))
