"""Fixtures for the WMS client and the Ongoing simulator: a real zeep client over loopback HTTP.

Every SOAP answer the `sim` fixture gives with HTTP 200 is validated against the XSD embedded in the
project's WSDL; a test whose simulator answered anything invalid fails at teardown.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

import pytest
import stamina
from lxml import etree

from router.domain import Address, CanonicalOrder, OrderLine, RoutedOrder
from router.wms.client import WmsClient
from simulators import ServerThread
from simulators.ongoing_wms import OngoingWmsSimulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from simulators.ongoing_wms.outcome import Outcome

USER = "WSI-router-test"
PASSWORD = "pw-Xq7-never-in-logs"
GOODS_OWNER = "GO-TEST"


@pytest.fixture(autouse=True)
def _retries_without_backoff() -> Iterator[None]:
    """Reads keep their 3 attempts, but stamina does not sleep between them."""
    with stamina.set_testing(True, attempts=3):
        yield


@pytest.fixture(scope="session")
def wsdl_schema() -> etree.XMLSchema:
    """The XSD embedded in the project's WSDL."""
    wsdl = etree.fromstring(resources.files("router.wms").joinpath("ongoing.wsdl").read_bytes())
    embedded = wsdl.find("{http://schemas.xmlsoap.org/wsdl/}types/{http://www.w3.org/2001/XMLSchema}schema")
    assert embedded is not None
    return etree.XMLSchema(etree.fromstring(etree.tostring(embedded)))


class ManualClock:
    """A clock tests move by hand: `clock.advance(seconds=5)`."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self.now

    def advance(self, **delta: float) -> dt.datetime:
        with self._lock:
            self.now += dt.timedelta(**delta)
            return self.now


@pytest.fixture
def clock() -> ManualClock:
    """The simulator's clock (injected), starting at 2030-01-01 12:00 UTC."""
    return ManualClock()


def validate_answers(simulator: OngoingWmsSimulator, schema: etree.XMLSchema) -> list[str]:
    """Validate every HTTP-200 SOAP answer against the schema; returns the list problems are added to."""
    problems: list[str] = []
    answer = simulator.app._answer

    async def validating(send: Any, outcome: Outcome) -> None:
        if outcome.status == 200:
            result = etree.fromstring(outcome.body)[0][0]
            if not schema.validate(etree.ElementTree(result)):
                problems.append(f"{etree.QName(result).localname}: {schema.error_log}")
        await answer(send, outcome)

    simulator.app._answer = validating  # type: ignore[method-assign]
    return problems


@pytest.fixture
def sim(wsdl_schema: etree.XMLSchema, clock: ManualClock) -> Iterator[OngoingWmsSimulator]:
    """A fresh simulator on a manual clock with two articles in stock; its answers are schema-checked."""
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER, clock=clock) as simulator:
        problems = validate_answers(simulator, wsdl_schema)
        simulator.add_article("A1", "Mug", stock=10)
        simulator.add_article("A2", "Cup", stock=5)
        yield simulator
    assert problems == []


class Receiver:
    """A small webhook receiver app: records each POST's headers and JSON body; answers `status`."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []
        self._changed = threading.Condition()
        self.server = ServerThread(self, name="webhook-receiver")

    @property
    def url(self) -> str:
        return f"{self.server.url}/hooks/wms"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        with self._changed:
            self.received.append((headers, json.loads(body)))
            self._changed.notify_all()
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def payloads(self) -> list[dict[str, Any]]:
        with self._changed:
            return [payload for _, payload in self.received]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} webhooks received, wanted {count}")
            return [payload for _, payload in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback."""
    hooks = Receiver()
    with hooks.server:
        yield hooks


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
