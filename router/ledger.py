"""The reservation ledger (design section 5): what may still be sold of each article between two WMS reads.

`available = snapshot.sellable - held - placed`, per article, kept on one counter row that every change locks
(articles of one order in sorted order, so concurrent multi-line orders cannot deadlock). A reservation is
`held` from the order's acceptance, `placed` once the WMS confirmed the order, and `settled` only when a
stock read that *started* at least `skew` after `placed_at` has been applied: from then on the WMS's own
sellable figure includes the order. Counting it longer would double-count, dropping it earlier oversells;
every doubt (paged reads, unknown articles) errs towards reporting less.

New orders reserve inside ingest's one-statement fast path (`insert_new_order`); the rest lives here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import asyncpg
import structlog

from router import metrics
from router.db import transaction, wrap_db_errors
from router.sql import queries

__all__ = [
    "STOCK_WAKE",
    "StockLine",
    "apply_snapshot",
    "available",
    "db_clock",
    "is_short",
    "lock_counters",
    "place_order",
    "promote_covered",
    "push_target",
    "refresh_targets",
    "release_order",
    "reserve_existing",
    "settles",
]

log = structlog.get_logger(__name__)

STOCK_WAKE = "stock:"
"""NOTIFY payload that wakes the stock pushers."""

StockLine = tuple[str, Decimal, Decimal | None]
"""(article number, sellable, on hand) as read from the WMS."""


def available(sellable: Decimal, held: Decimal, placed: Decimal) -> Decimal:
    """What may still be sold: the WMS's sellable minus reservations it does not yet include (may be negative)."""
    return sellable - held - placed


def is_short(available_before: Decimal, quantity: Decimal) -> bool:
    """An order line is short when less than its quantity was available as it arrived."""
    return available_before < quantity


def settles(placed_at: dt.datetime | None, read_started_at: dt.datetime, skew: dt.timedelta) -> bool:
    """Whether a read started at `read_started_at` already includes an order placed at `placed_at`.

    Held reservations (not yet in the WMS) never settle; placed ones only by a read that started at least
    `skew` after the WMS confirmed them.
    """
    return placed_at is not None and read_started_at >= placed_at + skew


def push_target(available_now: Decimal, stock_buffer: Decimal | int) -> Decimal:
    """The quantity a source is told it may sell: never negative, minus its safety buffer."""
    return max(Decimal(0), available_now - Decimal(stock_buffer))


async def lock_counters(conn: asyncpg.Connection, articles: Sequence[str]) -> None:
    """Create missing counter rows and lock them all in article order (call inside a transaction)."""
    if articles:
        await conn.execute(queries["lock_counters"], sorted(set(articles)))


async def refresh_targets(conn: asyncpg.Connection, articles: Sequence[str]) -> int:
    """New per-source targets for `articles` and push jobs for them, in the caller's transaction."""
    if not articles:
        return 0
    added: int = await conn.fetchval(queries["refresh_targets"], sorted(set(articles)))
    if added:
        await conn.execute(queries["notify"], STOCK_WAKE)
    return added


async def promote_covered(conn: asyncpg.Connection) -> int:
    """Orders held for stock that are now covered become due (their lane is woken); returns how many."""
    row = await conn.fetchrow(queries["promote_covered"])
    freed = int(row["freed"]) if row else 0
    if freed:
        log.info("ledger.shortage_covered", orders=freed)
    return freed


