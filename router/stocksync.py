"""Stock reads from the WMS into the ledger: a full read on a schedule, delta reads in between.

Both run as `Periodic` tasks of the WMS lane (so they queue behind nothing and never call the WMS in
parallel with dispatch). Each read records when it STARTED, on the database clock: a reservation settles
only on a read that started after the WMS confirmed its order (plus a skew), see `router.ledger`.
"""

from __future__ import annotations

import datetime as dt

import asyncpg
import structlog

from router import ledger
from router.db import wrap_db_errors
from router.lane import Periodic
from router.settings import LedgerSettings
from router.sql import queries
from router.wms.client import WmsClient
from router.wms.inventory import WmsStockLine

__all__ = ["DELTA_CURSOR", "StockSync", "stock_lines"]

log = structlog.get_logger(__name__)

DELTA_CURSOR = "stock_delta"
"""`wms_cursors` row: where the next delta read starts (before the overlap is subtracted)."""


def stock_lines(lines: list[WmsStockLine]) -> list[ledger.StockLine]:
    """The WMS's lines as ledger input; a line without SellableNumberOfItems is skipped (unknown, not guessed)."""
    return [(line.article_number, line.sellable, line.on_hand) for line in lines if line.sellable is not None]


class StockSync:
    """Reads stock from the WMS and applies it to the ledger (call from the WMS lane only)."""

    def __init__(self, pool: asyncpg.Pool, wms: WmsClient, settings: LedgerSettings) -> None:
        self.pool = pool
        self.wms = wms
        self.settings = settings

    def periodic(self) -> list[Periodic]:
        """The lane's tasks: the full read and the delta read."""
        return [
            Periodic("stock.full", self.settings.full_sync_seconds, self.full),
            Periodic("stock.delta", self.settings.delta_sync_seconds, self.delta),
        ]

    async def full(self) -> list[str]:
        """Read every article (paged) and apply it; returns the articles whose available changed."""
        started = await ledger.db_clock(self.pool)
        lines = [line async for line in self.wms.iter_inventory(page_size=self.settings.page_size)]
        changed = await self._apply(lines, started, "full")
        with wrap_db_errors():
            await self.pool.execute(queries["set_cursor"], DELTA_CURSOR, started)
        return changed

    async def delta(self) -> list[str]:
        """Read the articles changed since the last read (minus the overlap); a first read is a full one."""
        with wrap_db_errors():
            position: dt.datetime | None = await self.pool.fetchval(queries["get_cursor"], DELTA_CURSOR)
        if position is None:
            return await self.full()
        started = await ledger.db_clock(self.pool)
        since = position - dt.timedelta(seconds=self.settings.delta_overlap_seconds)
        lines = await self.wms.get_inventory(changed_since=since)
        changed = await self._apply(lines, started, "delta")
        with wrap_db_errors():
            await self.pool.execute(queries["set_cursor"], DELTA_CURSOR, started)
        return changed

    async def articles(self, article_numbers: list[str]) -> list[str]:
        """Read some articles now (e.g. after a stock adjustment is known) and apply them."""
        started = await ledger.db_clock(self.pool)
        lines = await self.wms.get_inventory(article_numbers=article_numbers)
        return await self._apply(lines, started, "articles")

    async def _apply(self, lines: list[WmsStockLine], started: dt.datetime, kind: str) -> list[str]:
        usable = stock_lines(lines)
        if len(usable) < len(lines):
            log.warning("stock.no_sellable_figure", skipped=len(lines) - len(usable), kind=kind)
        return await ledger.apply_snapshot(
            self.pool, usable, read_started_at=started, kind=kind, skew=self.settings.settle_skew_seconds
        )
