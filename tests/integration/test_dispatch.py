from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest

from router.settings import WmsSettings
from router.testing import make_settings, running_router
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually

USER, PASSWORD, GOODS_OWNER = "WSI-router", "wms-password", "GO1"


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        for article in ("A-1", "A-2"):
            sim.add_article(article, stock=100)
        yield sim


def wms_settings(sim: OngoingWmsSimulator, **changes: Any) -> WmsSettings:
    fields: dict[str, Any] = {
        "url": sim.url,
        "username": USER,
        "password": PASSWORD,
        "goods_owner_code": GOODS_OWNER,
        "timeout": 2.0,
        "strict_xml": True,
    }
    fields.update(changes)
    return WmsSettings(**fields)


@pytest.fixture
async def routed(db_dsn: str, wms: OngoingWmsSimulator) -> AsyncIterator[Any]:
    async with running_router(make_settings(db_dsn, wms=wms_settings(wms))) as r:
        yield r


def process_orders(sim: OngoingWmsSimulator, number: str) -> list[Any]:
    """ProcessOrder calls for `number`; calls the simulator failed before parsing carry no number and count too
    (the tests using faults send one order only)."""
    return [r for r in sim.requests if r.operation == "ProcessOrder" and r.fields.get("number") in (number, None)]


async def wait_in_wms(router: Any, key: str, source: str, number: str) -> dict[str, Any]:
    async with router.client(key) as client:

        async def placed() -> dict[str, Any] | None:
            body: dict[str, Any] = (await client.get(f"/api/sources/{source}/orders/{number}")).json()["order"]
            return body if body["state"] in {"in_wms", "dead_letter", "conflict"} else None

        return await eventually(placed, what=f"order {number} of {source} to leave the queue")


async def test_three_sources_same_number_become_three_suffixed_orders(
    routed: Any, wms: OngoingWmsSimulator, make_order: Any
) -> None:
    keys = {
        "se": await routed.add_source("se", "SE", "B2C"),
        "eu": await routed.add_source("eu", "EU", "B2C"),
        "erp": await routed.add_source("erp", "ERP", "B2B"),
    }
    for name, key in keys.items():
        async with routed.client(key) as client:
            assert (await client.post(f"/api/sources/{name}/orders", json=make_order("5178"))).status_code == 202
    statuses = {name: await wait_in_wms(routed, key, name, "5178") for name, key in keys.items()}

    held = {o.number: o for o in wms.orders()}
    assert set(held) == {"5178-SE", "5178-EU", "5178-ERP"}
    assert {n: o.order_type for n, o in held.items()} == {"5178-SE": "B2C", "5178-EU": "B2C", "5178-ERP": "B2B"}
    for status in statuses.values():
        assert status["state"] == "in_wms"
        assert status["wms_order_id"] == held[status["wms_order_number"]].order_id
    order = held["5178-SE"]
    assert order.consignee.name == "Anna Svensson"
    assert order.consignee.city == "Stockholm"
    assert [(line.code, line.article_number, line.ordered) for line in order.lines] == [("1", "A-1", 1)]


async def push(router: Any, key: str, source: str, body: dict[str, Any]) -> None:
    async with router.client(key) as client:
        response = await client.post(f"/api/sources/{source}/orders", json=body)
    assert response.status_code == 202, response.text


async def test_wms_500s_are_retried_until_the_order_is_in(
    routed: Any, wms: OngoingWmsSimulator, make_order: Any
) -> None:
    key = await routed.add_source("se", "SE")
    wms.faults.fail_next(3, status=500, operation="ProcessOrder")
    await push(routed, key, "se", make_order("1"))
    status = await wait_in_wms(routed, key, "se", "1")
    assert status["state"] == "in_wms"
    assert status["attempts"] == 4
    assert [o.number for o in wms.orders()] == ["1-SE"]
    assert [r.committed for r in process_orders(wms, "1-SE")] == [False, False, False, True]


async def test_commit_then_timeout_is_read_back_not_posted_again(
    routed: Any, wms: OngoingWmsSimulator, make_order: Any
) -> None:
    key = await routed.add_source("se", "SE")
    wms.faults.commit_then_timeout(1, delay=4.0, operation="ProcessOrder")  # router's timeout is 2 s
    await push(routed, key, "se", make_order("2"))
    status = await wait_in_wms(routed, key, "se", "2")

    assert [o.number for o in wms.orders()] == ["2-SE"]
    posts = process_orders(wms, "2-SE")
    assert len(posts) == 1  # never posted twice
    assert posts[0].committed
    reads = [r for r in wms.requests if r.operation == "GetOrdersByQuery" and r.at > posts[0].at]
    assert reads, "the retry must ask the WMS before posting again"
    assert status["wms_order_id"] == wms.order("2-SE").order_id  # type: ignore[union-attr]


