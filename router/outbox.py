"""Transactional outbox: enqueue in the caller's transaction, claim with SKIP LOCKED and a lease, retry, bury."""

from __future__ import annotations

import enum
import random
from typing import Any

import asyncpg
import msgspec

from router import ledger
from router.db import wrap_db_errors
from router.errors import NotFound, NotReplayable
from router.sql import queries

__all__ = ["CHANNEL", "Job", "Outbox", "Priority", "backoff_delay", "enqueue", "job_of", "wms_lane"]

CHANNEL = "router_outbox"
"""LISTEN/NOTIFY channel; the payload is the lane name."""


class Priority(enum.IntEnum):
    """Order of work within one lane (lower first)."""

    CANCEL = 0
    ORDER = 10
    ARTICLE = 20
    READ = 30
    STOCK = 35
    EVENT = 40


def wms_lane(goods_owner_code: str) -> str:
    """The one lane all calls to a goods owner go through."""
    return f"wms:{goods_owner_code}"


class Job(msgspec.Struct, frozen=True, kw_only=True):
    """A claimed outbox row."""

    id: int
    lane: str
    kind: str
    priority: int
    order_id: int | None
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int
    last_error: str | None


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, base * 2**(attempt-1)))."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(0, ceiling)


async def enqueue(
    conn: asyncpg.Connection,
    *,
    lane: str,
    kind: str,
    priority: Priority,
    idempotency_key: str,
    order_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> int | None:
    """Add a row in the caller's transaction and wake the lane on commit; a known key adds nothing."""
    row_id: int | None = await conn.fetchval(
        queries["enqueue"], lane, kind, int(priority), order_id, idempotency_key, payload or {}
    )
    if row_id is not None:
        await conn.execute(queries["notify"], lane)
    return row_id


def job_of(row: asyncpg.Record) -> Job:
    """A claimed outbox row as a Job."""
    return Job(
        id=row["id"],
        lane=row["lane"],
        kind=row["kind"],
        priority=row["priority"],
        order_id=row["order_id"],
        idempotency_key=row["idempotency_key"],
        payload=dict(row["payload"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
    )


class Outbox:
    """Claiming and settling rows."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def claim(self, lane: str, *, lease_seconds: float, holder_pid: int) -> Job | None:
        """The next due row of `lane`, leased to the session `holder_pid`, or None."""
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["claim"], lane, lease_seconds, holder_pid)
        return job_of(row) if row is not None else None

    async def finish(self, job_id: int, conn: asyncpg.Connection | None = None) -> None:
        """Mark done (in `conn`'s transaction when given, so the outcome and the row commit together)."""
        with wrap_db_errors():
            await (conn or self.pool).execute(queries["finish"], job_id)

    async def retry_later(self, job_id: int, delay: float, error: str) -> None:
        """Release the lease and make the row due again after `delay` seconds."""
        with wrap_db_errors():
            await self.pool.execute(queries["retry_later"], job_id, delay, error[:2000])

    async def bury(self, job_id: int, error: str, conn: asyncpg.Connection | None = None) -> None:
        """Make the row a dead letter."""
        with wrap_db_errors():
            await (conn or self.pool).execute(queries["bury"], job_id, error[:2000])

    async def dead_letters(self, *, before: int | None, limit: int) -> list[asyncpg.Record]:
        """Dead letters, newest first."""
        with wrap_db_errors():
            rows: list[asyncpg.Record] = await self.pool.fetch(queries["list_dead"], before, limit)
        return rows

    async def replay(self, job_id: int) -> Job:
        """Make a dead letter pending again, attempts from zero, and wake its lane."""
        with wrap_db_errors():
            async with self.pool.acquire() as conn, conn.transaction():
                row = await conn.fetchrow(queries["revive"], job_id)
                if row is None:
                    existing = await conn.fetchrow(queries["get_outbox"], job_id)
                    if existing is None:
                        raise NotFound(f"no outbox row {job_id}")
                    raise NotReplayable(f"outbox row {job_id} is {existing['state']}, not dead")
                if row["kind"] == "event.deliver":
                    await conn.execute(queries["revive_event_of_job"], row["payload"])
                elif row["order_id"] is not None:
                    await conn.execute(queries["requeue_order"], row["order_id"])
                    if row["kind"] == "order.send":
                        # Its dead letter released the stock; the order takes it again (or waits, short).
                        await ledger.reserve_again(conn, row["order_id"])
                await conn.execute(queries["notify"], row["lane"])
        return job_of(row)

    async def due_lanes(self) -> list[str]:
        """Lanes with due work."""
        with wrap_db_errors():
            return [r["lane"] for r in await self.pool.fetch(queries["due_lanes"])]
