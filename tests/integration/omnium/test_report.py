from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from connectors.omnium import OmniumConnector
from router.domain import EventKind, EventLine
from router.errors import FatalUpstreamError, RetriableUpstreamError
from simulators.omnium import ExternalId, OmniumSimulator


def writes(sim: OmniumSimulator) -> list[str]:
    return [
        r.path.rsplit("/", 1)[-1]
        for r in sim.requests
        if r.method in {"POST", "PATCH"} and r.path.startswith("/api/Orders/") and "Search" not in r.path
    ]


def shipment(sim: OmniumSimulator, order_id: str, shipment_id: str) -> Any:
    return next(s for s in sim.order(order_id).order_form.shipments if s.shipment_id == shipment_id)


async def test_mark_in_warehouse_sets_the_status_and_stores_the_wms_id_on_that_shipment_only(
    sim: OmniumSimulator, connector: OmniumConnector, kit: Any
) -> None:
    sim.add_order(kit.order("1001"))
    await connector.mark_in_warehouse("1001-1", 5001)
    first, second = shipment(sim, "1001", "1"), shipment(sim, "1001", "2")
    assert first.order_status == "InProgressWarehouse"
    assert ExternalId(provider_name="OngoingWMS", id="5001") in first.external_ids
    assert (second.order_status, second.external_ids) == (None, [])
    assert sim.order("1001").status == "New"  # shipments differ: the order keeps its status
    assert writes(sim) == ["PatchOrder", "UpdateStatus"]

    await connector.mark_in_warehouse("1001-1", 5001)  # a repeat changes nothing
    assert writes(sim) == ["PatchOrder", "UpdateStatus"]

    await connector.mark_in_warehouse("1001-2", 5002)
    assert sim.order("1001").status == "InProgressWarehouse"  # every shipment there: the order follows


async def test_shipping_one_shipment_updates_only_that_shipment(
    sim: OmniumSimulator, make_connector: Any, kit: Any
) -> None:
    connector = make_connector(transporters={"PostNord_MyPack": "PNMYPACK"})
    sim.add_order(kit.order("1001"))
    shipped = kit.event(
        EventKind.SHIPPED,
        "1001-2",
        "ship-1",
        way_bill="WB-2",
        tracking_url="https://track.example/WB-2",
        transporter="PNMYPACK",
    )
    await connector.report(shipped)
    first, second = shipment(sim, "1001", "1"), shipment(sim, "1001", "2")
    assert second.order_status == "Completed"
    assert (second.shipment_tracking_number, second.shipment_tracking_link) == ("WB-2", "https://track.example/WB-2")
    assert second.shipping_method_name == "PostNord_MyPack"
    assert [line.delivered_quantity for line in second.line_items] == [Decimal(3)]
    assert (first.order_status, first.shipment_tracking_number) == (None, None)
    assert [line.delivered_quantity for line in first.line_items] == [Decimal(0)]
    assert sim.order("1001").status == "PartiallyShipped"
    body = next(r.body for r in sim.requests if r.path.endswith("/UpdateStatus"))
    assert body["shipmentInfo"]["shipmentId"] == "2"

    await connector.report(shipped)  # re-delivery of the same event: nothing is sent again
    assert writes(sim) == ["UpdateStatus"]


async def test_partial_deliveries_use_order_lines_update_and_the_rest_completes(
    sim: OmniumSimulator, connector: OmniumConnector, kit: Any
) -> None:
    doc = kit.order("2002", shipments=1)
    doc["orderForm"]["shipments"][0]["lineItems"].append({"lineItemId": "9", "code": "SKU-9", "quantity": 1})
    sim.add_order(doc)
    part = kit.event(
        EventKind.SHIPPED,
        "2002-1",
        "p1",
        way_bill="WB-A",
        lines=(EventLine(line_id="1", article_number="SKU-1", quantity=Decimal(1)),),
    )
    await connector.report(part)
    after = shipment(sim, "2002", "1")
    assert {line.line_item_id: line.delivered_quantity for line in after.line_items} == {
        "1": Decimal(1),
        "9": Decimal(0),
    }
    assert after.order_status == "PartiallyShipped"
    assert sim.order("2002").status == "PartiallyShipped"
    assert writes(sim) == ["OrderLinesUpdate"]
    update = next(r.body for r in sim.requests if r.path.endswith("/OrderLinesUpdate"))
    assert update["lineItemUpdates"] == [{"lineItemId": "1", "deliveredQuantity": 1}]

    rest = kit.event(
        EventKind.SHIPPED,
        "2002-1",
        "p2",
        way_bill="WB-B",
        lines=(
            EventLine(line_id="1", article_number="SKU-1", quantity=Decimal(1)),
            EventLine(line_id="x", article_number="SKU-9", quantity=Decimal(1)),  # matched by article
        ),
    )
    await connector.report(rest)
    assert sim.order("2002").status == "Completed"
    assert writes(sim) == ["OrderLinesUpdate", "UpdateStatus"]


