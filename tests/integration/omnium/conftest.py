"""Fixtures for the Omnium connector against the simulator over loopback HTTP, on one manual clock."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import msgspec
import pytest

from connectors.base import ConnectorContext
from connectors.omnium import OmniumConnector
from router.domain import EventKind, PulledPayload, Source, WarehouseEvent
from simulators import ServerThread
from simulators.omnium import ManualClock, OmniumSimulator

CLIENT_ID = "cid-router-test"
SECRET = "cs-Omn1um-never-in-logs"
EVENT_KEY = "ek-hook-Zz9"
T0 = dt.datetime(2026, 2, 17, 8, 0, tzinfo=dt.UTC)


class Receiver:
    """A webhook endpoint on loopback: records each POST, answers from a script of statuses (then 200)."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.script: list[int] = []
        self._changed = threading.Condition()
        self.server = ServerThread(self, name="omnium-receiver")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
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
            self.calls.append((headers, body))
            status = self.script.pop(0) if self.script else 200
            self._changed.notify_all()
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def events(self) -> list[dict[str, Any]]:
        with self._changed:
            return [msgspec.json.decode(body) for _, body in self.calls]

    def wait_for(self, n: int, timeout: float = 5.0) -> list[tuple[dict[str, str], bytes]]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.calls) >= n, timeout):
                raise TimeoutError(f"{len(self.calls)} of {n} webhook calls arrived")
            return list(self.calls)

    @property
    def url(self) -> str:
        return self.server.url + "/hooks/omnium"


def order_doc(
    order_id: str, *, minute: float = 0, shipments: int = 2, status: str = "New", **extra: Any
) -> dict[str, Any]:
    """An order with `shipments` shipments; shipment n carries line n (SKU-n, quantity n + 1)."""
    lines = [
        {"lineItemId": str(n), "code": f"SKU-{n}", "quantity": n + 1, "placedPrice": 100, "taxRate": 25}
        for n in range(1, shipments + 1)
    ]
    address = {"name": "Ola Nordmann", "line1": "Storgata 1", "postalCode": "0155", "city": "Oslo", "countryCode": "NO"}
    return {
        "id": order_id,
        "orderNumber": order_id,
        "orderType": "Online",
        "status": status,
        "marketId": "NOR",
        "storeId": "WebShop",
        "customerEmail": "ola@example.com",
        "billingCurrency": "NOK",
        "orderForm": {
            "lineItems": lines,
            "shipments": [
                {"shipmentId": str(n), "address": address, "lineItems": [lines[n - 1]], "shippingMethodName": "Bring"}
                for n in range(1, shipments + 1)
            ],
            "shippingTotal": 79,
        },
        "created": (T0 + dt.timedelta(minutes=minute)).isoformat(),
        "modified": (T0 + dt.timedelta(minutes=minute)).isoformat(),
        **extra,
    }


def event(kind: EventKind, number: str, key: str, **fields: Any) -> WarehouseEvent:
    return WarehouseEvent(
        kind=kind,
        idempotency_key=key,
        source_order_number=number,
        wms_order_number=f"{number}-OM",
        occurred_at=T0,
        **fields,
    )


async def pull_all(connector: OmniumConnector, cursor: str | None) -> tuple[list[PulledPayload], str | None]:
    """Pull until the connector says there is no more, as the router would."""
    items: list[PulledPayload] = []
    for _ in range(1000):
        page = await connector.pull(cursor)
        items.extend(page.items)
        cursor = page.cursor
        if not page.more:
            return items, cursor
    raise AssertionError("pull never finished")


class Kit:
    """Helpers handed to tests (test modules cannot import each other)."""

    secret = SECRET
    client_id = CLIENT_ID
    event_key = EVENT_KEY
    t0 = T0
    order = staticmethod(order_doc)
    event = staticmethod(event)
    pull_all = staticmethod(pull_all)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0 + dt.timedelta(days=1))


@pytest.fixture
def sim(clock: ManualClock) -> Iterator[OmniumSimulator]:
    with OmniumSimulator(
        client_id=CLIENT_ID, client_secret=SECRET, clock=clock, event_retry_delays=(0.01, 0.01, 0.01)
    ) as simulator:
        yield simulator


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    with hook.server:
        yield hook


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield client


@pytest.fixture
def make_connector(sim: OmniumSimulator, clock: ManualClock, http: httpx.AsyncClient) -> Any:
    def build(**settings: Any) -> OmniumConnector:
        source = Source(
            id=3,
            name="omnium-no",
            kind="omnium",
            suffix="OM",
            order_type="B2C",
            is_article_master=False,
            enabled=True,
            settings={"base_url": sim.url, "inventory_warehouse_code": "oslo-warehouse", **settings},
            has_credentials=True,
            created_at=T0,
        )
        credentials = {"client_id": CLIENT_ID, "client_secret": SECRET, "event_key": EVENT_KEY}
        context = ConnectorContext(source=source, credentials=credentials, http=http)
        return OmniumConnector(context, sleep=clock.sleep)

    return build


@pytest.fixture
def connector(make_connector: Any) -> OmniumConnector:
    return make_connector()  # type: ignore[no-any-return]
