"""A 24SevenOffice simulator per test on loopback, and connectors pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from connectors.base import ConnectorContext
from connectors.tfso import TfsoConnector
from simulators.tfso import Company, PostalAddress, TfsoSimulator
from tests.support.tfso import erp_source

APP = "5e1f3a0c-1111-4a2b-9c3d-000000000001"
USER = "api@kunde.no"
PASSWORD = "hunter2-secret"
CUSTOMER = 20002


@pytest.fixture
def sim() -> Iterator[TfsoSimulator]:
    with TfsoSimulator(application_id=APP, username=USER, password=PASSWORD) as simulator:
        simulator.add_company(
            Company(id=CUSTOMER, name="Kunde AS", phone_mobile="+47 900 00 000", email_primary="post@kunde.no")
        )
        for number, stock in (("A-1", 5), ("B-2", 7), ("C-3", 0)):
            simulator.add_product(number, f"Product {number}", stock=stock)
        yield simulator


class Orders:
    """Seeds orders into the simulator the way an ERP user would enter them."""

    def __init__(self, sim: TfsoSimulator) -> None:
        self.sim = sim

    def add(self, *, status: str = "Confirmed", phone: str | None = "+47 22 00 00 00", **fields: Any) -> int:
        fields.setdefault("invoice_email", "faktura@kunde.no")
        order = self.sim.add_order(
            customer_id=CUSTOMER,
            rows=[self.sim.row("A-1", 2, price=Decimal("99.50"), vat_rate=Decimal(25))],
            status=status,
            delivery_address=PostalAddress(street="Storgata 1", postal_code="0155", postal_area="OSLO", country="NO"),
            customer_name="Kunde AS",
            customer_delivery_phone=phone,
            currency="NOK",
            **fields,
        )
        return order.order_id


@pytest.fixture
def orders(sim: TfsoSimulator) -> Orders:
    return Orders(sim)


@pytest.fixture
async def make_connector(sim: TfsoSimulator) -> AsyncIterator[Callable[..., TfsoConnector]]:
    made: list[TfsoConnector] = []

    def make(credentials: dict[str, object] | None = None, **settings: Any) -> TfsoConnector:
        configured = {"base_url": sim.base_url, "timeout_seconds": 5, **settings}
        source = erp_source(configured, source_id=7)
        given = (
            credentials if credentials is not None else {"application_id": APP, "username": USER, "password": PASSWORD}
        )
        connector = TfsoConnector(ConnectorContext(source=source, credentials=given))
        made.append(connector)
        return connector

    yield make
    for connector in made:
        await connector.aclose()
