"""The ledger under random reserve/place/snapshot/cancel sequences, on real PostgreSQL, against a model WMS.

The model WMS nets an order from the moment it exists (as Ongoing's SellableNumberOfItems does). A stock
read starts at some recorded moment and answers with the WMS's state at that moment or any later one. The
true figure is the WMS's sellable now minus what accepted orders take that the WMS does not yet hold.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from router import ledger
from router.crypto import CredentialBox
from router.db import create_pool, transaction
from router.domain import Source
from router.ingest import Ingestor
from router.store.sources import SourceStore
from router.testing import order_json

ARTICLES = ("P-1", "P-2")

orders = st.tuples(st.just("order"), st.sampled_from(ARTICLES), st.integers(min_value=1, max_value=3))
places = st.tuples(st.just("place"), st.integers(min_value=0, max_value=20))
cancels = st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=20))
snapshots = st.tuples(
    st.just("snapshot"),
    st.integers(min_value=0, max_value=6),  # how many steps back the read started
    st.integers(min_value=0, max_value=6),  # how many steps back (not before its start) its answer was taken
    st.sets(st.sampled_from(ARTICLES), min_size=1),
)
# Goods received only: a loss in the warehouse is something no ledger can know before the next read.
receipts = st.tuples(st.just("receive"), st.sampled_from(ARTICLES), st.integers(min_value=1, max_value=4))
steps = st.lists(st.one_of(orders, orders, places, places, snapshots, snapshots, cancels, receipts), max_size=14)


@dataclass
class ModelOrder:
    order_id: int
    article: str
    quantity: int
    state: str = "held"  # held | in_wms | cancelled


@dataclass
class Model:
    """The WMS as the ledger must believe it: stock netted by every order that exists there."""

    base: dict[str, int]
    orders: list[ModelOrder] = field(default_factory=list)
    clocks: list[dt.datetime] = field(default_factory=list)
    history: list[dict[str, int]] = field(default_factory=list)

    def sellable(self, article: str) -> int:
        netted = sum(o.quantity for o in self.orders if o.article == article and o.state == "in_wms")
        return self.base[article] - netted

    def held(self, article: str) -> int:
        return sum(o.quantity for o in self.orders if o.article == article and o.state == "held")

    def true_available(self, article: str) -> int:
        return self.sellable(article) - self.held(article)

    def state(self) -> dict[str, int]:
        return {a: self.sellable(a) for a in ARTICLES}


@pytest.fixture
async def pool(db_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(db_dsn, min_size=1, max_size=4)
    yield pool
    await pool.close()


async def reset(pool: asyncpg.Pool) -> Source:
    """Empty every table (one database serves all examples) and register the one selling source again."""
    tables = [
        r["tablename"]
        for r in await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        if r["tablename"] != "alembic_version"
    ]
    quoted = ", ".join(f'"{t}"' for t in tables)
    await pool.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    store = SourceStore(pool, CredentialBox(Fernet.generate_key().decode()))
    source, _ = await store.create(
        name="shop",
        kind="generic",
        suffix="SH",
        order_type="B2C",
        is_article_master=False,
        settings={},
        credentials=None,
    )
    return source


async def counters(pool: asyncpg.Pool) -> dict[str, asyncpg.Record]:
    rows = await pool.fetch("SELECT * FROM stock_counters")
    return {r["article_number"]: r for r in rows}


async def check(pool: asyncpg.Pool, model: Model, *, exact: set[str]) -> None:
    """Available never above the truth; exactly the truth for articles a fresh read just covered."""
    rows = await counters(pool)
    sums = {
        (r["article_number"], r["state"]): r["quantity"]
        for r in await pool.fetch(
            "SELECT article_number, state, sum(quantity) AS quantity FROM reservations GROUP BY 1, 2"
        )
    }
    for article, row in rows.items():
        # The counter row is the sum of its open reservations: nothing counted twice or lost in between.
        assert row["held"] == sums.get((article, "held"), 0), (article, dict(row), sums)
        assert row["placed"] == sums.get((article, "placed"), 0), (article, dict(row), sums)
        truth = model.true_available(article)
        assert row["available"] <= truth, f"{article}: ledger says {row['available']}, truly {truth}; {model}"
        if article in exact:
            assert row["available"] == truth, f"{article}: double-counted: {row['available']} vs {truth}; {model}"


async def run_step(
    pool: asyncpg.Pool, ingestor: Ingestor, source: Source, model: Model, step: tuple[Any, ...]
) -> set[str]:
    """Apply one step to the router and the model; returns the articles a fresh read just covered."""
    model.clocks.append(await ledger.db_clock(pool))
    model.history.append(model.state())
    match step:
        case ("order", article, quantity):
            body = json.dumps(order_json(f"o{len(model.orders)}", article=article, quantity=quantity)).encode()
            result = await ingestor.receive(source, channel="orders", headers={}, body=body)
            assert result.order_id is not None, result
            model.orders.append(ModelOrder(result.order_id, article, quantity))
        case ("place", index):
            held = [o for o in model.orders if o.state == "held"]
            if held:
                order = held[index % len(held)]
                order.state = "in_wms"  # the WMS holds it (and nets it) before the router records the confirmation
                async with transaction(pool) as conn:
                    await ledger.place_order(conn, order.order_id)
        case ("cancel", index):
            live = [o for o in model.orders if o.state != "cancelled"]
            if live:
                order = live[index % len(live)]
                order.state = "cancelled"  # removed from the WMS (if it was there) before the release
                async with transaction(pool) as conn:
                    await ledger.release_order(conn, order.order_id)
        case ("receive", article, quantity):
            model.base[article] += quantity
        case ("snapshot", started_back, answered_back, articles):
            last = len(model.clocks) - 1
            start = max(0, last - started_back)
            answer = max(start, last - answered_back)
            lines = [(a, Decimal(model.history[answer][a]), None) for a in sorted(articles)]
            await ledger.apply_snapshot(pool, lines, read_started_at=model.clocks[start], kind="test", skew=0)
            if start == answer == last:
                return set(articles)
        case _:
            raise AssertionError(step)
    return set()


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    stock=st.fixed_dictionaries({a: st.integers(min_value=0, max_value=6) for a in ARTICLES}),
    sequence=steps,
)
async def test_available_never_exceeds_the_truth_and_nothing_is_double_counted(
    pool: asyncpg.Pool, stock: dict[str, int], sequence: list[tuple[Any, ...]]
) -> None:
    source = await reset(pool)
    ingestor = Ingestor(pool, wms_lane="wms:GO1")
    model = Model(base=dict(stock))
    for step in sequence:
        exact = await run_step(pool, ingestor, source, model, step)
        await check(pool, model, exact=exact)
    # A read that starts after everything and answers at once: the ledger equals the WMS minus what it lacks.
    exact = await run_step(pool, ingestor, source, model, ("snapshot", 0, 0, set(ARTICLES)))
    await check(pool, model, exact=exact)
    rows = await counters(pool)
    for article in ARTICLES:
        assert rows[article]["available"] == model.true_available(article)
