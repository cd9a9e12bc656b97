from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import anyio
import pytest

from router.settings import FanbackSettings, WmsSettings
from router.testing import RouterUnderTest, make_settings, running_router
from simulators.callback import CallbackReceiver
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually

USER, PASSWORD, GOODS_OWNER = "WSI-fanback", "wms-password", "GO1"
HOOK_SECRET = "wms-hook-secret"
SECRETS = {"se": "se-secret", "eu": "eu-secret", "erp": "erp-secret"}


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        for article in ("A-1", "A-2"):
            sim.add_article(article, stock=100)
        yield sim


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver(SECRETS) as rx:
        yield rx


def settings_for(db_dsn: str, sim: OngoingWmsSimulator, *, poll_seconds: float = 0.2, **fanback: Any) -> Any:
    wms = WmsSettings(
        url=sim.url, username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER, timeout=2.0, strict_xml=True
    )
    settings = make_settings(db_dsn, wms=wms)
    import dataclasses

    fb = FanbackSettings(poll_seconds=poll_seconds, overlap_seconds=5, webhook_secret=HOOK_SECRET, **fanback)
    return dataclasses.replace(settings, fanback=fb)


@pytest.fixture
async def routed(db_dsn: str, wms: OngoingWmsSimulator) -> AsyncIterator[RouterUnderTest]:
    async with running_router(settings_for(db_dsn, wms)) as r:
        yield r


async def add_sources(router: RouterUnderTest, receiver: CallbackReceiver, *names: str) -> dict[str, str]:
    keys = {}
    for name in names:
        keys[name] = await router.add_source(
            name,
            name.upper(),
            "B2B" if name == "erp" else "B2C",
            settings={"callback_url": receiver.url_for(name)},
            credentials={"callback_secret": SECRETS[name]},
        )
    return keys


async def place(router: RouterUnderTest, key: str, source: str, body: dict[str, Any]) -> dict[str, Any]:
    async with router.client(key) as client:
        assert (await client.post(f"/api/sources/{source}/orders", json=body)).status_code == 202

        async def in_wms() -> dict[str, Any] | None:
            order: dict[str, Any] = (await client.get(f"/api/sources/{source}/orders/{body['order_number']}")).json()[
                "order"
            ]
            return order if order["state"] == "in_wms" else None

        return await eventually(in_wms, what=f"{body['order_number']} of {source} in the WMS")


async def detail(router: RouterUnderTest, key: str, source: str, number: str) -> dict[str, Any]:
    async with router.client(key) as client:
        body: dict[str, Any] = (await client.get(f"/api/sources/{source}/orders/{number}")).json()
        return body


def two_lines(number: str) -> dict[str, Any]:
    from router.testing import order_json

    body = order_json(number)
    body["lines"] = [
        {"article_number": "A-1", "quantity": 2, "line_id": "1"},
        {"article_number": "A-2", "quantity": 1, "line_id": "2"},
    ]
    return body


async def test_a_shipment_reaches_only_the_owning_source(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver, make_order: Any
) -> None:
    keys = await add_sources(routed, receiver, "se", "eu", "erp")
    for name, key in keys.items():
        await place(routed, key, name, make_order("5178"))

    wms.pick("5178-EU")
    wms.ship("5178-EU", way_bill="WB-5178", tracking_url="https://track.example/WB-5178", transporter="PostNord")
    shipped = await eventually(lambda: receiver.deliveries("eu", "shipped"), what="EU's shipped event")

    event = shipped[0].body
    assert shipped[0].signature_ok
    assert (event["way_bill"], event["tracking_url"]) == ("WB-5178", "https://track.example/WB-5178")
    assert event["source_order_number"] == "5178"
    assert event["wms_order_number"] == "5178-EU"
    assert [(ln["line_id"], ln["quantity"]) for ln in event["lines"]] == [("1", 1)]
    timeline = (await detail(routed, keys["eu"], "eu", "5178"))["events"]
    await eventually(lambda: detail_state(routed, keys["eu"], "eu", "5178", "delivered"), what="delivery recorded")
    assert [e["kind"] for e in timeline] == ["shipped"]
    assert receiver.deliveries("se") == []
    assert receiver.deliveries("erp") == []


async def detail_state(router: RouterUnderTest, key: str, source: str, number: str, state: str) -> bool:
    events = (await detail(router, key, source, number))["events"]
    return bool(events) and all(e["state"] == state for e in events)


