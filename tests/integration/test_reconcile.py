"""`router reconcile` against real PostgreSQL, a running router and the Ongoing simulator over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import anyio
import asyncpg
import pytest

from router.reconcile import Difference, Report, reconcile
from router.settings import LedgerSettings, Settings, WmsSettings
from router.testing import RouterUnderTest, make_settings, order_json, running_router
from simulators.callback import CallbackReceiver
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually

USER, PASSWORD, GOODS_OWNER = "WSI-reconcile", "wms-password", "GO1"
SECRETS = {"se": "se-secret", "eu": "eu-secret"}
STOCK = {"HOT-1": 10, "COLD-1": 5, "WARM-1": 3}


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        for article, quantity in STOCK.items():
            sim.add_article(article, stock=quantity)
        yield sim


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver(SECRETS) as rx:
        yield rx


def reconcile_settings(db_dsn: str, sim: OngoingWmsSimulator) -> Settings:
    wms = WmsSettings(
        url=sim.url, username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER, timeout=5.0, strict_xml=True
    )
    # One stock read when the lane starts; none after it unless a test asks.
    sync = LedgerSettings(sync_enabled=True, full_sync_seconds=3600, delta_sync_seconds=3600, settle_skew_seconds=0)
    return dataclasses.replace(make_settings(db_dsn, wms=wms), ledger=sync)


@pytest.fixture
async def routed(
    db_dsn: str, wms: OngoingWmsSimulator, receiver: CallbackReceiver
) -> AsyncIterator[tuple[RouterUnderTest, dict[str, str]]]:
    async with running_router(reconcile_settings(db_dsn, wms)) as router:
        keys = {
            name: await router.add_source(
                name,
                name.upper(),
                settings={"callback_url": receiver.url_for(name)},
                credentials={"callback_secret": SECRETS[name]},
            )
            for name in SECRETS
        }
        await eventually(lambda: everyone_told(receiver), what="every source told every article")
        yield router, keys


def told(receiver: CallbackReceiver, source: str) -> dict[str, Decimal]:
    newest: dict[str, tuple[int, Decimal]] = {}
    for delivery in receiver.deliveries(source, "stock"):
        for t in delivery.body["targets"]:
            entry = (int(t["version"]), Decimal(str(t["available"])))
            newest[t["article_number"]] = max(newest.get(t["article_number"], entry), entry)
    return {article: value for article, (_, value) in newest.items()}


def everyone_told(receiver: CallbackReceiver) -> bool:
    expected = {a: Decimal(q) for a, q in STOCK.items()}
    return all(told(receiver, name) == expected for name in SECRETS)


async def run(router: RouterUnderTest) -> Report:
    assert router.rt.wms is not None
    return await reconcile(router.rt.pool, router.rt.wms, page_size=2)


def only(report: Report, article: str, source: str | None = None) -> Difference:
    found = [d for d in report.differences if d.article_number == article and d.source == source]
    assert len(found) == 1, report.differences
    return found[0]


async def test_agreeing_figures_give_no_differences(routed: tuple[RouterUnderTest, dict[str, str]]) -> None:
    router, _ = routed

    async def recorded() -> Report | None:
        # A source may have received a figure a moment before the router recorded the push: pending.
        report = await run(router)
        return None if any(d.pending for d in report.differences) else report

    report = await eventually(recorded, what="every push recorded")
    assert report.differences == ()
    assert (report.articles, report.sources) == (3, 2)


async def test_stock_changed_in_the_wms_after_the_read_is_pending_a_silent_change_is_an_error(
    routed: tuple[RouterUnderTest, dict[str, str]], wms: OngoingWmsSimulator
) -> None:
    router, _ = routed
    wms.adjust_stock("HOT-1", -3, "damaged")  # an inventory transaction GetInventoryChanges reports
    wms.add_article("COLD-1", stock=2)  # the same article's stock reset without any transaction
    wms.add_article("NEW-1", stock=4)  # never read by the ledger yet

    report = await run(router)

    hot = only(report, "HOT-1")
    assert (hot.ledger_available, hot.wms_available, hot.difference, hot.pending) == (10, 7, 3, True)
    assert "stock changed in the WMS by -3" in hot.reason
    cold = only(report, "COLD-1")
    assert (cold.ledger_available, cold.wms_available, cold.pending) == (5, 2, False)
    new = only(report, "NEW-1")
    assert (new.ledger_available, new.wms_available, new.pending) == (None, 4, True)
    assert new.reason.startswith("not read yet")
    assert [(d.article_number, d.source) for d in report.errors] == [("COLD-1", None)]


async def test_a_push_not_sent_yet_is_pending_a_wrong_value_and_a_dead_push_are_errors(
    routed: tuple[RouterUnderTest, dict[str, str]], receiver: CallbackReceiver, db: asyncpg.Pool
) -> None:
    router, keys = routed
    holding = receiver.hold_next("stock")
    async with router.client(keys["se"]) as client:
        response = await client.post("/api/sources/se/orders", json=order_json("5178", article="HOT-1", quantity=2))
        assert response.status_code == 202
    held = await anyio.to_thread.run_sync(holding.wait, 10)
    assert held, "no stock push reached the receiver"  # one source's push is in flight, held by the receiver

    report = await run(router)
    receiver.release()

    pushes = [d for d in report.differences if d.source is not None]
    assert pushes, report.differences
    assert all(d.pending and d.reason.startswith("push pending") for d in pushes)
    assert {(d.article_number, d.told, d.ledger_available) for d in pushes} <= {("HOT-1", 10, 8)}
    assert not [d for d in report.errors if d.article_number == "HOT-1"]

    await eventually(lambda: told(receiver, "se").get("HOT-1") == 8 and told(receiver, "eu").get("HOT-1") == 8)
    await eventually(lambda: db.fetchval("SELECT NOT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending')"))
    source_eu = await db.fetchval("SELECT id FROM sources WHERE name = 'eu'")
    await db.execute(
        "UPDATE stock_targets SET pushed_value = 99 WHERE source_id = $1 AND article_number = 'WARM-1'", source_eu
    )
    await db.execute(
        "INSERT INTO outbox (lane, kind, priority, idempotency_key, state) VALUES ($1, 'stock.push', 50, 'x', 'dead')",
        f"stock:{source_eu}",
    )

    report = await run(router)

    warm = only(report, "WARM-1", "eu")
    assert (warm.told, warm.ledger_available, warm.difference, warm.pending) == (99, 3, 96, False)
    assert "dead letter" in warm.reason
    assert [(d.article_number, d.source) for d in report.errors] == [("WARM-1", "eu")]
