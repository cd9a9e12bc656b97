from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import pytest

from router.settings import FanbackSettings, WmsSettings
from router.testing import RouterUnderTest, make_settings, running_router
from simulators.callback import CallbackReceiver
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually

USER, PASSWORD, GOODS_OWNER = "WSI-purchasing", "wms-password", "GO1"
SECRETS = {"erp": "erp-secret", "oms": "oms-secret"}


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        for article in ("A-1", "A-2"):
            sim.add_article(article, stock=0)
        yield sim


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver(SECRETS) as rx:
        yield rx


@pytest.fixture
async def routed(db_dsn: str, wms: OngoingWmsSimulator) -> AsyncIterator[RouterUnderTest]:
    wms_settings = WmsSettings(
        url=wms.url, username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER, timeout=2.0, strict_xml=True
    )
    settings = dataclasses.replace(
        make_settings(db_dsn, wms=wms_settings), fanback=FanbackSettings(poll_seconds=0.2, overlap_seconds=5)
    )
    async with running_router(settings) as r:
        yield r


async def add_sources(router: RouterUnderTest, receiver: CallbackReceiver) -> dict[str, str]:
    """The ERP and the OMS as generic sources (their own connectors need upstream systems to report to)."""
    return {
        name: await router.add_source(
            name,
            name.upper(),
            "B2B",
            settings={"callback_url": receiver.url_for(name)},
            credentials={"callback_secret": SECRETS[name]},
        )
        for name in ("erp", "oms")
    }


def po_json(number: str = "PO-77", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": number,
        "supplier": "SUP-1",
        "supplier_name": "Leverantören AB",
        "expected_date": "2026-12-01",
        "lines": [
            {"line_id": "1", "article_number": "A-1", "quantity": 10},
            {"line_id": "2", "article_number": "A-2", "quantity": 5},
        ],
    }
    body.update(changes)
    return body


async def push(router: RouterUnderTest, key: str, source: str, body: dict[str, Any]) -> Any:
    async with router.client(key) as client:
        return await client.post(f"/api/sources/{source}/purchase-orders", json=body)


