"""Article master data and purchase orders over real SOAP, against the simulator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import httpx
import pytest

from router.domain import ArticleUpdate
from router.errors import FatalUpstreamError
from router.wms import WmsArticle, WmsPurchaseOrder, WmsPurchaseOrderLine

if TYPE_CHECKING:
    from router.wms.client import WmsClient
    from simulators.ongoing_wms import OngoingWmsSimulator
    from tests.integration.wms.conftest import ManualClock


def purchase_order(number: str = "PO-1-SE", *lines: tuple[str, str, int], **fields: object) -> WmsPurchaseOrder:
    return WmsPurchaseOrder(
        number=number,
        lines=tuple(
            WmsPurchaseOrderLine(line_id=lid, article_number=art, quantity=Decimal(qty))
            for lid, art, qty in (lines or (("1", "A1", 20), ("2", "A2", 4)))
        ),
        **fields,  # type: ignore[arg-type]
    )


# --- articles -----------------------------------------------------------------------------------------


async def test_process_article_sends_the_master_data(client: WmsClient, sim: OngoingWmsSimulator) -> None:
    update = ArticleUpdate(
        article_number="T-1",
        name="Teapot",
        description="Cast iron, 1 l",
        product_code="TP-CI-1",
        barcode="7350000000011",
        weight=Decimal("1.2"),
        length=Decimal(20),
        width=Decimal(15),
        height=Decimal(12),
        country_of_origin="JP",
        statistics_number="73239100",
    )
    article_id = await client.process_article(update)

    held = sim.article("T-1")
    assert held is not None
    assert held.system_id == article_id
    assert (held.name, held.description, held.product_code, held.barcode) == (
        "Teapot",
        "Cast iron, 1 l",
        "TP-CI-1",
        "7350000000011",
    )
    assert (held.weight, held.length, held.width, held.height) == (Decimal("1.2"), 20, 15, 12)
    assert (held.country_of_origin, held.statistics_number, held.is_obsolete) == ("JP", "73239100", False)
    [line] = await client.get_inventory(article_numbers=["T-1"])
    assert (line.article_name, line.system_id) == ("Teapot", article_id)


async def test_deactivating_makes_the_article_obsolete_and_clears_its_barcode(
    client: WmsClient, sim: OngoingWmsSimulator
) -> None:
    await client.process_article(ArticleUpdate(article_number="T-2", name="Cup", barcode="7350000000028"))
    await client.process_article(ArticleUpdate(article_number="T-2", active=False))

    held = sim.article("T-2")
    assert held is not None
    assert (held.name, held.barcode, held.is_obsolete) == ("Cup", None, True)  # unset fields are kept
    sent = [r.fields for r in sim.requests if r.operation == "ProcessArticle"]
    assert [(f["barcode"], f["is_obsolete"]) for f in sent] == [("7350000000028", False), ("", True)]


async def test_a_wms_article_without_a_barcode_leaves_the_barcode_alone(
    client: WmsClient, sim: OngoingWmsSimulator
) -> None:
    await client.process_article(WmsArticle(number="T-3", barcode="7350000000035"))
    await client.process_article(WmsArticle(number="T-3", name="Jug"))
    assert (sim.article("T-3").name, sim.article("T-3").barcode) == ("Jug", "7350000000035")  # type: ignore[union-attr]


# --- purchase orders ---------------------------------------------------------------------------------


async def test_a_purchase_order_is_created_received_and_reported(
    client: WmsClient, sim: OngoingWmsSimulator, clock: ManualClock
) -> None:
    expected = dt.date(2030, 2, 1)
    in_order_id = await client.process_in_order(
        purchase_order(supplier="S-77", supplier_name="Kettle AB", expected_date=expected)
    )
    [created] = await client.get_in_orders(numbers=["PO-1-SE"])
    assert (created.in_order_id, created.status_number, created.status_text, created.supplier) == (
        in_order_id,
        200,
        "Notified",
        "S-77",
    )
    assert [(x.line_id, x.article_number, x.advised, x.received, x.reported) for x in created.lines] == [
        ("1", "A1", Decimal(20), Decimal(0), None),
        ("2", "A2", Decimal(4), Decimal(0), None),
    ]
    assert sim.in_order("PO-1-SE").in_date == dt.datetime(2030, 2, 1, tzinfo=dt.UTC)  # type: ignore[union-attr]
    [a1] = await client.get_inventory(article_numbers=["A1"])
    assert (a1.to_receive, a1.on_hand) == (Decimal(20), Decimal(10))

    received_at = clock.advance(hours=2)
    sim.receive("PO-1-SE", {"1": 12})
    [partly] = await client.get_in_orders(only_unreported=True)
    assert (partly.status_number, partly.status_text, partly.received_at) == (300, "Partly received", received_at)
    assert [x.received for x in partly.lines] == [Decimal(12), Decimal(0)]
    [a1] = await client.get_inventory(article_numbers=["A1"])
    assert (a1.to_receive, a1.on_hand, a1.sellable, a1.last_in_at) == (Decimal(8), 22, 22, received_at)

    assert await client.report_in_order_lines("PO-1-SE", {"1": Decimal(12)}) == in_order_id
    assert await client.get_in_orders(only_unreported=True) == []
    sim.receive("PO-1-SE")  # the rest
    [complete] = await client.get_in_orders(only_unreported=True)
    assert (complete.status_number, [x.received for x in complete.lines]) == (400, [Decimal(20), Decimal(4)])


async def test_purchase_order_update_and_cancel_rules(client: WmsClient, sim: OngoingWmsSimulator) -> None:
    first = await client.process_in_order(purchase_order("PO-2-SE"))
    again = await client.process_in_order(purchase_order("PO-2-SE", ("1", "A1", 30)))
    assert again == first
    assert [(x.code, x.advised) for x in sim.in_order("PO-2-SE").lines] == [("1", Decimal(30))]  # type: ignore[union-attr]

    with pytest.raises(FatalUpstreamError, match="NOPE"):
        await client.process_in_order(purchase_order("PO-3-SE", ("1", "NOPE", 1)))
    with pytest.raises(FatalUpstreamError, match="already exists"):
        await client.process_in_order(purchase_order("PO-2-SE"), operation="Create")

    assert await client.cancel_in_order("PO-2-SE") == first
    [cancelled] = await client.get_in_orders(numbers=["PO-2-SE"])
    assert cancelled.status_number == 1000
    assert sim.inventory("A1").to_receive == Decimal(0)

    await client.process_in_order(purchase_order("PO-4-SE"))
    sim.receive("PO-4-SE", {"2": 1})
    with pytest.raises(FatalUpstreamError, match="goods have been received"):
        await client.process_in_order(purchase_order("PO-4-SE", ("1", "A1", 1)))
    with pytest.raises(FatalUpstreamError, match="goods have been received"):
        await client.cancel_in_order("PO-4-SE")
    with pytest.raises(FatalUpstreamError, match="line 9 not found"):
        await client.report_in_order_lines("PO-4-SE", {"9": Decimal(1)})


def test_foreign_purchase_orders_over_the_http_controls(sim: OngoingWmsSimulator) -> None:
    base = f"{sim.base_url}/_sim/in-orders"
    body = {"number": "PO-9000", "lines": [{"line_id": "1", "article": "A2", "quantity": "6"}], "supplier": "S-1"}
    assert httpx.post(base, json=body).status_code == 201
    received = httpx.post(f"{base}/PO-9000/receive", json={"lines": {"1": "6"}}).json()
    assert (received["status"], received["lines"][0]["received"]) == (400, "6")
    assert httpx.post(f"{base}/PO-9000/receive", json={"lines": {"7": "1"}}).status_code == 404
    assert httpx.get(f"{base}/nope").status_code == 404
    assert [o["number"] for o in httpx.get(base).json()] == ["PO-9000"]
    assert sim.inventory("A2").on_hand == Decimal(11)


async def test_foreign_purchase_orders_are_read_like_the_routers_own(
    client: WmsClient, sim: OngoingWmsSimulator
) -> None:
    await client.process_in_order(purchase_order("PO-5-SE", ("1", "A1", 1)))
    sim.create_foreign_in_order("PO-9001", {"A1": 2}, supplier="S-2")
    sim.create_foreign_in_order("PO-9002", [("10", "A2", 3)])
    sim.receive("PO-9002", {"10": 3})

    found = {o.number: o for o in await client.get_in_orders()}
    assert sorted(found) == ["PO-5-SE", "PO-9001", "PO-9002"]
    assert (found["PO-9001"].supplier, found["PO-9001"].status_number) == ("S-2", 200)
    assert [(x.line_id, x.received) for x in found["PO-9002"].lines] == [("10", Decimal(3))]
    assert sim.inventory("A1").to_receive == Decimal(3)
    assert sim.in_order("PO-9001").foreign  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="already exists"):
        sim.create_foreign_in_order("PO-9001", {"A1": 1})