async def test_orders_of_other_origins_are_counted_and_never_delivered(
    routed: RouterUnderTest,
    wms: OngoingWmsSimulator,
    receiver: CallbackReceiver,
    make_order: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
    keys = await add_sources(routed, receiver, "se")
    await place(routed, keys["se"], "se", make_order("1"))
    for number in ("9000", "9001-XX", "9002-SE"):
        wms.create_foreign_order(number, {"A-1": Decimal(1)})
        wms.pick(number)
        wms.ship(number, way_bill=f"WB-{number}")

    async def counted() -> bool:
        body = (await routed.admin.get("/api/wms/foreign-orders")).json()
        return bool(body["orders"] >= 3)

    await eventually(counted, what="three foreign orders counted")
    summary = (await routed.admin.get("/api/wms/foreign-orders")).json()
    assert {r["wms_order_number"] for r in summary["recent"]} >= {"9000", "9001-XX", "9002-SE"}
    assert summary["events_ignored"] >= 3
    assert receiver.deliveries() == []
    metrics = (await routed.admin.get("/metrics")).text
    assert "router_foreign_events_ignored_total" in metrics
    logged = capfd.readouterr().err
    assert not [line for line in logged.splitlines() if "warning" in line and ("9000" in line or "9002-SE" in line)]


async def test_partial_pick_then_shipment_then_return_each_once_and_counters_reported(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver
) -> None:
    keys = await add_sources(routed, receiver, "eu")
    await place(routed, keys["eu"], "eu", two_lines("700"))

    wms.pick("700-EU", {"1": Decimal(1)})
    picked = await eventually(lambda: receiver.deliveries("eu", "picked"), what="picked")
    assert [(ln["line_id"], ln["quantity"]) for ln in picked[0].body["lines"]] == [("1", 1)]
    await eventually(lambda: wms.order("700-EU").lines[0].reported == 1, what="picked counter reported")  # type: ignore[union-attr]

    wms.pick("700-EU", {"1": Decimal(1), "2": Decimal(1)})
    wms.ship("700-EU", way_bill="WB-700")
    shipped = await eventually(lambda: receiver.deliveries("eu", "shipped"), what="shipped")
    assert [(ln["line_id"], ln["quantity"]) for ln in shipped[0].body["lines"]] == [("1", 2), ("2", 1)]

    wms.return_lines("700-EU", {"2": Decimal(1)})
    returned = await eventually(lambda: receiver.deliveries("eu", "returned"), what="returned")
    assert [(ln["line_id"], ln["quantity"]) for ln in returned[0].body["lines"]] == [("2", 1)]
    await eventually(
        lambda: (
            [ln.reported_returned for ln in wms.order("700-EU").lines] == [None, 1]  # type: ignore[union-attr]
            or [ln.reported_returned for ln in wms.order("700-EU").lines] == [0, 1]
        ),  # type: ignore[union-attr]
        what="returned counter reported",
    )
    assert [d.kind for d in receiver.deliveries("eu")] == ["picked", "shipped", "returned"]
    assert len({d.delivery_id for d in receiver.deliveries("eu")}) == 3


async def test_duplicated_and_reordered_webhooks_with_overlapping_polls_deliver_each_event_once(
    db_dsn: str, wms: OngoingWmsSimulator, receiver: CallbackReceiver, make_order: Any
) -> None:
    async with running_router(settings_for(db_dsn, wms, poll_seconds=0.3)) as router:
        wms.webhooks.configure(f"{router.url}/hooks/wms", headers={"X-Webhook-Secret": HOOK_SECRET})
        keys = await add_sources(router, receiver, "se")
        for n in range(1, 6):
            await place(router, keys["se"], "se", make_order(str(n)))
        wms.webhooks.duplicate_next(4)
        wms.webhooks.reorder_next(2)
        for n in range(1, 6):
            wms.pick(f"{n}-SE")
            wms.ship(f"{n}-SE", way_bill=f"WB{n}")
        wms.webhooks.release_held()  # a reordered notification waits for a successor; the last has none
        await anyio.to_thread.run_sync(wms.webhooks.flush)  # the router answering them runs on this loop
        await eventually(lambda: len(receiver.deliveries("se", "shipped")) == 5, what="five shipments")
        await eventually(lambda: detail_state(router, keys["se"], "se", "5", "delivered"), what="settled")
    ids = [d.delivery_id for d in receiver.deliveries("se")]
    assert len(ids) == len(set(ids))
    assert sorted(d.body["wms_order_number"] for d in receiver.deliveries("se", "shipped")) == [
        f"{n}-SE" for n in range(1, 6)
    ]


async def test_with_every_webhook_dropped_the_poll_still_delivers_everything(
    db_dsn: str, wms: OngoingWmsSimulator, receiver: CallbackReceiver, make_order: Any
) -> None:
    async with running_router(settings_for(db_dsn, wms, poll_seconds=0.2)) as router:
        wms.webhooks.configure(f"{router.url}/hooks/wms", headers={"X-Webhook-Secret": HOOK_SECRET})
        wms.webhooks.drop_next(1000)
        keys = await add_sources(router, receiver, "se")
        for n in range(1, 4):
            await place(router, keys["se"], "se", make_order(str(n)))
            wms.pick(f"{n}-SE")
            wms.ship(f"{n}-SE", way_bill=f"WB{n}")
        await eventually(lambda: len(receiver.deliveries("se", "shipped")) == 3, what="three shipments by poll alone")
    assert len({d.delivery_id for d in receiver.deliveries("se")}) == len(receiver.deliveries("se"))


async def test_a_wms_webhook_needs_the_shared_secret_and_is_stored_raw(routed: RouterUnderTest, db: Any) -> None:
    body = json.dumps({"orderNumber": "1-SE", "orderId": 1}).encode()
    async with routed.client(None) as client:
        refused = await client.post("/hooks/wms", content=body, headers={"X-Webhook-Secret": "wrong"})
        accepted = await client.post("/hooks/wms", content=body, headers={"X-Webhook-Secret": HOOK_SECRET})
        bad = await client.post("/hooks/wms", content=b"{}", headers={"X-Webhook-Secret": HOOK_SECRET})
    assert refused.status_code == 401
    assert accepted.status_code == 202
    assert bad.status_code == 422
    assert bad.json()["field"] == "orderNumber"
    states = [r["state"] for r in await db.fetch("SELECT state FROM inbox WHERE channel = 'wms' ORDER BY id")]
    assert states == ["rejected", "ignored", "rejected"]


async def test_a_callback_that_is_down_retries_dead_letters_and_replays_once(
    db_dsn: str, wms: OngoingWmsSimulator, receiver: CallbackReceiver, make_order: Any
) -> None:
    import dataclasses

    settings = settings_for(db_dsn, wms)
    settings = dataclasses.replace(settings, outbox=dataclasses.replace(settings.outbox, max_attempts=3))
    async with running_router(settings) as router:
        keys = await add_sources(router, receiver, "se")
        await place(router, keys["se"], "se", make_order("9"))
        receiver.fail_next(3, status=503)
        wms.pick("9-SE")
        wms.ship("9-SE", way_bill="WB9")

        async def dead() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = (await router.admin.get("/api/dead-letters")).json()["items"]
            return [d for d in items if d["kind"] == "event.deliver"]

        [letter] = await eventually(dead, what="a dead-lettered delivery")
        assert letter["attempts"] == 3
        assert [d.answered for d in receiver.deliveries("se")] == [503, 503, 503]
        assert (await detail(router, keys["se"], "se", "9"))["events"][0]["state"] == "dead"

        assert (await router.admin.post(f"/api/dead-letters/{letter['id']}/replay")).status_code == 202
        await eventually(
            lambda: [d.answered for d in receiver.deliveries("se")] == [503, 503, 503, 200], what="replayed"
        )
        await eventually(
            lambda: detail_state(router, keys["se"], "se", "9", "delivered"), what="delivered after replay"
        )
    assert len({d.delivery_id for d in receiver.deliveries("se")}) == 1


async def test_cancel_before_picking_cancels_in_the_wms_after_picking_is_rejected(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver, make_order: Any
) -> None:
    keys = await add_sources(routed, receiver, "se")
    await place(routed, keys["se"], "se", make_order("11"))
    await place(routed, keys["se"], "se", make_order("12"))
    wms.pick("12-SE")
    async with routed.client(keys["se"]) as client:
        assert (await client.post("/api/sources/se/orders/11/cancel")).status_code == 202
        assert (await client.post("/api/sources/se/orders/12/cancel")).status_code == 202
    cancelled = await eventually(lambda: receiver.deliveries("se", "cancelled"), what="cancelled")
    rejected = await eventually(lambda: receiver.deliveries("se", "rejected"), what="rejected")

    assert wms.order("11-SE").status == 1000  # type: ignore[union-attr]
    assert cancelled[0].body["wms_order_number"] == "11-SE"
    assert wms.order("12-SE").status == 400  # type: ignore[union-attr]
    assert rejected[0].body["wms_order_number"] == "12-SE"
    assert rejected[0].body["reason"].startswith("too late (picked)")
    assert (await detail(routed, keys["se"], "se", "12"))["order"]["state"] == "conflict"
    assert (await detail(routed, keys["se"], "se", "11"))["order"]["state"] == "cancelled"
    assert [r for r in wms.requests if r.operation == "ProcessOrder" and r.fields.get("number") == "12-SE"][
        -1
    ].fields.get("operation") != "Remove"


async def test_cancel_before_dispatch_needs_no_wms_call(
    db_dsn: str, wms: OngoingWmsSimulator, receiver: CallbackReceiver, make_order: Any
) -> None:
    wms.faults.fail_next(1000, status=503, operation="ProcessOrder")
    async with running_router(settings_for(db_dsn, wms)) as router:
        keys = await add_sources(router, receiver, "se")
        async with router.client(keys["se"]) as client:
            await client.post("/api/sources/se/orders", json=make_order("13"))
            assert (await client.post("/api/sources/se/orders/13/cancel")).status_code == 202
        await eventually(lambda: receiver.deliveries("se", "cancelled"), what="cancelled confirmation")
        assert (await detail(router, keys["se"], "se", "13"))["order"]["state"] == "cancelled"
    assert wms.order("13-SE") is None