async def status(router: RouterUnderTest, key: str, source: str, number: str) -> dict[str, Any]:
    async with router.client(key) as client:
        response = await client.get(f"/api/sources/{source}/purchase-orders/{number}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def in_wms(router: RouterUnderTest, key: str, source: str, number: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        found = await status(router, key, source, number)
        return found if found["state"] == "in_wms" else None

    return await eventually(probe, what=f"{number} of {source} in the WMS")


async def test_the_same_number_from_two_sources_becomes_two_suffixed_in_orders_once_each(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver
) -> None:
    keys = await add_sources(routed, receiver)
    for name, key in keys.items():
        response = await push(routed, key, name, po_json())
        assert response.status_code == 202, response.text
        assert (response.json()["outcome"], response.json()["wms_number"]) == ("created", f"PO-77-{name.upper()}")

    erp = await in_wms(routed, keys["erp"], "erp", "PO-77")
    oms = await in_wms(routed, keys["oms"], "oms", "PO-77")
    again = await push(routed, keys["erp"], "erp", po_json())
    changed = await push(routed, keys["erp"], "erp", po_json(remark="more"))

    assert (again.status_code, again.json()["outcome"]) == (202, "duplicate")
    assert (changed.status_code, changed.json()["code"]) == (409, "purchase_order_changed")
    assert sorted(o.number for o in wms.in_orders()) == ["PO-77-ERP", "PO-77-OMS"]
    assert erp["wms_in_order_id"] != oms["wms_in_order_id"]
    in_order = wms.in_order("PO-77-ERP")
    assert in_order is not None
    assert [(ln.code, ln.article_number, ln.advised) for ln in in_order.lines] == [
        ("1", "A-1", Decimal(10)),
        ("2", "A-2", Decimal(5)),
    ]
    assert in_order.supplier_number == "SUP-1"
    assert len([r for r in wms.requests if r.operation == "ProcessInOrder"]) == 2
    async with routed.client(keys["oms"]) as oms_client:
        assert (await oms_client.get("/api/sources/erp/purchase-orders/PO-77")).status_code == 404


async def test_goods_received_are_reported_to_the_owner_only_and_consumed(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver
) -> None:
    keys = await add_sources(routed, receiver)
    for name, key in keys.items():
        assert (await push(routed, key, name, po_json())).status_code == 202
    await in_wms(routed, keys["erp"], "erp", "PO-77")
    await in_wms(routed, keys["oms"], "oms", "PO-77")

    wms.receive("PO-77-ERP", {"1": 4})
    first = await eventually(lambda: receiver.deliveries("erp", "received"), what="ERP's first received event")
    assert first[0].signature_ok
    assert first[0].body["source_order_number"] == "PO-77"
    assert first[0].body["wms_order_number"] == "PO-77-ERP"
    assert [(ln["line_id"], ln["article_number"], ln["quantity"]) for ln in first[0].body["lines"]] == [("1", "A-1", 4)]
    await eventually(
        lambda: _reported(wms, "PO-77-ERP") == {"1": Decimal(4)}, what="the received 4 marked reported in the WMS"
    )

    wms.receive("PO-77-ERP")  # the rest
    events = await eventually(
        lambda: (found := receiver.deliveries("erp", "received")) and len(found) == 2 and found,
        what="ERP's second received event",
    )
    assert [(ln["line_id"], ln["quantity"]) for ln in events[1].body["lines"]] == [("1", 6), ("2", 5)]
    await eventually(
        lambda: _reported(wms, "PO-77-ERP") == {"1": Decimal(10), "2": Decimal(5)}, what="all received reported"
    )
    detail = await status(routed, keys["erp"], "erp", "PO-77")
    assert [(ln["line_id"], ln["received"]) for ln in detail["lines"]] == [("1", "10"), ("2", "5")]
    assert [e["state"] for e in detail["events"]] == ["delivered", "delivered"]
    assert receiver.deliveries("oms") == []
    assert (await status(routed, keys["oms"], "oms", "PO-77"))["events"] == []


async def test_a_foreign_in_order_received_in_the_wms_is_ignored_and_counted(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver
) -> None:
    keys = await add_sources(routed, receiver)
    assert (await push(routed, keys["erp"], "erp", po_json("PO-1"))).status_code == 202
    await in_wms(routed, keys["erp"], "erp", "PO-1")

    wms.create_foreign_in_order("MANUAL-9", {"A-1": 3})
    wms.receive("MANUAL-9")
    wms.receive("PO-1-ERP", {"2": 1})

    await eventually(lambda: receiver.deliveries("erp", "received"), what="the router's own receipt reported")

    async def counted() -> dict[str, Any] | None:
        body: dict[str, Any] = (await routed.admin.get("/api/purchase-orders/foreign")).json()
        return body if body["in_orders"] == 1 else None

    foreign = await eventually(counted, what="the foreign in-order counted")
    assert foreign["sightings"] >= 1
    assert [d.body["wms_order_number"] for d in receiver.deliveries()] == ["PO-1-ERP"]
    manual = wms.in_order("MANUAL-9")
    assert manual is not None
    assert all(line.reported is None for line in manual.lines)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": [{"article_number": "A%1", "quantity": 1}]}, "lines[0].article_number"),
        ({"lines": [{"article_number": "A-1", "quantity": 0}]}, "lines[0].quantity"),
        ({"lines": []}, "lines"),
        ({"number": ""}, "number"),
    ],
)
async def test_a_bad_purchase_order_is_422_naming_the_field(
    routed: RouterUnderTest, wms: OngoingWmsSimulator, receiver: CallbackReceiver, changes: dict[str, Any], field: str
) -> None:
    keys = await add_sources(routed, receiver)
    response = await push(routed, keys["erp"], "erp", po_json(**changes))

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field
    assert wms.in_orders() == []


def _reported(wms: OngoingWmsSimulator, number: str) -> dict[str | None, Decimal]:
    in_order = wms.in_order(number)
    assert in_order is not None
    return {line.code: line.reported for line in in_order.lines if line.reported is not None}
