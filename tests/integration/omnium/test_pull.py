from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from typing import Any

import pytest

from connectors.omnium import OmniumConnector
from router.domain import CanonicalOrder
from router.errors import RetriableUpstreamError
from simulators.omnium import ManualClock, OmniumSimulator, RateLimits


def seed(sim: OmniumSimulator, kit: Any, n: int) -> set[str]:
    """n orders, three sharing each modified minute, two shipments each; returns the expected payload ids."""
    for i in range(n):
        sim.add_order(kit.order(f"O{i:04d}", minute=i // 3))
    return {f"O{i:04d}/{s}" for i in range(n) for s in ("1", "2")}


def searches(sim: OmniumSimulator) -> list[Any]:
    return [r for r in sim.requests if r.path == "/api/Orders/Search"]


async def test_pull_with_overlap_and_duplicates_returns_each_order_version_once(
    sim: OmniumSimulator, make_connector: Any, kit: Any
) -> None:
    connector = make_connector(page_size=10, overlap_seconds=300)
    expected = seed(sim, kit, 95)
    items, cursor = await kit.pull_all(connector, None)
    ids = [p.external_id.partition("@")[0] for p in items]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    assert all(isinstance(connector.normalize(p.body, p.headers), CanonicalOrder) for p in items)

    # nothing changed: the next cycle reads the overlap window again and returns nothing
    before = len(searches(sim))
    again, cursor = await kit.pull_all(connector, cursor)
    assert again == []
    newest = max(o.modified for o in sim.orders() if o.modified is not None)
    first_query = searches(sim)[before].body
    assert first_query["modifiedFrom"] == (newest - dt.timedelta(seconds=300)).isoformat().replace("+00:00", "Z")
    assert first_query["sortOrder"] == "ModifiedAscending"

    # an order indexed late, with a modified time inside the overlap window, is still found, once
    sim.add_order(kit.order("LATE", minute=(newest - kit.t0).total_seconds() / 60 - 2))
    late, cursor = await kit.pull_all(connector, cursor)
    assert [p.external_id.partition("@")[0] for p in late] == ["LATE/1", "LATE/2"]

    # a changed order comes back as its new version, once
    await sim_patch(sim, "O0007")
    changed, cursor = await kit.pull_all(connector, cursor)
    assert [p.external_id.partition("@")[0] for p in changed] == ["O0007/1", "O0007/2"]
    final, _ = await kit.pull_all(connector, cursor)
    assert final == []


async def sim_patch(sim: OmniumSimulator, order_id: str) -> None:
    from simulators.omnium import orders as rules
    from simulators.omnium.wire import OrderPatch, Property

    patch = OrderPatch(properties=[Property(key="touched", value="yes")])
    sim.state.change_order(order_id, lambda o, now: rules.apply_patch(o, patch, now), origin="PATCH test")


async def test_pull_skips_orders_not_in_the_import_statuses(
    sim: OmniumSimulator, connector: OmniumConnector, kit: Any
) -> None:
    sim.add_order(kit.order("NEW", minute=1))
    sim.add_order(kit.order("DONE", minute=2, status="Completed"))
    items, _ = await kit.pull_all(connector, None)
    assert {p.external_id.partition("@")[0] for p in items} == {"NEW/1", "NEW/2"}
    assert searches(sim)[0].body["selectedStatuses"] == ["New", "InProgress", "OrderCanceled"]


async def test_token_expiry_and_429_storms_lose_nothing_duplicate_nothing_and_honour_retry_after(
    sim: OmniumSimulator, make_connector: Any, kit: Any, clock: ManualClock
) -> None:
    connector = make_connector(page_size=10)
    expected = seed(sim, kit, 60)
    sim.throttle_next(3, retry_after=2)
    cursor = None
    items = []
    for step in range(100):
        page = await connector.pull(cursor)
        items.extend(page.items)
        cursor = page.cursor
        if step == 1:
            sim.expire_tokens()
        if step == 3:
            sim.throttle_next(2, retry_after=5)
        if not page.more:
            break
    ids = [p.external_id.partition("@")[0] for p in items]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected

    api = [r for r in sim.requests if r.path != "/api/Token"]
    refused = [r for r in api if r.status == 429]
    assert [r.retry_after for r in refused] == [2, 2, 2, 5, 5]
    assert not any(r.early for r in api), "a request arrived before its Retry-After had passed"
    for before, after in itertools.pairwise(api):
        if before.status == 429:
            assert after.at - before.at >= dt.timedelta(seconds=before.retry_after)
    assert [r.status for r in api].count(401) == 1
    assert [r.path for r in sim.requests].count("/api/Token") == 2
    assert clock.slept == [2, 2, 2, 5, 5]


async def test_a_retry_after_beyond_the_limit_goes_to_the_router(
    sim: OmniumSimulator, make_connector: Any, kit: Any, clock: ManualClock
) -> None:
    connector = make_connector(max_retry_after_seconds=30)
    seed(sim, kit, 1)
    sim.throttle_next(1, retry_after=120)
    with pytest.raises(RetriableUpstreamError) as raised:
        await connector.pull(None)
    assert raised.value.retry_after == 120
    assert clock.slept == []
    assert len(searches(sim)) == 1


async def test_concurrent_calls_stay_within_the_concurrency_limit(
    sim: OmniumSimulator, make_connector: Any, kit: Any
) -> None:
    sim.set_limits(RateLimits(concurrency=3))
    sim.set_latency(0.05)
    for i in range(12):
        sim.add_order(kit.order(f"C{i}", shipments=1))
    connector = make_connector(max_concurrency=3)
    fetched = await asyncio.gather(*(connector.fetch_order(f"C{i}") for i in range(12)))
    assert sorted(p.external_id.partition("@")[0] for found in fetched for p in found) == sorted(
        f"C{i}/1" for i in range(12)
    )
    assert not [r for r in sim.requests if r.status == 429]
    assert sim.limiter.max_in_flight == 3


async def test_fetch_order_returns_one_payload_per_shipment(
    sim: OmniumSimulator, connector: OmniumConnector, kit: Any
) -> None:
    sim.add_order(kit.order("1001"))
    payloads = await connector.fetch_order("1001")
    orders = [connector.normalize(p.body, p.headers) for p in payloads]
    assert [o.order_number for o in orders if isinstance(o, CanonicalOrder)] == ["1001-1", "1001-2"]


async def test_transient_read_failures_are_retried_in_process(
    sim: OmniumSimulator, connector: OmniumConnector, kit: Any, clock: ManualClock
) -> None:
    sim.add_order(kit.order("1001"))
    sim.fail_next(2, status=503, path="/api/Orders/1001")
    payloads = await connector.fetch_order("1001")
    assert len(payloads) == 2
    assert [r.status for r in sim.requests if r.path == "/api/Orders/1001"] == [503, 503, 200]
    assert len(clock.slept) == 2
