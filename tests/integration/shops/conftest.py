"""Fixtures for the shop connectors against their simulators over loopback HTTP, and a webhook receiver."""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from connectors.base import ConnectorContext
from connectors.shopify import ShopifyConnector
from connectors.woocommerce import WooCommerceConnector
from simulators.shopify import ShopifySimulator
from simulators.woocommerce import WooCommerceSimulator
from tests.support.connectors import make_source
from tests.support.webhooks import WebhookReceiver

SHOP_TOKEN = "shpat_integration-token-never-logged"
SHOP_SECRET = "shopify-app-secret-never-logged"
WOO_KEY = "ck_integration"
WOO_SECRET = "cs_integration-never-logged"
WOO_HOOK_SECRET = "woo-webhook-secret"
LEAK_RATE = 80.0


class Receiver(WebhookReceiver):
    """A webhook endpoint: records every request, answers from `statuses` (then `default`)."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: deque[int] = deque()
        self.default = 200

    def next_status(self) -> int:
        return self.statuses.popleft() if self.statuses else self.default


class Clock:
    """A settable clock for the simulators' timestamps."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 2, 17, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


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
        source = make_source("shopify", configured, source_id=7, name="shopify-it")
        return ShopifyConnector(ConnectorContext(source=source, credentials=secrets, http=http))

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
        source = make_source("woocommerce", configured, source_id=7, name="woocommerce-it")
        return WooCommerceConnector(ConnectorContext(source=source, credentials=secrets, http=http))

    return build
