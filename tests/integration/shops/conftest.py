"""Fixtures for the shop connectors against their simulators over loopback HTTP, and a webhook receiver."""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from connectors.base import ConnectorContext
from connectors.shopify import ShopifyConnector
from connectors.woocommerce import WooCommerceConnector
from router.domain import Source
from simulators import ServerThread
from simulators.ongoing_wms.asgi import Receive, Scope, Send, read_body, respond
from simulators.shopify import ShopifySimulator
from simulators.woocommerce import WooCommerceSimulator

SHOP_TOKEN = "shpat_integration-token-never-logged"
SHOP_SECRET = "shopify-app-secret-never-logged"
WOO_KEY = "ck_integration"
WOO_SECRET = "cs_integration-never-logged"
WOO_HOOK_SECRET = "woo-webhook-secret"
LEAK_RATE = 80.0


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A webhook endpoint: records every request, answers from `statuses` (then `default`)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.statuses: deque[int] = deque()
        self.default = 200
        self._cond = threading.Condition()
        self._server = ServerThread(self, name="webhook-receiver")

    @property
    def url(self) -> str:
        return f"{self._server.url}/hooks/source"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = await read_body(receive)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        with self._cond:
            self.received.append(Received(headers=headers, body=body))
            status = self.statuses.popleft() if self.statuses else self.default
            self._cond.notify_all()
        await respond(send, status, b"", "text/plain")

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} of {count} requests arrived")
            return list(self.received)

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()


class Clock:
    """A settable clock for the simulators' timestamps."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 2, 17, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def make_source(kind: str, settings: dict[str, object]) -> Source:
    return Source(
        id=7,
        name=f"{kind}-it",
        kind=kind,
        suffix="SE",
        order_type="B2C",
        is_article_master=False,
        enabled=True,
        settings=settings,
        has_credentials=True,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hooks = Receiver()
    hooks.start()
    yield hooks
    hooks.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shop(clock: Clock) -> Iterator[ShopifySimulator]:
    with ShopifySimulator(
        access_token=SHOP_TOKEN,
        webhook_secret=SHOP_SECRET,
        leak_rate=LEAK_RATE,
        retry_after=0.05,
        webhook_retry_base=0.01,
        webhook_timeout=2.0,
        clock=clock,
    ) as simulator:
        yield simulator


@pytest.fixture
def site(clock: Clock) -> Iterator[WooCommerceSimulator]:
    with WooCommerceSimulator(
        consumer_key=WOO_KEY, consumer_secret=WOO_SECRET, clock=clock, webhook_timeout=2.0
    ) as sim:
        yield sim


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def make_shopify(shop: ShopifySimulator, http: httpx.AsyncClient) -> Any:
    def build(credentials: dict[str, object] | None = None, **settings: object) -> ShopifyConnector:
        configured: dict[str, object] = {
            "shop_url": shop.url,
            "location_id": shop.location_id,
            "rate_limit_per_second": LEAK_RATE,
            "tracking_companies": {"PLAB": "PostNord"},
            **settings,
        }
        secrets = credentials or {"access_token": SHOP_TOKEN, "webhook_secret": SHOP_SECRET}
        return ShopifyConnector(
            ConnectorContext(source=make_source("shopify", configured), credentials=secrets, http=http)
        )

    return build


@pytest.fixture
def make_woo(site: WooCommerceSimulator, http: httpx.AsyncClient) -> Any:
    def build(credentials: dict[str, object] | None = None, **settings: object) -> WooCommerceConnector:
        configured: dict[str, object] = {"base_url": site.url, "tracking_companies": {"DHL": "DHL Paket"}, **settings}
        secrets = credentials or {
            "consumer_key": WOO_KEY,
            "consumer_secret": WOO_SECRET,
            "webhook_secret": WOO_HOOK_SECRET,
        }
        return WooCommerceConnector(
            ConnectorContext(source=make_source("woocommerce", configured), credentials=secrets, http=http)
        )

    return build
