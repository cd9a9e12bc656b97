"""Fixtures for the Omnium connector against the simulator over loopback HTTP, on one manual clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import msgspec
import pytest

from connectors.base import ConnectorContext
from connectors.omnium import OmniumConnector
from router.domain import EventKind, PulledPayload, WarehouseEvent
from simulators.omnium import ManualClock, OmniumSimulator
from tests.support import omnium
from tests.support.connectors import make_source, warehouse_event
from tests.support.connectors import pull_all as pull_pages
from tests.support.omnium import EVENT_KEY, SECRET
from tests.support.webhooks import Received, WebhookReceiver

CLIENT_ID = "cid-router-test"
T0 = dt.datetime(2026, 2, 17, 8, 0, tzinfo=dt.UTC)


class Receiver(WebhookReceiver):
    """A webhook endpoint on loopback: records each POST in `calls`, answers from a script of statuses (then 200)."""

    path = "/hooks/omnium"

    def __init__(self) -> None:
        super().__init__(name="omnium-receiver")
        self.script: list[int] = []

    @property
    def calls(self) -> list[Received]:
        return self.received

    def next_status(self) -> int:
        return self.script.pop(0) if self.script else 200

    def events(self) -> list[dict[str, Any]]:
        with self._cond:
            return [msgspec.json.decode(call.body) for call in self.received]


def order_doc(
    order_id: str, *, minute: float = 0, shipments: int = 2, status: str = "New", **extra: Any
) -> dict[str, Any]:
    """An order of the Online type created `minute` minutes after T0; shipment n carries line n (SKU-n, n + 1)."""
    at = (T0 + dt.timedelta(minutes=minute)).isoformat()
    fields = {"orderType": "Online", "marketId": "NOR", "storeId": "WebShop", "created": at, "modified": at}
    return omnium.order_doc(order_id, shipments=shipments, status=status, **{**fields, **extra})


def event(kind: EventKind, number: str, key: str, **fields: Any) -> WarehouseEvent:
    return warehouse_event(number, key, kind, suffix="OM", occurred_at=T0, **fields)


async def pull_all(connector: OmniumConnector, cursor: str | None) -> tuple[list[PulledPayload], str | None]:
    """Pull until the connector says there is no more, as the router would: the items and the last cursor."""
    items, cursor, _ = await pull_pages(connector, cursor)
    return items, cursor


@pytest.fixture
def kit() -> SimpleNamespace:
    """Helpers handed to tests as one object."""
    return SimpleNamespace(
        secret=SECRET, client_id=CLIENT_ID, event_key=EVENT_KEY, t0=T0, order=order_doc, event=event, pull_all=pull_all
    )


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
        configured = {"base_url": sim.url, "inventory_warehouse_code": "oslo-warehouse", **settings}
        source = make_source("omnium", configured, source_id=3, name="omnium-no", suffix="OM", created_at=T0)
        credentials = {"client_id": CLIENT_ID, "client_secret": SECRET, "event_key": EVENT_KEY}
        context = ConnectorContext(source=source, credentials=credentials, http=http)
        return OmniumConnector(context, sleep=clock.sleep)

    return build


@pytest.fixture
def connector(make_connector: Any) -> OmniumConnector:
    return make_connector()  # type: ignore[no-any-return]