@pytest.mark.parametrize(
    ("kind", "status"), [(EventKind.CANCELLED, "OrderCanceled"), (EventKind.PICKED, "ReadyForShipment")]
)
async def test_status_events_map_per_settings(
    sim: OmniumSimulator, make_connector: Any, kit: Any, kind: EventKind, status: str
) -> None:
    connector = make_connector(statuses={"picked": "ReadyForShipment"})
    sim.add_order(kit.order("1001"))
    await connector.report(kit.event(kind, "1001-1", "k", reason="out of stock"))
    assert shipment(sim, "1001", "1").order_status == status
    assert shipment(sim, "1001", "2").order_status is None


async def test_unconfigured_events_send_nothing(sim: OmniumSimulator, connector: OmniumConnector, kit: Any) -> None:
    sim.add_order(kit.order("1001"))
    await connector.report(kit.event(EventKind.PICKED, "1001-1", "k1"))
    await connector.report(kit.event(EventKind.RETURNED, "1001-1", "k2"))
    assert writes(sim) == []


async def test_a_rejection_is_recorded_as_a_property_by_default(
    sim: OmniumSimulator, connector: OmniumConnector, kit: Any
) -> None:
    sim.add_order(kit.order("1001"))
    await connector.report(kit.event(EventKind.REJECTED, "1001-2", "r", reason="too late (picked)"))
    assert any(p.key == "routerRejected2" and p.value == "too late (picked)" for p in sim.order("1001").properties)


async def test_an_aborted_workflow_is_fatal_and_changes_nothing_until_replayed(
    sim: OmniumSimulator, connector: OmniumConnector, kit: Any
) -> None:
    sim.add_order(kit.order("1001"))
    sim.abort_next_workflow("capture failed")
    shipped = kit.event(EventKind.SHIPPED, "1001-1", "s", way_bill="WB")
    with pytest.raises(FatalUpstreamError, match="capture failed"):
        await connector.report(shipped)
    assert shipment(sim, "1001", "1").order_status is None
    await connector.report(shipped)
    assert shipment(sim, "1001", "1").order_status == "Completed"


async def test_a_server_error_on_a_write_is_raised_not_repeated(
    sim: OmniumSimulator, connector: OmniumConnector, kit: Any
) -> None:
    sim.add_order(kit.order("1001"))
    sim.fail_next(1, status=500, path="/UpdateStatus")
    shipped = kit.event(EventKind.SHIPPED, "1001-1", "s", way_bill="WB")
    with pytest.raises(RetriableUpstreamError):
        await connector.report(shipped)
    assert writes(sim) == ["UpdateStatus"]
    await connector.report(shipped)  # the outbox's retry
    await connector.report(shipped)  # and a duplicate
    assert writes(sim) == ["UpdateStatus", "UpdateStatus"]
    assert shipment(sim, "1001", "1").order_status == "Completed"


async def test_a_4xx_is_fatal_with_status_and_body(sim: OmniumSimulator, make_connector: Any, kit: Any) -> None:
    connector = make_connector(statuses={"shipped": "Shipped"})  # not a status of the tenant
    sim.add_order(kit.order("1001"))
    with pytest.raises(FatalUpstreamError) as raised:
        await connector.report(kit.event(EventKind.SHIPPED, "1001-1", "s"))
    assert raised.value.upstream_status == 400
    assert "Shipped" in (raised.value.body or "")


@pytest.mark.parametrize("number", ["9999-1", "1001-7", "nodash"])
async def test_unknown_orders_and_shipments_are_fatal(
    sim: OmniumSimulator, connector: OmniumConnector, kit: Any, number: str
) -> None:
    sim.add_order(kit.order("1001"))
    with pytest.raises(FatalUpstreamError):
        await connector.report(kit.event(EventKind.SHIPPED, number, "s"))
