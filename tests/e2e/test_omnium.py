"""Omnium through a running router: metadata-only events → fetch → one WMS order per shipment → status back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest

from router.testing import RouterUnderTest
from simulators.omnium import OmniumSimulator
from simulators.omnium.wire import Shipment
from simulators.ongoing_wms import OngoingWmsSimulator
from tests.support.omnium import order_doc

CLIENT_ID, SECRET, EVENT_KEY = "cid-e2e", "cs-e2e-secret", "ek-e2e-hook"
pytestmark = pytest.mark.usefixtures("subscribed")


@pytest.fixture
def oms() -> Iterator[OmniumSimulator]:
    with OmniumSimulator(client_id=CLIENT_ID, client_secret=SECRET, event_retry_delays=(0.05, 0.05, 0.05)) as sim:
        yield sim


@pytest.fixture
async def subscribed(router: RouterUnderTest, kit: Any, oms: OmniumSimulator, db: asyncpg.Pool) -> None:
    """Register the source, subscribe the router to events, and wait out the first (empty) safety-net poll."""
    await kit.register(
        router,
        name="om",
        kind="omnium",
        suffix="OM",
        order_type="B2C",
        settings={"base_url": oms.url, "poll_interval_seconds": 3600, "inventory_warehouse_code": "WH1"},
        credentials={"client_id": CLIENT_ID, "client_secret": SECRET, "event_key": EVENT_KEY},
    )
    oms.subscribe(f"{router.url}/hooks/om", headers={"X-Api-Key": EVENT_KEY})

    async def first_poll_done() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM pull_cursors"))

    await kit.eventually(first_poll_done, what="the first poll (so orders below arrive by events only)")


def shipment(oms: OmniumSimulator, order_id: str, shipment_id: str) -> Shipment:
    return next(s for s in oms.order(order_id).order_form.shipments if s.shipment_id == shipment_id)


def in_warehouse(oms: OmniumSimulator, order_id: str, shipment_id: str, wms: OngoingWmsSimulator) -> bool:
    found = shipment(oms, order_id, shipment_id)
    wms_order = wms.order(f"{order_id}-{shipment_id}-OM")
    return (
        wms_order is not None
        and found.order_status == "InProgressWarehouse"
        and any(e.provider_name == "OngoingWMS" and e.id == str(wms_order.order_id) for e in found.external_ids)
    )


async def test_an_event_fetches_the_order_each_shipment_becomes_a_wms_order_marked_in_the_warehouse(
    kit: Any, wms: OngoingWmsSimulator, oms: OmniumSimulator, db: asyncpg.Pool
) -> None:
    oms.add_order(order_doc("1001"))
    await kit.eventually(lambda: wms.order("1001-1-OM") and wms.order("1001-2-OM"), what="both shipments in the WMS")
    first, second = wms.order("1001-1-OM"), wms.order("1001-2-OM")
    assert first is not None
    assert second is not None
    assert [(line.article_number, line.ordered) for line in first.lines] == [("SKU-1", 2)]
    assert [(line.article_number, line.ordered) for line in second.lines] == [("SKU-2", 3)]
    for shipment_id in ("1", "2"):
        await kit.eventually(
            lambda s=shipment_id: in_warehouse(oms, "1001", s, wms), what=f"shipment {shipment_id} in the warehouse"
        )
    channels = await db.fetch("SELECT DISTINCT channel FROM inbox i JOIN orders o ON o.inbox_id = i.id")
    assert [r["channel"] for r in channels] == ["fetch"]  # each shipment's document came by the event path

    wms.pick("1001-1-OM")
    wms.ship("1001-1-OM", "WB-1", tracking_url="https://track.example/WB-1", transporter="Bring")
    await kit.eventually(lambda: shipment(oms, "1001", "1").order_status == "Completed", what="shipment 1 completed")
    done = shipment(oms, "1001", "1")
    assert (done.shipment_tracking_number, done.shipment_tracking_link) == ("WB-1", "https://track.example/WB-1")
    assert shipment(oms, "1001", "2").order_status == "InProgressWarehouse"


async def test_duplicated_and_reordered_events_make_each_shipment_once(
    kit: Any, wms: OngoingWmsSimulator, oms: OmniumSimulator, db: asyncpg.Pool
) -> None:
    oms.events.duplicate_next(3)
    oms.events.reorder_next(1)
    oms.add_order(order_doc("2001"))
    oms.add_order(order_doc("2002", shipments=1))
    oms.add_order(order_doc("2003", shipments=1))
    numbers = {"2001-1-OM", "2001-2-OM", "2002-1-OM", "2003-1-OM"}
    await kit.eventually(lambda: numbers <= {o.number for o in wms.orders()}, what="every shipment in the WMS")

    async def all_fetched() -> bool:
        due = await db.fetchval("SELECT count(*) FROM outbox WHERE kind = 'source.fetch' AND state = 'pending'")
        return bool(due == 0)

    await kit.eventually(all_fetched, what="every fetch job done")
    sends = [r.fields.get("number") for r in wms.requests if r.operation == "ProcessOrder"]
    assert sorted(sends) == sorted(numbers)
    assert await db.fetchval("SELECT count(*) FROM orders") == len(numbers)
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE kind = 'source.fetch'") >= 5


async def test_a_cancellation_in_omnium_cancels_each_shipment_in_the_wms_or_is_rejected_after_picking(
    kit: Any, wms: OngoingWmsSimulator, oms: OmniumSimulator, db: asyncpg.Pool
) -> None:
    oms.add_order(order_doc("3001"))
    await kit.eventually(lambda: wms.order("3001-1-OM") and wms.order("3001-2-OM"), what="both shipments in the WMS")
    wms.pick("3001-2-OM")

    oms.update_status("3001", "OrderCanceled")

    await kit.eventually(lambda: kit.wms_status(wms, "3001-1-OM", 1000), what="shipment 1 cancelled in the WMS")
    await kit.eventually(lambda: kit.delivered(db, "3001-1-OM", "cancelled"), what="Omnium told cancelled")
    await kit.eventually(lambda: kit.delivered(db, "3001-2-OM", "rejected"), what="Omnium told rejected")
    assert wms.order("3001-2-OM").status == 400  # type: ignore[union-attr]
    properties = {p.key: p.value for p in oms.order("3001").properties}
    assert "too late" in (properties.get("routerRejected2") or "")
