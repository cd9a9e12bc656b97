"""Order repository: reads for the status API (writes happen in ingest and dispatch transactions)."""

from __future__ import annotations

import asyncpg

from router.db import wrap_db_errors
from router.errors import NotFound
from router.sql import queries

__all__ = ["OrderStore"]


class OrderStore:
    """Orders in PostgreSQL, always read through their source."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def get_for_source(self, source_id: int, number: str) -> asyncpg.Record:
        """One order of a source by its own number or its WMS number; another source's order is NotFound."""
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["get_order_for_source"], source_id, number)
        if row is None:
            raise NotFound(f"no order {number!r} for this source")
        return row

    async def list_for_source(
        self, source_id: int, *, before: int | None, state: str | None, limit: int
    ) -> list[asyncpg.Record]:
        """A page of a source's orders, newest first."""
        with wrap_db_errors():
            rows: list[asyncpg.Record] = await self.pool.fetch(
                queries["list_orders_for_source"], source_id, before, state, limit
            )
        return rows
