from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.omnium import OmniumConnector
from router.domain import CanonicalOrder, Ignored
from router.errors import AuthenticationFailed
from simulators.omnium import OmniumSimulator


async def handle(connector: OmniumConnector, headers: dict[str, str], body: bytes) -> list[CanonicalOrder]:
    """What the router does with one webhook: verify, normalize (Ignored), fetch the order, normalize each shipment."""
    await connector.verify(body, headers)
    assert isinstance(connector.normalize(body, headers), Ignored)
    order_id = connector.event_order_id(body)
    assert order_id is not None
    results = [connector.normalize(p.body, p.headers) for p in await connector.fetch_order(order_id)]
    return [r for r in results if isinstance(r, CanonicalOrder)]


async def test_an_event_leads_to_the_order_with_the_configured_header(
    sim: OmniumSimulator, receiver: Any, connector: OmniumConnector, kit: Any
) -> None:
    sim.subscribe(receiver.url, headers={"X-Api-Key": kit.event_key})
    sim.add_order(kit.order("1001"))
    ((headers, body),) = receiver.wait_for(1)
    assert headers["x-api-key"] == kit.event_key
    assert not any("signature" in name for name in headers)
    event = json.loads(body)
    assert (event["className"], event["objectId"], event["category"], event["status"]) == (
        "Order",
        "1001",
        "Created",
        "New",
    )
    assert "orderForm" not in event  # metadata only
    orders = await handle(connector, headers, body)
    assert [o.order_number for o in orders] == ["1001-1", "1001-2"]


async def test_a_wrong_or_missing_header_is_refused(connector: OmniumConnector) -> None:
    with pytest.raises(AuthenticationFailed):
        await connector.verify(b"{}", {"X-Api-Key": "wrong"})
    with pytest.raises(AuthenticationFailed):
        await connector.verify(b"{}", {})


async def test_a_duplicated_event_yields_the_same_orders(
    sim: OmniumSimulator, receiver: Any, connector: OmniumConnector, kit: Any
) -> None:
    sim.subscribe(receiver.url, headers={"X-Api-Key": kit.event_key})
    sim.events.duplicate_next()
    sim.add_order(kit.order("1001"))
    calls = receiver.wait_for(2)
    sim.events.wait_until_idle()
    assert len(receiver.calls) == 2
    assert calls[0][1] == calls[1][1]
    first, second = [await handle(connector, h, b) for h, b in calls]
    assert first == second  # the router's ingest is idempotent on the order number: one order each


async def test_a_dropped_event_is_recovered_by_polling(
    sim: OmniumSimulator, receiver: Any, connector: OmniumConnector, kit: Any
) -> None:
    sim.subscribe(receiver.url, headers={"X-Api-Key": kit.event_key})
    sim.events.drop_next()
    sim.add_order(kit.order("1001"))
    sim.add_order(kit.order("1002", minute=1))
    receiver.wait_for(1)
    sim.events.wait_until_idle()
    assert [e["objectId"] for e in receiver.events()] == ["1002"]
    assert [e.object_id for e in sim.events.dropped()] == ["1001"]
    items, _ = await kit.pull_all(connector, None)
    assert {p.external_id.partition("@")[0] for p in items} == {"1001/1", "1001/2", "1002/1", "1002/2"}


async def test_reordered_events_still_fetch_the_current_order(
    sim: OmniumSimulator, receiver: Any, connector: OmniumConnector, kit: Any
) -> None:
    sim.subscribe(receiver.url, headers={"X-Api-Key": kit.event_key})
    sim.events.reorder_next()
    sim.add_order(kit.order("1001"))
    await connector.mark_in_warehouse("1001-1", 77)  # PatchOrder (Updated), UpdateStatus (Workflow)
    calls = receiver.wait_for(3)
    assert [json.loads(b)["category"] for _, b in calls] == ["Updated", "Created", "Workflow"]
    for headers, body in calls:
        orders = await handle(connector, headers, body)
        assert [o.order_number for o in orders] == ["1001-2"]  # shipment 1 is in the warehouse by now


@pytest.mark.parametrize(
    ("script", "attempts"),
    [([500], 2), ([503, 502, 500, 500], 4), ([429], 1), ([400], 1), ([404], 1), ([401], 2), ([204], 1)],
)
def test_webhooks_are_retried_like_omnium(
    sim: OmniumSimulator, receiver: Any, kit: Any, script: list[int], attempts: int
) -> None:
    receiver.script = list(script)
    sim.subscribe(receiver.url, headers={"X-Api-Key": kit.event_key})
    sim.add_order(kit.order("1001"))
    receiver.wait_for(attempts)
    sim.events.wait_until_idle()
    assert len(receiver.calls) == attempts
    assert [d.attempt for d in sim.deliveries()] == list(range(1, attempts + 1))


def test_an_unreachable_receiver_gets_four_attempts(sim: OmniumSimulator, kit: Any) -> None:
    sim.subscribe("http://127.0.0.1:9/hooks", headers={"X-Api-Key": kit.event_key})
    sim.add_order(kit.order("1001"))
    sim.events.wait_until_idle()
    deliveries = sim.deliveries()
    assert [d.attempt for d in deliveries] == [1, 2, 3, 4]
    assert all(d.status is None and d.error for d in deliveries)
