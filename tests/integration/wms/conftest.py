"""Fixtures for the WMS client and the Ongoing simulator: a real zeep client over loopback HTTP."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
import stamina

from router.domain import Address, CanonicalOrder, OrderLine, RoutedOrder
from router.wms.client import WmsClient
from simulators.ongoing_wms import OngoingWmsSimulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

USER = "WSI-router-test"
PASSWORD = "pw-Xq7-never-in-logs"
GOODS_OWNER = "GO-TEST"


@pytest.fixture(autouse=True)
def _retries_without_backoff() -> Iterator[None]:
    """Reads keep their 3 attempts, but stamina does not sleep between them."""
    with stamina.set_testing(True, attempts=3):
        yield


@pytest.fixture
def sim() -> Iterator[OngoingWmsSimulator]:
    """A fresh simulator with two articles in stock."""
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as simulator:
        simulator.add_article("A1", "Mug", stock=10)
        simulator.add_article("A2", "Cup", stock=5)
        yield simulator


async def open_client(sim: OngoingWmsSimulator, *, password: str = PASSWORD, http_timeout: float = 5.0) -> WmsClient:
    return await WmsClient.open(
        url=sim.url,
        username=USER,
        password=password,
        goods_owner_code=GOODS_OWNER,
        timeout=http_timeout,
        strict_xml=True,
    )


@pytest.fixture
async def client(sim: OngoingWmsSimulator) -> AsyncIterator[WmsClient]:
    """A strict zeep client bound to the simulator."""
    wms = await open_client(sim)
    try:
        yield wms
    finally:
        await wms.aclose()


@pytest.fixture
async def impatient_client(sim: OngoingWmsSimulator) -> AsyncIterator[WmsClient]:
    """A client that gives up after 0.3 s, for held responses."""
    wms = await open_client(sim, http_timeout=0.3)
    try:
        yield wms
    finally:
        await wms.aclose()


@pytest.fixture
async def bad_password_client(sim: OngoingWmsSimulator) -> AsyncIterator[WmsClient]:
    """A client with a wrong password."""
    wms = await open_client(sim, password="wrong-" + PASSWORD)
    try:
        yield wms
    finally:
        await wms.aclose()


def routed_order(
    number: str = "5178-SE",
    *,
    lines: tuple[tuple[str, str, int], ...] = (("1", "A1", 2),),
    order_type: str = "B2C",
    **order_fields: Any,
) -> RoutedOrder:
    """A routed order with (line_id, article, quantity) lines."""
    order = CanonicalOrder(
        order_number=number.split("-", maxsplit=1)[0],
        lines=tuple(
            OrderLine(line_id=lid, article_number=art, quantity=Decimal(qty), unit_price=Decimal("9.90"))
            for lid, art, qty in lines
        ),
        ship_to=Address(
            name="Ada Lovelace",
            address1="Storgatan 1",
            postcode="111 22",
            city="Stockholm",
            country_code="SE",
            email="ada@example.com",
            mobile="+46700000000",
        ),
        currency="SEK",
        **order_fields,
    )
    return RoutedOrder(wms_order_number=number, order_type=order_type, order=order)


@pytest.fixture
def make_routed() -> Callable[..., RoutedOrder]:
    """The routed_order builder."""
    return routed_order
