from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from router.settings import WmsSettings
from router.testing import make_settings, running_router
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually
from simulators.tfso import Company, PostalAddress, TfsoSimulator

APP, USER, PASSWORD = "00000000-0000-0000-0000-0000000000aa", "api@example.no", "tfso-password"


@pytest.fixture
def erp() -> Iterator[TfsoSimulator]:
    with TfsoSimulator(application_id=APP, username=USER, password=PASSWORD) as sim:
        sim.add_company(
            Company(id=20002, name="Kunde AS", phone_mobile="+47 900 00 000", email_primary="post@kunde.no")
        )
        sim.add_product("A-1", "Product A-1", stock=5)
        yield sim


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with OngoingWmsSimulator(username="u", password="p", goods_owner_code="GO") as sim:
        sim.add_article("A-1", stock=100)
        yield sim


def erp_order(sim: TfsoSimulator) -> int:
    order = sim.add_order(
        customer_id=20002,
        rows=[sim.row("A-1", 2, price=Decimal("99.50"), vat_rate=Decimal(25))],
        delivery_address=PostalAddress(street="Storgata 1", postal_code="0155", postal_area="OSLO", country="NO"),
        customer_name="Kunde AS",
        currency="NOK",
    )
    return order.order_id


async def test_a_pulled_erp_order_reaches_the_wms_once_with_the_suffix(
    db_dsn: str, erp: TfsoSimulator, wms: OngoingWmsSimulator, db: asyncpg.Pool
) -> None:
    first = erp_order(erp)
    wms_settings = WmsSettings(url=wms.url, username="u", password="p", goods_owner_code="GO", strict_xml=True)
    settings = make_settings(db_dsn, wms=wms_settings)
    settings = dataclasses.replace(settings, ledger=dataclasses.replace(settings.ledger, sync_enabled=False))
    async with running_router(settings) as router:
        response = await router.admin.post(
            "/api/sources",
            json={
                "name": "erp",
                "kind": "tfso",
                "suffix": "ERP",
                "order_type": "B2B",
                "settings": {"base_url": erp.base_url, "poll_interval_seconds": 5, "timeout_seconds": 5},
                "credentials": {"application_id": APP, "username": USER, "password": PASSWORD},
            },
        )
        assert response.status_code == 201, response.text
        await eventually(lambda: wms.order(f"{first}-ERP") is not None, what="the ERP order in the WMS")

        second = erp_order(erp)
        await eventually(
            lambda: wms.order(f"{second}-ERP") is not None, what="a later ERP order in the WMS", timeout=30
        )

        async def pulled_again() -> bool:  # several more rounds re-read the overlap window
            return bool(await db.fetchval("SELECT count(*) FROM pull_cursors WHERE pulled_at > now() - interval '1 s'"))

        await eventually(pulled_again, what="more pull rounds", timeout=30)
    numbers = sorted(o.number for o in wms.orders())
    assert numbers == sorted([f"{first}-ERP", f"{second}-ERP"])
    assert all(o.order_type == "B2B" for o in wms.orders())
    assert await db.fetchval("SELECT count(*) FROM orders") == 2
    assert await db.fetchval("SELECT count(*) FROM inbox WHERE channel = 'pull' AND state = 'accepted'") == 2
    assert "tfso-password" not in str(await db.fetch("SELECT headers FROM inbox"))


async def test_a_pull_source_is_pulled_by_one_process_at_a_time(db_dsn: str, erp: TfsoSimulator) -> None:
    for _ in range(3):
        erp_order(erp)
    settings = make_settings(db_dsn)
    settings = dataclasses.replace(settings, ledger=dataclasses.replace(settings.ledger, sync_enabled=False))
    async with running_router(settings) as a, running_router(settings) as b:
        await a.admin.post(
            "/api/sources",
            json={
                "name": "erp",
                "kind": "tfso",
                "suffix": "ERP",
                "order_type": "B2B",
                "settings": {"base_url": erp.base_url, "poll_interval_seconds": 5, "timeout_seconds": 5},
                "credentials": {"application_id": APP, "username": USER, "password": PASSWORD},
            },
        )

        async def three_orders() -> Any:
            page = (await b.admin.get("/api/sources/erp/orders")).json()["items"]
            return len(page) == 3

        await eventually(three_orders, what="three pulled orders")
        items = (await a.admin.get("/api/sources/erp/orders")).json()["items"]
    assert sorted(o["source_order_number"] for o in items) == sorted(str(o.order_id) for o in erp.orders())
