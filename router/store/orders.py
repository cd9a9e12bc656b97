"""Order repository: reads for the status API (writes happen in ingest and dispatch transactions)."""

from __future__ import annotations

import asyncpg

from router.db import transaction, wrap_db_errors
from router.errors import NotFound
from router.outbox import Priority, enqueue
from router.sql import queries

__all__ = ["OrderStore", "queue_cancel"]


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

    async def events(self, order_id: int) -> list[asyncpg.Record]:
        """Every event of an order, oldest first."""
        with wrap_db_errors():
            rows: list[asyncpg.Record] = await self.pool.fetch(queries["events_of_order"], order_id)
        return rows

    async def request_cancel(self, order_id: int, *, wms_lane: str) -> str:
        """Record the request and queue the decision in the WMS lane (cancellations first); returns the state."""
        async with transaction(self.pool) as conn:
            return await queue_cancel(conn, order_id, wms_lane=wms_lane)

    async def foreign(self, limit: int) -> tuple[asyncpg.Record, list[asyncpg.Record]]:
        """The foreign-order counters and the most recently seen ones."""
        with wrap_db_errors():
            summary = await self.pool.fetchrow(queries["foreign_summary"])
            recent: list[asyncpg.Record] = await self.pool.fetch(queries["list_foreign"], limit)
        return summary, recent

    async def list_for_source(
        self, source_id: int, *, before: int | None, state: str | None, limit: int
    ) -> list[asyncpg.Record]:
        """A page of a source's orders, newest first."""
        with wrap_db_errors():
            rows: list[asyncpg.Record] = await self.pool.fetch(
                queries["list_orders_for_source"], source_id, before, state, limit
            )
        return rows


async def queue_cancel(conn: asyncpg.Connection, order_id: int, *, wms_lane: str) -> str:
    """In the caller's transaction: record a cancel request and queue its decision; returns the order's state."""
    row = await conn.fetchrow(queries["request_cancel"], order_id)
    if row["state"] not in {"cancelled", "conflict"}:
        await enqueue(
            conn,
            lane=wms_lane,
            kind="order.cancel",
            priority=Priority.CANCEL,
            idempotency_key=f"cancel:{order_id}",
            order_id=order_id,
        )
    return str(row["state"])
