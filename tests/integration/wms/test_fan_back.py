"""Fan-back over real SOAP: warehouse moves in the simulator, read back by the strict zeep client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import httpx
import pytest

from router.domain import RoutedOrder, WmsOrderLineStatus
from router.errors import FatalUpstreamError

if TYPE_CHECKING:
    from router.wms.client import WmsClient
    from simulators.ongoing_wms import OngoingWmsSimulator
    from tests.integration.wms.conftest import ManualClock

MakeRouted = Callable[..., RoutedOrder]
TWO_LINES = (("1", "A1", 3), ("2", "A2", 2))


def lines_of(found: object) -> list[tuple[str | None, Decimal, Decimal, Decimal | None, Decimal, Decimal | None]]:
    lines: tuple[WmsOrderLineStatus, ...] = found.lines  # type: ignore[attr-defined]
    return [(x.line_id, x.picked, x.allocated, x.reported, x.returned, x.reported_returned) for x in lines]


# --- warehouse moves ---------------------------------------------------------------------------------


async def test_partial_picks_accumulate_and_ship_carries_waybill_tracking_and_transporter(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted, clock: ManualClock
) -> None:
    await client.process_order(make_routed("60-SE", lines=TWO_LINES))
    sim.allocate("60-SE")
    assert [(line.line_id, line.allocated) for line in (await client.find_order("60-SE")).lines] == [  # type: ignore[union-attr]
        ("1", Decimal(3)),
        ("2", Decimal(2)),
    ]

    sim.pick("60-SE", {"1": 1})
    sim.pick("60-SE", {"1": 1, "2": 2})
    picked = await client.find_order("60-SE")
    assert picked is not None
    assert (picked.status_number, picked.shipped_at, picked.way_bill) == (400, None, None)
    assert lines_of(picked) == [
        ("1", Decimal(2), Decimal(1), None, Decimal(0), None),
        ("2", Decimal(2), 0, None, 0, None),
    ]

    shipped_at = clock.advance(minutes=5)
    sim.ship("60-SE", way_bill="00370712345", tracking_url="https://track.example/00370712345", transporter="PostNord")
    shipped = await client.find_order("60-SE")
    assert shipped is not None
    assert (shipped.status_number, shipped.status_text) == (450, "Sent")
    assert (shipped.way_bill, shipped.tracking_url, shipped.transporter) == (
        "00370712345",
        "https://track.example/00370712345",
        "PostNord",
    )
    assert shipped.shipped_at == shipped_at
    assert sim.inventory("A1").on_hand == Decimal(8)  # 2 of 3 picked and shipped
    assert sim.inventory("A2").on_hand == Decimal(3)


async def test_transporter_code_is_used_when_it_has_no_name(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    await client.process_order(make_routed("61-SE"))
    sim.pick("61-SE")
    sim.ship("61-SE", transporter_code="DHL")
    found = await client.find_order("61-SE")
    assert found is not None
    assert (found.transporter, found.tracking_url, found.way_bill) == ("DHL", None, None)


@pytest.mark.parametrize(
    ("move", "message"),
    [
        (lambda sim: sim.pick("62-SE", {"1": 3}), "cannot pick"),
        (lambda sim: sim.pick("62-SE", {"9": 1}), "no lines"),
        (lambda sim: sim.ship("62-SE"), "nothing picked"),
        (lambda sim: sim.return_lines("62-SE", {"1": 1}), "nothing shipped"),
    ],
)
async def test_impossible_moves_are_refused_and_change_nothing(
    client: WmsClient,
    sim: OngoingWmsSimulator,
    make_routed: MakeRouted,
    move: Callable[[OngoingWmsSimulator], object],
    message: str,
) -> None:
    await client.process_order(make_routed("62-SE"))
    before = sim.order("62-SE")

    with pytest.raises((ValueError, KeyError), match=message):
        move(sim)

    assert sim.order("62-SE") == before


async def test_warehouse_cancel_below_picking_only(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    await client.process_order(make_routed("63-SE"))
    await client.process_order(make_routed("64-SE"))
    sim.allocate("63-SE")
    assert sim.inventory("A1").sellable == Decimal(6)

    assert sim.cancel("63-SE").status == 1000  # allocated: the warehouse may still cancel
    sim.pick("64-SE", {"1": 1})
    with pytest.raises(ValueError, match="too late"):
        sim.cancel("64-SE")

    found = {o.order_number: o for o in await client.get_orders(numbers=["63-SE", "64-SE"])}
    assert (found["63-SE"].status_number, found["63-SE"].lines[0].allocated) == (1000, Decimal(0))
    assert found["64-SE"].status_number == 400
    assert sim.inventory("A1").sellable == Decimal(8)


# --- counters, reporting and the cursor ------------------------------------------------------------


async def test_returns_are_counted_per_line_and_reported_separately(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    await client.process_order(make_routed("70-SE", lines=TWO_LINES))
    sim.pick("70-SE")
    sim.ship("70-SE", way_bill="WB70")
    await client.report_lines("70-SE", {"1": Decimal(3), "2": Decimal(2)})
    assert await client.get_orders(only_lines_to_report=True) == []

    sim.return_lines("70-SE", {"1": 1})
    sim.return_lines("70-SE", {"1": 1, "2": 1})
    [returned] = await client.get_orders(only_lines_to_report=True)
    assert (returned.order_number, returned.status_number, returned.status_text) == ("70-SE", 800, "Returned")
    assert lines_of(returned) == [
        ("1", Decimal(3), Decimal(0), Decimal(3), Decimal(2), None),
        ("2", Decimal(2), Decimal(0), Decimal(2), Decimal(1), None),
    ]
    assert sim.inventory("A1").on_hand == Decimal(9)  # 10 - 3 shipped + 2 back

    assert await client.report_returned_lines("70-SE", {"1": Decimal(2)}) == returned.order_id
    assert [o.order_number for o in await client.get_orders(only_lines_to_report=True)] == ["70-SE"]
    await client.report_returned_lines("70-SE", {"2": Decimal(1)})
    assert await client.get_orders(only_lines_to_report=True) == []
    assert [line.reported_returned for line in sim.order("70-SE").lines] == [Decimal(2), Decimal(1)]  # type: ignore[union-attr]
    assert sim.requests[-2].fields["reported_returned"] == {"2": "1"}


async def test_return_without_restock_leaves_stock_and_over_return_is_refused(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    await client.process_order(make_routed("71-SE"))
    sim.pick("71-SE")
    sim.ship("71-SE")
    sim.return_lines("71-SE", {"1": 1}, restock=False)
    with pytest.raises(ValueError, match="cannot return"):
        sim.return_lines("71-SE", {"1": 2})
    assert sim.inventory("A1").on_hand == Decimal(8)
    assert sim.order("71-SE").lines[0].returned == Decimal(1)  # type: ignore[union-attr]


async def test_every_move_bumps_last_updated_for_a_cursor_read(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted, clock: ManualClock
) -> None:
    await client.process_order(make_routed("72-SE"))
    await client.process_order(make_routed("73-SE"))
    cursor = clock.advance(minutes=1)
    moves = [
        lambda: sim.allocate("72-SE"),
        lambda: sim.pick("72-SE", {"1": 1}),
        lambda: sim.ship("72-SE", way_bill="W"),
        lambda: sim.return_lines("72-SE", {"1": 1}),
    ]
    for move in moves:
        clock.advance(seconds=10)
        assert move().updated_at == clock.now  # type: ignore[attr-defined]
        changed = await client.get_orders(changed_since=cursor)
        assert [o.order_number for o in changed] == ["72-SE"]
        cursor = clock.now + dt.timedelta(microseconds=1)

    assert await client.get_orders(changed_since=cursor) == []
    window = await client.get_orders(changed_since=sim.order("73-SE").updated_at, changed_until=cursor)  # type: ignore[union-attr]
    assert [o.order_number for o in window] == ["72-SE", "73-SE"]


async def test_read_changed_orders_returns_its_start_as_the_next_cursor(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted, clock: ManualClock
) -> None:
    await client.process_order(make_routed("74-SE"))
    first = await client.read_changed_orders(None, clock=clock)
    assert ([o.order_number for o in first.orders], first.cursor) == (["74-SE"], clock.now)

    clock.advance(minutes=10)
    again = await client.read_changed_orders(first.cursor, overlap=dt.timedelta(minutes=1), clock=clock)
    assert [o.order_number for o in again.orders] == ["74-SE"]  # within the overlap: read twice, by design
    clock.advance(minutes=1)
    quiet = await client.read_changed_orders(again.cursor, overlap=dt.timedelta(minutes=1), clock=clock)
    assert (quiet.orders, quiet.cursor) == ([], clock.now)

    clock.advance(seconds=30)
    sim.pick("74-SE")
    picked = await client.read_changed_orders(quiet.cursor, overlap=dt.timedelta(minutes=1), clock=clock)
    assert [(o.order_number, o.status_number) for o in picked.orders] == [("74-SE", 400)]
    since = [r.fields["updated_from"] for r in sim.requests if r.operation == "GetOrdersByQuery"][-1]
    assert since == (quiet.cursor - dt.timedelta(minutes=1)).isoformat()


# --- foreign orders -----------------------------------------------------------------------------------


async def test_foreign_orders_are_visible_and_take_sellable_stock(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    await client.process_order(make_routed("9001-SE"))
    sim.create_foreign_order("9000", {"A1": 1, "A2": 2})
    sim.create_foreign_order("9001-XX", [("10", "A1", 4)], order_type="B2B")
    sim.create_foreign_order("9002-SE", {"A2": 1})

    everything = {o.order_number: o for o in await client.get_orders()}
    assert sorted(everything) == ["9000", "9001-SE", "9001-XX", "9002-SE"]
    assert [(x.line_id, x.article_number, x.ordered) for x in everything["9000"].lines] == [
        ("1", "A1", Decimal(1)),
        ("2", "A2", Decimal(2)),
    ]
    assert (everything["9001-XX"].order_type, everything["9001-XX"].lines[0].line_id) == ("B2B", "10")
    assert sim.inventory("A1").sellable == Decimal(10 - 2 - 1 - 4)
    assert sim.order("9000").foreign  # type: ignore[union-attr]
    assert not sim.order("9001-SE").foreign  # type: ignore[union-attr]

    sim.pick("9000")
    sim.ship("9000")
    assert [o.order_number for o in await client.get_orders(only_lines_to_report=True)] == ["9000"]
    with pytest.raises(ValueError, match="already exists"):
        sim.create_foreign_order("9000", {"A1": 1})
    with pytest.raises(ValueError, match="unknown articles"):
        sim.create_foreign_order("9003", {"NOPE": 1})


async def test_a_foreign_order_cannot_be_reported_on_a_missing_line(
    client: WmsClient, sim: OngoingWmsSimulator
) -> None:
    sim.create_foreign_order("9010", {"A1": 1})
    with pytest.raises(FatalUpstreamError, match="line 7 not found"):
        await client.report_returned_lines("9010", {"7": Decimal(1)})


# --- the HTTP control API for moves ---------------------------------------------------------------


def test_http_controls_move_orders(sim: OngoingWmsSimulator) -> None:
    base = f"{sim.base_url}/_sim"
    body = {"number": "9100", "lines": [{"line_id": "1", "article": "A1", "quantity": "3"}]}
    assert httpx.post(f"{base}/orders", json=body).status_code == 201
    assert httpx.post(f"{base}/orders/9100/allocate").json()["status"] == 320
    assert httpx.post(f"{base}/orders/9100/pick", json={"lines": {"1": "2"}}).json()["lines"][0]["picked"] == "2"
    assert httpx.post(f"{base}/orders/9100/pick", json={"lines": {"1": "5"}}).status_code == 400
    shipped = httpx.post(
        f"{base}/orders/9100/ship", json={"way_bill": "WB", "tracking_url": "https://t/WB", "transporter": "Bring"}
    ).json()
    assert (shipped["status"], shipped["tracking_url"], shipped["transporter_name"]) == (450, "https://t/WB", "Bring")
    returned = httpx.post(f"{base}/orders/9100/return", json={"lines": {"1": "1"}, "restock": False}).json()
    assert (returned["status"], returned["lines"][0]["returned"]) == (800, "1")
    assert httpx.post(f"{base}/orders/9100/cancel").status_code == 400
    assert httpx.post(f"{base}/orders/nope/cancel").status_code == 404
    assert httpx.delete(f"{base}/orders/9100").status_code == 405
    assert httpx.get(f"{base}/inventory/A1").json()["on_hand"] == "8"