async def reserve_existing(
    conn: asyncpg.Connection,
    *,
    order_id: int,
    revision: int,
    source_id: int,
    line_numbers: Sequence[int],
    articles: Sequence[str],
    quantities: Sequence[Decimal],
) -> tuple[bool, bool]:
    """Reserve a replaced order's lines (its earlier reservations released first); returns (short, held).

    Runs in the caller's transaction, after the order's send job for this revision was enqueued.
    """
    previous = [r["article_number"] for r in await conn.fetch(queries["open_articles_of_order"], order_id)]
    await lock_counters(conn, [*previous, *articles])
    released = [r["article_number"] for r in await conn.fetch(queries["release_order_reservations"], order_id)]
    row = await conn.fetchrow(
        queries["reserve_lines"], order_id, revision, source_id, list(line_numbers), list(articles), list(quantities)
    )
    short, held = bool(row["short"]), bool(row["held"])
    await conn.execute(queries["mark_order_shortage"], order_id, short, held)
    await refresh_targets(conn, [*released, *(row["articles"] or [])])
    if released:
        await promote_covered(conn)  # a smaller replacement may cover orders waiting for stock
    if short:
        metrics.SHORT_ORDERS.labels("hold" if held else "send").inc()
    return short, held


async def release_order(conn: asyncpg.Connection, order_id: int) -> list[str]:
    """Release what a cancelled order still reserves and push the new figures; returns the articles."""
    articles = [r["article_number"] for r in await conn.fetch(queries["open_articles_of_order"], order_id)]
    if not articles:
        return []
    await lock_counters(conn, articles)
    released = [r["article_number"] for r in await conn.fetch(queries["release_order_reservations"], order_id)]
    await refresh_targets(conn, released)
    await promote_covered(conn)
    log.info("ledger.released", order_id=order_id, articles=released)
    return released


async def reserve_again(conn: asyncpg.Connection, order_id: int) -> tuple[bool, bool]:
    """Reserve a replayed order's current lines anew (its dead letter released them); returns (short, held)."""
    row = await conn.fetchrow(queries["order_lines_to_reserve"], order_id)
    if row is None:
        return False, False
    return await reserve_existing(
        conn,
        order_id=order_id,
        revision=row["revision"],
        source_id=row["source_id"],
        line_numbers=row["line_numbers"],
        articles=row["articles"],
        quantities=row["quantities"],
    )


async def place_order(conn: asyncpg.Connection, order_id: int) -> None:
    """The WMS confirmed the order: held becomes placed (available unchanged), in the caller's transaction."""
    articles = [r["article_number"] for r in await conn.fetch(queries["open_articles_of_order"], order_id)]
    await lock_counters(conn, articles)
    await conn.execute(queries["place_order_reservations"], order_id)


async def apply_snapshot(
    pool: asyncpg.Pool,
    lines: Sequence[StockLine],
    *,
    read_started_at: dt.datetime,
    kind: str,
    skew: float,
) -> list[str]:
    """Apply a WMS stock read that started at `read_started_at`; returns the articles whose available changed.

    Settles every placed reservation the read includes, recomputes available, queues pushes of the new
    targets, and makes orders held for stock due when they are now covered — one transaction.
    """
    latest: dict[str, StockLine] = {line[0]: line for line in lines}
    if not latest:
        return []
    articles = sorted(latest)
    async with transaction(pool) as conn:
        await lock_counters(conn, articles)
        rows = await conn.fetch(
            queries["apply_snapshot"],
            articles,
            [latest[a][1] for a in articles],
            [latest[a][2] for a in articles],
            read_started_at,
            kind,
            skew,
        )
        changed = [r["article_number"] for r in rows if r["changed"]]
        await refresh_targets(conn, changed)
        await promote_covered(conn)
    metrics.STOCK_SNAPSHOTS.labels(kind).inc()
    log.info("ledger.snapshot_applied", kind=kind, articles=len(articles), changed=len(changed))
    return changed


async def seed_source(pool: asyncpg.Pool, source_id: int) -> int:
    """Give a newly registered or re-enabled source every known article's figure; returns push jobs queued."""
    with wrap_db_errors():
        queued: int = await pool.fetchval(queries["seed_source_targets"], source_id)
    return queued


async def db_clock(pool: asyncpg.Pool) -> dt.datetime:
    """The database's current time (the ledger's only clock)."""
    with wrap_db_errors():
        now: dt.datetime = await pool.fetchval(queries["db_clock"])
    return now