async def test_a_dropped_connection_is_read_back_then_posted(
    routed: Any, wms: OngoingWmsSimulator, make_order: Any
) -> None:
    key = await routed.add_source("se", "SE")
    wms.faults.drop_next(1, operation="ProcessOrder")
    await push(routed, key, "se", make_order("3"))
    status = await wait_in_wms(routed, key, "se", "3")
    assert status["state"] == "in_wms"
    assert [o.number for o in wms.orders()] == ["3-SE"]
    assert [r.committed for r in process_orders(wms, "3-SE")] == [False, True]


async def test_a_permanent_rejection_is_a_dead_letter_at_once_and_replayable(
    db_dsn: str, wms: OngoingWmsSimulator, make_order: Any, db: asyncpg.Pool
) -> None:
    # An unknown article is the WMS's permanent refusal here; by default such orders wait for the article.
    settings = make_settings(db_dsn, wms=wms_settings(wms, unknown_article="dead_letter"))
    async with running_router(settings) as routed:
        key = await routed.add_source("se", "SE")
        await push(routed, key, "se", make_order("4", article="NEW-9"))
        status = await wait_in_wms(routed, key, "se", "4")
        assert status["state"] == "dead_letter"
        assert status["attempts"] == 1
        assert "NEW-9" in status["last_error"]

        dead = (await routed.admin.get("/api/dead-letters")).json()["items"]
        assert [(d["wms_order_number"], d["source"], d["kind"]) for d in dead] == [("4-SE", "se", "order.send")]
        assert "NEW-9" in dead[0]["last_error"]
        assert wms.orders() == []

        wms.add_article("NEW-9", stock=5)
        replay = await routed.admin.post(f"/api/dead-letters/{dead[0]['id']}/replay")
        assert replay.status_code == 202
        async with routed.client(key) as client:
            await eventually(lambda: client_state(client, "4", "in_wms"), what="replayed order in the WMS")
        assert [o.number for o in wms.orders()] == ["4-SE"]
        assert (await routed.admin.get("/api/dead-letters")).json()["items"] == []
        again = await routed.admin.post(f"/api/dead-letters/{dead[0]['id']}/replay")
        assert again.status_code == 409


async def client_state(client: Any, number: str, state: str) -> bool:
    return bool((await client.get(f"/api/sources/se/orders/{number}")).json()["order"]["state"] == state)


async def test_transient_faults_end_in_a_dead_letter_after_the_bound(
    db_dsn: str, wms: OngoingWmsSimulator, make_order: Any
) -> None:
    wms.faults.fail_next(50, status=503, operation="ProcessOrder")
    async with running_router(make_settings(db_dsn, wms=wms_settings(wms), max_attempts=3)) as r:
        key = await r.add_source("se", "SE")
        await push(r, key, "se", make_order("5"))
        status = await wait_in_wms(r, key, "se", "5")
    assert status["state"] == "dead_letter"
    assert status["attempts"] == 3
    assert len(process_orders(wms, "5-SE")) == 3
    assert wms.orders() == []


async def test_an_update_before_picking_changes_the_wms_order_after_picking_is_a_conflict(
    routed: Any, wms: OngoingWmsSimulator, make_order: Any
) -> None:
    key = await routed.add_source("se", "SE")
    await push(routed, key, "se", make_order("6", quantity=1))
    first = await wait_in_wms(routed, key, "se", "6")
    await push(routed, key, "se", make_order("6", quantity=2))
    async with routed.client(key) as client:
        await eventually(
            lambda: wms.order("6-SE") is not None and wms.order("6-SE").lines[0].ordered == 2,  # type: ignore[union-attr]
            what="the update in the WMS",
        )
        assert wms.order("6-SE").order_id == first["wms_order_id"]  # type: ignore[union-attr]

        wms.set_status("6-SE", 400)
        await push(routed, key, "se", make_order("6", quantity=5))
        conflict = await eventually(lambda: client_state(client, "6", "conflict"), what="a conflict")
        assert conflict
        body = (await client.get("/api/sources/se/orders/6")).json()["order"]
    assert "too late" in body["last_error"]
    assert wms.order("6-SE").lines[0].ordered == 2  # type: ignore[union-attr]
    assert len(wms.orders()) == 1


async def test_two_router_processes_dispatch_each_order_once_through_one_lane(
    db_dsn: str, wms: OngoingWmsSimulator, make_order: Any, db: asyncpg.Pool
) -> None:
    wms.faults.latency = 0.01
    settings = make_settings(db_dsn, wms=wms_settings(wms))
    async with running_router(settings) as a, running_router(settings) as b:
        keys = {"se": await a.add_source("se", "SE"), "eu": await a.add_source("eu", "EU")}
        for n in range(20):
            for name, key in keys.items():
                await push(a if n % 2 else b, key, name, make_order(str(7000 + n)))
        await eventually(lambda: len(wms.orders()) == 40, timeout=30, what="40 orders in the WMS")
        holders = await db.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 7411 AND granted"
        )
    numbers = [o.number for o in wms.orders()]
    assert len(numbers) == len(set(numbers)) == 40
    assert all(len(process_orders(wms, n)) == 1 for n in numbers)
    assert holders == 1
