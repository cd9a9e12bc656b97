"""report and push_stock against the simulator: exactly the given order, only changed articles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from connectors.tfso import TfsoConnector, api
from router.domain import EventKind, StockTarget, WarehouseEvent
from router.errors import FatalUpstreamError, OutcomeUnknown
from simulators.tfso import TfsoSimulator

Make = Callable[..., TfsoConnector]


def _event(order_id: int, kind: EventKind = EventKind.SHIPPED, key: str = "k1") -> WarehouseEvent:
    return WarehouseEvent(
        kind=kind,
        idempotency_key=key,
        source_order_number=str(order_id),
        wms_order_number=f"{order_id}-NO",
        occurred_at=dt.datetime(2024, 3, 2, tzinfo=dt.UTC),
        way_bill="370000000000000001",
    )


async def test_shipped_marks_exactly_that_order_sent_once(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    mine, other = orders.add(), orders.add()
    connector = make_connector()
    await connector.report(_event(mine))
    await connector.report(_event(mine))  # the same event re-delivered after a crash
    assert sim.order(mine).order_status == "OrderState_Sent"
    assert [c.status for c in sim.order(mine).history] == ["Confirmed", "OrderState_Sent"]
    assert sim.order(other).order_status == "Confirmed"
    assert len(sim.order(other).history) == 1
    assert [c.fields["invoices"] for c in sim.calls_to("SaveInvoices")] == [
        [{"OrderId": mine, "OrderStatus": "OrderState_Sent"}]
    ]


async def test_target_state_on_ship_is_a_setting(sim: TfsoSimulator, orders: Any, make_connector: Make) -> None:
    order_id = orders.add()
    await make_connector(shipped_state="Pack").report(_event(order_id))
    assert sim.order(order_id).order_status == "Pack"


@pytest.mark.parametrize("kind", [EventKind.CANCELLED, EventKind.REJECTED, EventKind.PICKED, EventKind.RETURNED])
async def test_other_events_change_nothing_by_default(
    sim: TfsoSimulator, orders: Any, make_connector: Make, kind: EventKind
) -> None:
    order_id = orders.add()
    await make_connector().report(_event(order_id, kind))
    assert sim.order(order_id).order_status == "Confirmed"
    assert sim.calls_to("SaveInvoices") == []


async def test_event_states_map_other_events(sim: TfsoSimulator, orders: Any, make_connector: Make) -> None:
    order_id = orders.add()
    await make_connector(event_states={"cancelled": "Inactive"}).report(_event(order_id, EventKind.CANCELLED))
    assert sim.order(order_id).order_status == "Inactive"


async def test_an_invoiced_order_is_left_alone(sim: TfsoSimulator, orders: Any, make_connector: Make) -> None:
    order_id = orders.add()
    sim.set_status(order_id, "Invoiced")
    await make_connector().report(_event(order_id))
    assert sim.order(order_id).order_status == "Invoiced"
    assert sim.calls_to("SaveInvoices") == []


async def test_an_unknown_order_is_fatal(sim: TfsoSimulator, make_connector: Make) -> None:
    with pytest.raises(FatalUpstreamError):
        await make_connector().report(_event(99999))
    not_a_number = msgspec.structs.replace(_event(1), source_order_number="SO-1")
    with pytest.raises(FatalUpstreamError):
        await make_connector().report(not_a_number)
    assert sim.calls_to("SaveInvoices") == []


async def test_api_exception_on_save_is_fatal_with_the_message(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    order_id = orders.add()
    sim.set_status(order_id, "Invoiced")
    connector = make_connector()
    with pytest.raises(FatalUpstreamError) as caught:
        await api.save_status(connector.client, order_id, "OrderState_Sent")
    assert "invoiced and cannot be changed" in str(caught.value)
    assert caught.value.upstream_status == 200


async def test_a_time_out_after_commit_is_outcome_unknown_and_the_retry_writes_nothing(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    order_id = orders.add()
    connector = make_connector(timeout_seconds=0.5)
    sim.faults.commit_then_timeout(1, delay=5, operation="SaveInvoices")
    with pytest.raises(OutcomeUnknown):
        await connector.report(_event(order_id))
    assert sim.order(order_id).order_status == "OrderState_Sent"  # it was committed
    await connector.report(_event(order_id))  # the outbox retries the event
    assert len(sim.calls_to("SaveInvoices")) == 1


# --- push_stock -----------------------------------------------------------------------------------


def _target(article: str, available: int, version: int = 1) -> StockTarget:
    return StockTarget(article_number=article, available=Decimal(available), version=version)


async def test_push_stock_writes_only_articles_whose_value_differs(sim: TfsoSimulator, make_connector: Make) -> None:
    connector = make_connector()
    await connector.push_stock([_target("A-1", 5), _target("B-2", 3), _target("C-3", 4), _target("NOPE-9", 1)])
    writes = {(w.product_id, w.quantity) for w in sim.stock_writes()}
    assert writes == {(sim.product("B-2").id, Decimal(3)), (sim.product("C-3").id, Decimal(4))}
    assert sim.product("A-1").stock == Decimal(5)
    assert sim.product("B-2").stock == Decimal(3)
    await connector.push_stock([_target("A-1", 5), _target("B-2", 3), _target("C-3", 4)])
    assert len(sim.stock_writes()) == 2  # nothing differs any more
    lookups = sim.calls_to("GetProducts")
    assert lookups[0].fields["ProductIds"] is None  # first push: one listing of every product
    assert sorted(lookups[-1].fields["ProductIds"]) == sorted(sim.product(n).id for n in ("A-1", "B-2", "C-3"))


async def test_push_stock_keeps_the_newest_version_per_article(sim: TfsoSimulator, make_connector: Make) -> None:
    await make_connector().push_stock([_target("B-2", 1, version=3), _target("B-2", 9, version=2)])
    assert [w.quantity for w in sim.stock_writes()] == [Decimal(1)]


async def test_push_stock_with_decimals_uses_plain_notation(sim: TfsoSimulator, make_connector: Make) -> None:
    await make_connector().push_stock([StockTarget(article_number="C-3", available=Decimal("1E+2"), version=1)])
    assert sim.product("C-3").stock == Decimal(100)
    assert sim.calls_to("SetStockQuantity")[0].outcome == "ok"
