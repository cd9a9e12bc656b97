"""The reservation ledger against real PostgreSQL and the Ongoing simulator over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import anyio
import asyncpg
import pytest

from router import ledger
from router.settings import FanbackSettings, LedgerSettings, Settings, WmsSettings
from router.sql import queries
from router.stockpush import StockPushWorker
from router.stocksync import StockSync, stock_lines
from router.testing import RouterUnderTest, make_settings, order_json, running_router
from simulators.callback import CallbackReceiver
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually

USER, PASSWORD, GOODS_OWNER = "WSI-ledger", "wms-password", "GO1"
SECRETS = {"se": "se-secret", "eu": "eu-secret", "no": "no-secret"}
HOT = "HOT-1"
HOOK_SECRET = "wms-hook-secret"


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        sim.add_article(HOT, stock=10)
        yield sim


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver(SECRETS) as rx:
        yield rx


def ledger_settings(db_dsn: str, sim: OngoingWmsSimulator) -> Settings:
    wms = WmsSettings(
        url=sim.url, username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER, timeout=5.0, strict_xml=True
    )
    # The lane reads stock once when it starts; the tests trigger every later read themselves.
    sync = LedgerSettings(sync_enabled=True, full_sync_seconds=3600, delta_sync_seconds=3600, settle_skew_seconds=0)
    fanback = FanbackSettings(webhook_secret=HOOK_SECRET)
    return dataclasses.replace(make_settings(db_dsn, wms=wms), ledger=sync, fanback=fanback)


@pytest.fixture
async def routed(db_dsn: str, wms: OngoingWmsSimulator) -> AsyncIterator[RouterUnderTest]:
    async with running_router(ledger_settings(db_dsn, wms)) as r:
        await eventually(lambda: known(r), what="the first stock read applied")
        yield r


async def known(router: RouterUnderTest) -> bool:
    response = await router.admin.get(f"/api/stock/{HOT}")
    return response.status_code == 200 and bool(response.json()["known"])


async def stock(router: RouterUnderTest) -> dict[str, Any]:
    body: dict[str, Any] = (await router.admin.get(f"/api/stock/{HOT}")).json()
    return body


async def add_sources(router: RouterUnderTest, receiver: CallbackReceiver, *names: str, **extra: Any) -> dict[str, str]:
    return {
        name: await router.add_source(
            name,
            name.upper(),
            settings={"callback_url": receiver.url_for(name), **extra},
            credentials={"callback_secret": SECRETS[name]},
        )
        for name in names
    }


def sync_of(router: RouterUnderTest) -> StockSync:
    assert router.rt.wms is not None
    return StockSync(router.rt.pool, router.rt.wms, router.rt.settings.ledger)


async def order_state(router: RouterUnderTest, key: str, source: str, number: str) -> dict[str, Any]:
    async with router.client(key) as client:
        body: dict[str, Any] = (await client.get(f"/api/sources/{source}/orders/{number}")).json()["order"]
        return body


def last_told(receiver: CallbackReceiver, source: str) -> tuple[int, Decimal] | None:
    """The newest (version, value) a source received for HOT, by version."""
    seen = [
        (int(t["version"]), Decimal(str(t["available"])))
        for d in receiver.deliveries(source, "stock")
        for t in d.body["targets"]
        if t["article_number"] == HOT
    ]
    return max(seen) if seen else None


async def test_sixty_concurrent_orders_for_ten_units_leave_exactly_ten_not_short(
    routed: RouterUnderTest, receiver: CallbackReceiver, db: asyncpg.Pool
) -> None:
    keys = await add_sources(routed, receiver, "se", "eu", "no")
    assert (await stock(routed))["available"] == 10
    statuses: list[int] = []

    async def push(name: str, n: int) -> None:
        async with routed.client(keys[name]) as client:
            response = await client.post(f"/api/sources/{name}/orders", json=order_json(f"{n}", article=HOT))
            statuses.append(response.status_code)

    async with anyio.create_task_group() as tg:
        for n in range(60):
            tg.start_soon(push, ("se", "eu", "no")[n % 3], n)

    assert statuses == [202] * 60
    assert await db.fetchval("SELECT count(*) FROM orders WHERE NOT short") == 10
    assert await db.fetchval("SELECT count(*) FROM orders WHERE short") == 50
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE NOT short") == 10
    # Each order saw a different figure: the counter row serialised them.
    befores = [r[0] for r in await db.fetch("SELECT available_before FROM reservations ORDER BY id")]
    assert sorted(befores, reverse=True) == [Decimal(10 - i) for i in range(60)]
    figures = await stock(routed)
    assert figures["available"] == -50
    assert len(figures["shortages"]) == 20
    # Every source ends up told 0, the newest version.
    for name in keys:
        await eventually(lambda name=name: (last_told(receiver, name) or (0, None))[1] == 0, what=f"{name} told 0")
    forensics = (await stock(routed))["shortages"][-1]
    assert forensics["last_unit_wms_order_number"] is not None
    assert forensics["read_age_seconds"] is not None


async def test_held_shortages_wait_for_stock_and_then_go_to_the_wms(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver, db: asyncpg.Pool
) -> None:
    wms.adjust_stock(HOT, -8, cause="counted")  # 2 left
    await sync_of(routed).full()
    keys = await add_sources(routed, receiver, "se", shortage_policy="hold")
    async with routed.client(keys["se"]) as client:
        for n in ("1", "2", "3"):
            assert (await client.post("/api/sources/se/orders", json=order_json(n, article=HOT))).status_code == 202
    for n in ("1", "2"):
        await eventually(lambda n=n: wms.order(f"{n}-SE") is not None and order_placed(db, n), what=f"{n} in the WMS")
    held = await order_state(routed, keys["se"], "se", "3")
    assert (held["state"], await db.fetchval("SELECT shortage_held FROM orders WHERE source_order_number = '3'")) == (
        "received",
        True,
    )
    await sync_of(routed).full()  # nothing came in: still not covered
    assert (await order_state(routed, keys["se"], "se", "3"))["state"] == "received"
    assert wms.order("3-SE") is None
    assert not [r for r in wms.requests if r.operation == "ProcessOrder" and r.fields.get("number") == "3-SE"]

    wms.adjust_stock(HOT, 5, cause="received")
    await sync_of(routed).full()
    await eventually(lambda: wms.order("3-SE") is not None, what="the held order sent once covered")
    await eventually(lambda: order_placed(db, "3"), what="3 placed")


async def test_a_replacement_taking_less_releases_stock_to_an_order_held_for_it(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver, db: asyncpg.Pool
) -> None:
    keys = await add_sources(routed, receiver, "se", shortage_policy="hold")
    async with routed.client(keys["se"]) as client:
        body = order_json("20", article=HOT, quantity=8)
        assert (await client.post("/api/sources/se/orders", json=body)).status_code == 202
        await eventually(lambda: order_placed(db, "20"), what="20 placed")
        assert (await client.post("/api/sources/se/orders", json=order_json("21", article=HOT, quantity=5))).json()[
            "outcome"
        ] == "created"
        assert (await order_state(routed, keys["se"], "se", "21"))["state"] == "received"  # 2 left: held
        smaller = order_json("20", article=HOT, quantity=2)
        assert (await client.post("/api/sources/se/orders", json=smaller)).json()["outcome"] == "replaced"
    await eventually(lambda: wms.order("21-SE") is not None, what="the held order sent once the other shrank")
    await eventually(
        lambda: [ln.ordered for ln in wms.order("20-SE").lines] == [2],  # type: ignore[union-attr]
        what="the smaller order updated in the WMS",
    )
    assert (await stock(routed))["available"] == 10 - 2 - 5


async def order_placed(db: asyncpg.Pool, number: str) -> bool:
    state = await db.fetchval(
        "SELECT r.state FROM reservations r JOIN orders o ON o.id = r.order_id"
        " WHERE o.source_order_number = $1 AND r.state <> 'released'",
        number,
    )
    return bool(state == "placed")


async def test_a_read_started_before_placing_does_not_settle_a_later_one_does(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver, db: asyncpg.Pool
) -> None:
    keys = await add_sources(routed, receiver, "se")
    early = await ledger.db_clock(routed.rt.pool)  # a read that starts now ...
    async with routed.client(keys["se"]) as client:
        body = order_json("7", article=HOT, quantity=3)
        assert (await client.post("/api/sources/se/orders", json=body)).status_code == 202
    await eventually(lambda: order_placed(db, "7"), what="7 placed")
    assert wms.inventory(HOT).sellable == 7
    # ... and whose answer already includes the order (the WMS nets it at once) must not settle it.
    assert routed.rt.wms is not None
    lines = stock_lines(await routed.rt.wms.get_inventory(article_numbers=[HOT]))
    await ledger.apply_snapshot(routed.rt.pool, lines, read_started_at=early, kind="test", skew=0)
    figures = await stock(routed)
    assert [r["state"] for r in figures["reservations"]] == ["placed"]
    assert figures["available"] == 4  # counted twice: errs low, never high

    await sync_of(routed).full()  # started after placing
    figures = await stock(routed)
    assert figures["reservations"] == []
    assert figures["available"] == wms.inventory(HOT).sellable == 7
    assert await db.fetchval("SELECT state FROM reservations") == "settled"
    await eventually(lambda: (last_told(receiver, "se") or (0, None))[1] == 7, what="se told 7")


async def test_cancel_before_picking_releases_and_pushes_the_new_figure(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver, db: asyncpg.Pool
) -> None:
    keys = await add_sources(routed, receiver, "se", "eu", stock_buffer=1)
    async with routed.client(keys["se"]) as client:
        assert (
            await client.post("/api/sources/se/orders", json=order_json("8", article=HOT, quantity=4))
        ).status_code == 202
        await eventually(lambda: order_placed(db, "8"), what="8 placed")
        for name in keys:
            await eventually(lambda name=name: (last_told(receiver, name) or (0, None))[1] == 5, what="told 10-4-1")
        assert (await client.post("/api/sources/se/orders/8/cancel")).status_code == 202
    await eventually(lambda: receiver.deliveries("se", "cancelled"), what="cancelled")
    assert wms.order("8-SE").status == 1000  # type: ignore[union-attr]
    assert await db.fetchval("SELECT state FROM reservations") == "released"
    assert (await stock(routed))["available"] == 10
    for name in keys:
        await eventually(lambda name=name: (last_told(receiver, name) or (0, None))[1] == 9, what="told 10-1 again")


async def test_a_dead_lettered_order_gives_its_stock_back_and_a_replay_takes_it_again(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver, db: asyncpg.Pool
) -> None:
    keys = await add_sources(routed, receiver, "se")
    wms.faults.fail_next(1, status=400, operation="ProcessOrder")  # the WMS refuses it: permanent
    async with routed.client(keys["se"]) as client:
        assert (
            await client.post("/api/sources/se/orders", json=order_json("9", article=HOT, quantity=4))
        ).status_code == 202
    await eventually(lambda: order_is(db, "9", "dead_letter"), what="9 dead-lettered")
    assert await db.fetchval("SELECT state FROM reservations") == "released"
    figures = await stock(routed)
    assert (figures["available"], figures["reservations"]) == (10, [])
    assert wms.order("9-SE") is None
    await eventually(lambda: (last_told(receiver, "se") or (0, None))[1] == 10, what="se told all 10 again")

    dead = (await routed.admin.get("/api/dead-letters")).json()["items"]
    assert (await routed.admin.post(f"/api/dead-letters/{dead[0]['id']}/replay")).status_code == 202
    await eventually(lambda: order_placed(db, "9"), what="the replayed order reserved again and placed")
    assert (await stock(routed))["available"] == 6
    assert wms.order("9-SE") is not None
    history = await db.fetch("SELECT state FROM reservations ORDER BY id")
    assert [r["state"] for r in history] == ["released", "placed"]  # the first reservation stays as history
    await eventually(lambda: (last_told(receiver, "se") or (0, None))[1] == 6, what="se told 6")


async def test_an_order_cancelled_in_the_warehouse_before_its_answer_arrived_gives_its_stock_back(
    db_dsn: str, wms: OngoingWmsSimulator, receiver: CallbackReceiver, db: asyncpg.Pool
) -> None:
    base = ledger_settings(db_dsn, wms)
    settings = dataclasses.replace(
        base,
        wms=dataclasses.replace(base.wms, timeout=1.0),
        outbox=dataclasses.replace(base.outbox, backoff_base=3, backoff_cap=3),
    )
    async with running_router(settings) as router:
        await eventually(lambda: known(router), what="the first stock read applied")
        keys = await add_sources(router, receiver, "se")
        wms.webhooks.configure(f"{router.url}/hooks/wms", headers={"X-Webhook-Secret": HOOK_SECRET}, inventory=False)
        wms.faults.commit_then_timeout(1, delay=2, operation="ProcessOrder")  # stored, the answer lost
        async with router.client(keys["se"]) as client:
            body = order_json("30", article=HOT, quantity=2)
            assert (await client.post("/api/sources/se/orders", json=body)).status_code == 202
        await eventually(lambda: wms.order("30-SE") is not None, what="30 stored in the WMS")
        wms.cancel("30-SE")  # the warehouse cancels it before the router learnt its OrderId
        await anyio.to_thread.run_sync(wms.webhooks.flush)
        await eventually(lambda: order_is(db, "30", "cancelled"), what="30 seen cancelled")
        await eventually(lambda: no_open_reservations(db), what="its reservation released")
        await sync_of(router).full()
        assert (await stock(router))["available"] == wms.inventory(HOT).sellable == 10


async def no_open_reservations(db: asyncpg.Pool) -> bool:
    return not await db.fetchval("SELECT count(*) FROM reservations WHERE state IN ('held', 'placed')")


async def order_is(db: asyncpg.Pool, number: str, state: str) -> bool:
    return bool(await db.fetchval("SELECT state FROM orders WHERE source_order_number = $1", number) == state)


async def test_a_stock_webhook_reads_that_article_in_the_lane_and_pushes_the_new_figure(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver, db: asyncpg.Pool
) -> None:
    await add_sources(routed, receiver, "se")
    await eventually(lambda: (last_told(receiver, "se") or (0, None))[1] == 10, what="se told 10")
    wms.webhooks.configure(f"{routed.url}/hooks/wms", headers={"X-Webhook-Secret": HOOK_SECRET}, orders=False)
    wms.adjust_stock(HOT, 5, cause="received")  # scheduled reads are an hour apart: only the webhook can tell
    await anyio.to_thread.run_sync(wms.webhooks.flush)  # the router answering it runs on this loop
    await eventually(lambda: (last_told(receiver, "se") or (0, None))[1] == 15, what="se told 15")
    assert (await stock(routed))["available"] == 15
    reads = await db.fetch("SELECT state, payload FROM outbox WHERE kind = 'stock.read'")
    assert [(r["state"], r["payload"]["articles"]) for r in reads] == [("done", [HOT])]


async def test_an_older_target_never_overwrites_a_newer_one(
    db_dsn: str, receiver: CallbackReceiver, db: asyncpg.Pool
) -> None:
    async with running_router(make_settings(db_dsn)) as router:  # no background sync or pusher
        keys = await add_sources(router, receiver, "se")
        del keys
        pool = router.rt.pool
        started = await ledger.db_clock(pool)
        await ledger.apply_snapshot(pool, [(HOT, Decimal(10), None)], read_started_at=started, kind="test", skew=0)
        later = await ledger.db_clock(pool)
        await ledger.apply_snapshot(pool, [(HOT, Decimal(4), None)], read_started_at=later, kind="test", skew=0)
        # An even older read arriving late changes nothing.
        await ledger.apply_snapshot(pool, [(HOT, Decimal(99), None)], read_started_at=started, kind="test", skew=0)
        jobs = await db.fetch("SELECT id FROM outbox WHERE kind = 'stock.push' ORDER BY id")
        assert len(jobs) == 2
        worker = StockPushWorker(
            dsn=router.rt.dsn,
            pool=pool,
            sources=router.rt.sources,
            http=router.rt.http,
            settings=router.rt.settings.outbox,
            concurrency=1,
        )
        newer, older = await claim(pool, jobs[1]["id"]), await claim(pool, jobs[0]["id"])
        await worker.push(newer)  # the newer job runs first ...
        await worker.push(older)  # ... the older one, claimed meanwhile, finds nothing newer to send
        told = [t for d in receiver.deliveries("se", "stock") for t in d.body["targets"]]
        assert [Decimal(str(t["available"])) for t in told] == [4]
        version = await db.fetchval("SELECT pushed_version FROM stock_targets")
        # Recording an older version directly is refused too.
        await pool.execute(queries["record_pushed"], 1, [HOT], [Decimal(10)], [version - 1], [True])
        row = await db.fetchrow("SELECT pushed_value, pushed_version FROM stock_targets")
        assert (row["pushed_value"], row["pushed_version"]) == (4, version)
        assert await db.fetchval("SELECT count(*) FROM outbox WHERE kind = 'stock.push' AND state = 'done'") == 2


async def claim(pool: asyncpg.Pool, job_id: int) -> Any:
    from router.outbox import Job

    row = await pool.fetchrow(
        "UPDATE outbox SET attempts = attempts + 1, lease_until = now() + interval '1 minute' WHERE id = $1 "
        "RETURNING *",
        job_id,
    )
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
