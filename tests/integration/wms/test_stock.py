"""Stock for the reservation ledger over real SOAP: sellable figures, paging, adjustments and their changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import httpx
import pytest

from router.domain import RoutedOrder

if TYPE_CHECKING:
    from router.wms.client import WmsClient
    from simulators.ongoing_wms import OngoingWmsSimulator
    from tests.integration.wms.conftest import ManualClock

MakeRouted = Callable[..., RoutedOrder]


async def figures(client: WmsClient, article: str) -> tuple[Decimal | None, Decimal, Decimal | None, Decimal | None]:
    [line] = await client.get_inventory(article_numbers=[article])
    return line.sellable, line.on_hand, line.allocated, line.booked


async def test_sellable_nets_open_orders_until_they_ship(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    await client.process_order(make_routed("80-SE", lines=(("1", "A1", 3),)))
    sim.create_foreign_order("9080", {"A1": 9})
    assert await figures(client, "A1") == (Decimal(-2), Decimal(10), Decimal(0), Decimal(12))

    sim.allocate("80-SE")
    assert await figures(client, "A1") == (Decimal(-2), Decimal(10), Decimal(3), Decimal(12))
    sim.pick("80-SE")
    assert await figures(client, "A1") == (Decimal(-2), Decimal(10), Decimal(0), Decimal(9))
    sim.ship("80-SE")
    assert await figures(client, "A1") == (Decimal(-2), Decimal(7), Decimal(0), Decimal(9))
    sim.cancel("9080")
    assert await figures(client, "A1") == (Decimal(7), Decimal(7), Decimal(0), Decimal(0))


async def test_adjustments_are_inventory_transactions_read_by_get_inventory_changes(
    client: WmsClient, sim: OngoingWmsSimulator, clock: ManualClock
) -> None:
    start = clock.now
    received = sim.adjust_stock("A1", 5, cause="received", comment="pallet 7")
    clock.advance(minutes=5)
    sim.adjust_stock("A2", -2, cause="damaged")
    clock.advance(minutes=5)
    counted = sim.adjust_stock("A1", Decimal("-1.5"), cause="counted")

    everything = await client.get_inventory_changes(start, clock.now)
    assert [(c.article_number, c.quantity, c.cause_code, c.inventory_id) for c in everything] == [
        ("A1", Decimal(5), "received", received.inventory_id),
        ("A1", Decimal("-1.5"), "counted", counted.inventory_id),
        ("A2", Decimal(-2), "damaged", received.inventory_id + 1),
    ]
    assert (everything[0].at, everything[0].comment, everything[0].cause_name) == (start, "pallet 7", "Goods received")
    assert everything[0].article_system_id == sim.article("A1").system_id  # type: ignore[union-attr]
    middle = await client.get_inventory_changes(start + dt.timedelta(minutes=1), start + dt.timedelta(minutes=6))
    assert [(c.article_number, c.quantity) for c in middle] == [("A2", Decimal(-2))]
    assert await client.get_inventory_changes(clock.advance(seconds=1)) == []

    [a1] = await client.get_inventory(article_numbers=["A1"])
    assert (a1.on_hand, a1.sellable, a1.last_in_at) == (Decimal("13.5"), Decimal("13.5"), start)


def test_adjustments_cannot_take_stock_below_zero_or_use_unknown_causes(sim: OngoingWmsSimulator) -> None:
    with pytest.raises(ValueError, match="only 5 on hand"):
        sim.adjust_stock("A2", -6, cause="damaged")
    with pytest.raises(ValueError, match="cause must be"):
        sim.adjust_stock("A2", 1, cause="stolen")
    with pytest.raises(KeyError):
        sim.adjust_stock("NOPE", 1)
    assert sim.transactions() == []
    assert sim.inventory("A2").on_hand == Decimal(5)


async def test_inventory_pages_by_system_id(client: WmsClient, sim: OngoingWmsSimulator) -> None:
    for n in range(3, 10):
        sim.add_article(f"A{n}", stock=n)

    first = await client.get_inventory(max_articles=3)
    assert [line.article_number for line in first] == ["A1", "A2", "A3"]
    assert [line.system_id for line in first] == [1, 2, 3]
    assert [line.article_number for line in await client.get_inventory(max_articles=2, system_id_from=8)] == [
        "A8",
        "A9",
    ]

    paged = [line async for line in client.iter_inventory(page_size=4)]
    assert [line.article_number for line in paged] == [f"A{n}" for n in range(1, 10)]
    pages = [r.fields for r in sim.requests if r.operation == "GetInventoryByQuery"][-3:]
    assert [(p["max_articles"], p["system_id_from"], len(p["found"])) for p in pages] == [  # type: ignore[arg-type]
        (4, None, 4),
        (4, 5, 4),
        (4, 9, 1),
    ]


async def test_iter_inventory_stops_when_the_last_page_is_exactly_full(
    client: WmsClient, sim: OngoingWmsSimulator
) -> None:
    sim.add_article("A3", stock=1)
    sim.add_article("A4", stock=1)

    paged = [line.article_number async for line in client.iter_inventory(page_size=2)]

    assert paged == ["A1", "A2", "A3", "A4"]
    assert len([r for r in sim.requests if r.operation == "GetInventoryByQuery"]) == 3  # the last one is empty
    with pytest.raises(ValueError, match="page_size"):
        [line async for line in client.iter_inventory(page_size=0)]


async def test_stock_info_changed_from_follows_figure_changes_only(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted, clock: ManualClock
) -> None:
    await client.process_order(make_routed("81-SE", lines=(("1", "A1", 1),)))
    cutoff = clock.advance(seconds=1)
    sim.set_status("81-SE", 300)  # no stock figure changes
    assert await client.get_inventory(changed_since=cutoff) == []
    sim.adjust_stock("A2", 1)
    assert [line.article_number for line in await client.get_inventory(changed_since=cutoff)] == ["A2"]
    clock.advance(seconds=1)
    sim.allocate("81-SE")  # allocated changes
    assert [line.article_number for line in await client.get_inventory(changed_since=cutoff)] == ["A1", "A2"]


def test_stock_over_the_http_control_api(sim: OngoingWmsSimulator) -> None:
    base = f"{sim.base_url}/_sim"
    adjusted = httpx.post(f"{base}/articles/A1/adjust", json={"delta": "-3", "cause": "damaged"})
    assert (adjusted.status_code, adjusted.json()["quantity"]) == (200, "-3")
    assert httpx.post(f"{base}/articles/A1/adjust", json={"delta": "-30"}).status_code == 400
    assert httpx.post(f"{base}/articles/NOPE/adjust", json={"delta": "1"}).status_code == 404
    assert [t["cause_code"] for t in httpx.get(f"{base}/transactions").json()] == ["damaged"]
    rows = {row["article"]["number"]: row for row in httpx.get(f"{base}/inventory").json()}
    assert (rows["A1"]["on_hand"], rows["A1"]["sellable"], rows["A2"]["on_hand"]) == ("7", "7", "5")
    assert httpx.get(f"{base}/articles/A2").json()["name"] == "Cup"
    assert httpx.get(f"{base}/inventory/NOPE").status_code == 404
