"""The simulator's outbound webhooks, received by a small app on loopback (no sleeps: flush and wait)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from simulators.ongoing_wms import OngoingWmsSimulator
    from tests.integration.wms.conftest import ManualClock, Receiver

ORDER_KEYS = {
    "webhookOrdersId",
    "webhookEventId",
    "system",
    "timestamp",
    "orderId",
    "orderNumber",
    "goodsOwnerId",
    "path",
    "byUser",
    "byComputer",
    "orderStatus",
    "currentShipmentId",
    "webhookTemplate",
    "goodsOwnerName",
    "goodsOwnerClasses",
    "tracking",
    "parcels",
}


@pytest.fixture
def hooked(sim: OngoingWmsSimulator, receiver: Receiver) -> OngoingWmsSimulator:
    """The simulator sending order webhooks (only) to the receiver, with a static auth header."""
    sim.webhooks.configure(receiver.url, headers={"X-Auth-Token": "hook-secret"}, inventory=False)
    return sim


def statuses(payloads: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(p["orderNumber"], p["orderStatus"]["number"]) for p in payloads]  # type: ignore[index]


def test_each_status_change_posts_an_ongoing_shaped_order_webhook(
    hooked: OngoingWmsSimulator, receiver: Receiver, clock: ManualClock
) -> None:
    order = hooked.create_foreign_order("9000", {"A1": 2})  # creation is no status change
    clock.advance(seconds=90)
    hooked.pick("9000")
    hooked.ship("9000", way_bill="WB1", tracking_url="https://t.example/WB1")
    hooked.webhooks.flush()

    payloads = receiver.wait_for(2)
    assert statuses(payloads) == [("9000", 400), ("9000", 450)]
    picked, shipped = payloads
    assert set(picked) == ORDER_KEYS
    assert (picked["orderId"], picked["goodsOwnerId"], picked["goodsOwnerName"], picked["system"]) == (
        order.order_id,
        1,
        "GO-TEST",
        "demo",
    )
    assert picked["timestamp"] == "2030-01-01T12:01:30.0000000"
    assert picked["path"] == f"/api/v1/orders/{order.order_id}"
    assert picked["tracking"] == []
    assert shipped["tracking"] == [{"trackingUrl": "https://t.example/WB1", "waybill": "WB1", "isReturn": False}]
    assert shipped["webhookEventId"] > picked["webhookEventId"]
    assert all(headers["x-auth-token"] == "hook-secret" for headers, _ in receiver.received)
    assert [d.outcome for d in hooked.webhooks.deliveries()] == ["sent", "sent"]


def test_drop_duplicate_and_reorder_knobs(hooked: OngoingWmsSimulator, receiver: Receiver) -> None:
    for number in ("9001", "9002", "9003", "9004"):
        hooked.create_foreign_order(number, {"A1": 1})
    hooked.webhooks.drop_next()
    hooked.webhooks.duplicate_next()
    hooked.webhooks.reorder_next()
    for number in ("9001", "9002", "9003", "9004"):
        hooked.allocate(number)
    hooked.webhooks.flush()

    # 9001 is lost; 9002 (the next one) is both duplicated and held back until 9003 has gone.
    payloads = receiver.wait_for(4)
    assert [p["orderNumber"] for p in payloads] == ["9003", "9002", "9002", "9004"]
    assert payloads[1]["webhookEventId"] == payloads[2]["webhookEventId"] < payloads[0]["webhookEventId"]
    outcomes = [(d.payload["orderNumber"], d.outcome) for d in hooked.webhooks.deliveries()]
    assert outcomes == [("9001", "dropped"), ("9003", "sent"), ("9002", "sent"), ("9002", "sent"), ("9004", "sent")]


def test_a_held_event_waits_for_the_next_one_or_a_release(hooked: OngoingWmsSimulator, receiver: Receiver) -> None:
    hooked.create_foreign_order("9005", {"A1": 1})
    hooked.webhooks.reorder_next()
    hooked.allocate("9005")
    hooked.webhooks.flush()  # returns although one event is held

    assert receiver.payloads() == []
    assert hooked.webhooks.held() is not None
    hooked.webhooks.release_held()
    hooked.webhooks.flush()
    assert statuses(receiver.wait_for(1)) == [("9005", 320)]
    assert hooked.webhooks.held() is None


def test_a_failing_receiver_is_recorded_and_not_retried(hooked: OngoingWmsSimulator, receiver: Receiver) -> None:
    receiver.status = 503
    hooked.create_foreign_order("9006", {"A1": 1})
    hooked.cancel("9006")
    deliveries = hooked.webhooks.flush()

    assert [(d.outcome, d.status) for d in deliveries] == [("failed", 503)]
    assert len(receiver.wait_for(1)) == 1


def test_inventory_webhooks_are_thin_and_only_for_real_stock_changes(
    sim: OngoingWmsSimulator, receiver: Receiver
) -> None:
    sim.webhooks.configure(receiver.url, orders=False)
    sim.adjust_stock("A1", 5, cause="received")
    sim.create_foreign_order("9007", {"A2": 1})  # sellable changes: an inventory event, but no order one
    sim.set_status("9007", 300)  # no figure changes: nothing
    sim.webhooks.flush()

    payloads = receiver.wait_for(2)
    assert [(p["articleNumber"], p["webhookTemplate"]) for p in payloads] == [
        ("A1", "Article stock changed"),
        ("A2", "Article stock changed"),
    ]
    assert set(payloads[0]) == {
        "webhookArticlesId",
        "webhookEventId",
        "system",
        "timestamp",
        "goodsOwnerId",
        "goodsOwnerName",
        "articleSystemId",
        "articleNumber",
        "path",
        "webhookTemplate",
    }
    assert len(sim.webhooks.deliveries()) == 2


def test_webhooks_over_the_http_control_api(sim: OngoingWmsSimulator, receiver: Receiver) -> None:
    base = f"{sim.base_url}/_sim/webhooks"
    configured = httpx.post(base, json={"url": receiver.url, "headers": {"X-Auth-Token": "t"}, "inventory": False})
    assert configured.json()["url"] == receiver.url
    assert httpx.post(f"{base}/knobs", json={"duplicate_next": 1}).status_code == 200
    sim.create_foreign_order("9008", {"A1": 1})
    sim.allocate("9008")
    flushed = httpx.post(f"{base}/flush").json()

    assert [(d["event_id"], d["outcome"]) for d in flushed] == [(1, "sent"), (1, "sent")]
    assert len(receiver.wait_for(2)) == 2
    assert httpx.post(f"{base}/knobs", json={"drop_next": 0}).status_code == 400
    assert httpx.delete(base).json()["url"] is None
    sim.cancel("9008")
    assert len(sim.webhooks.flush()) == 2  # disabled: nothing new
    assert httpx.post(f"{sim.base_url}/_sim/reset").status_code == 200
    assert httpx.get(base).json() == {"url": None, "held": None, "deliveries": []}
