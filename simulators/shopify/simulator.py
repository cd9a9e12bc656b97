"""`ShopifySimulator`: one Shopify store's REST Admin API and webhooks on loopback, with a Python API."""

from __future__ import annotations

import copy
import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from simulators._lifecycle import ServedSimulator
from simulators.ongoing_wms.faults import Faults
from simulators.shopify.app import ShopifyApp
from simulators.shopify.control import ControlApi
from simulators.shopify.ratelimit import LeakyBucket
from simulators.shopify.state import ShopState
from simulators.shopify.webhooks import Subscription, WebhookSender

if TYPE_CHECKING:
    from simulators.shopify.records import DeliveryAttempt, LineSpec, RecordedRequest

__all__ = ["ShopifySimulator"]

T = TypeVar("T")
STOCKHOLM_WINTER = dt.timezone(dt.timedelta(hours=1))


class ShopifySimulator(ServedSimulator):
    """A Shopify store: REST Admin under `{url}/admin/api/{version}/`, webhooks to subscribed addresses.

    ```python
    with ShopifySimulator(access_token="shpat_x", webhook_secret="s") as shop:
        shop.add_product("SKU-1", available=5)
        shop.subscribe("orders/create", receiver_url)
        order = shop.create_order([LineSpec(sku="SKU-1", quantity=1)])
    ```
    `clock` gives order timestamps (default: now); `monotonic` drives the leaky bucket.
    """

    def __init__(
        self,
        *,
        access_token: str,
        webhook_secret: str,
        shop_domain: str = "router-test.myshopify.com",
        api_version: str = "2025-01",
        bucket_size: int = 40,
        leak_rate: float = 2.0,
        retry_after: float | None = 2.0,
        webhook_timeout: float = 5.0,
        webhook_retry_base: float = 56.0,
        webhook_max_retries: int = 8,
        location_ids: Sequence[int] = (655441491,),
        zone: dt.tzinfo = STOCKHOLM_WINTER,
        clock: Callable[[], dt.datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        port: int = 0,
    ) -> None:
        self.shop_domain = shop_domain
        self.api_version = api_version
        self.state = ShopState(
            clock=clock or (lambda: dt.datetime.now(dt.UTC)), zone=zone, location_ids=list(location_ids)
        )
        self.bucket = LeakyBucket(size=bucket_size, leak_rate=leak_rate, retry_after=retry_after, clock=monotonic)
        self.faults = Faults()
        self.webhooks = WebhookSender(
            secret=webhook_secret,
            shop_domain=shop_domain,
            api_version=api_version,
            record=self.state.record_delivery,
            now=self.state.clock,
            timeout=webhook_timeout,
            retry_base=webhook_retry_base,
            max_retries=webhook_max_retries,
        )
        self.app = ShopifyApp(
            state=self.state,
            bucket=self.bucket,
            faults=self.faults,
            sender=self.webhooks,
            access_token=access_token,
            control=ControlApi(self),
        )
        super().__init__(self.app, port=port, name="shopify-simulator", senders=[self.webhooks])

    @property
    def url(self) -> str:
        """The shop's base URL (the connector's `shop_url`), e.g. `http://127.0.0.1:54321`."""
        return self.base_url

    @property
    def location_id(self) -> int:
        """The shop's first (default) location."""
        return self.state.catalog.location_ids[0]

    # --- catalogue and orders ---------------------------------------------------------------------

    def add_product(
        self, sku: str | None, *, available: int = 0, title: str = "Article", tracked: bool = True
    ) -> dict[str, Any]:
        """A product with one variant of this SKU, `available` at the first location; returns the variant."""
        with self.state.lock:
            variant = self.state.catalog.add_product(sku, available=available, title=title, tracked=tracked)
            self.state.changed()
            return copy.deepcopy(variant)

    def available(self, sku: str, location_id: int | None = None) -> int | None:
        """The SKU's `available` quantity at a location (default: the first)."""
        with self.state.lock:
            return self.state.catalog.available(sku, location_id)

    def create_order(
        self, lines: Sequence[LineSpec], *, topics: Sequence[str] = ("orders/create",), **fields: Any
    ) -> dict[str, Any]:
        """Place an order as a customer would, and fire `topics` (sharing one Event-Id) with its JSON."""
        with self.state.lock:
            order = self.state.orders.create(lines, **fields)
            body = msgspec.json.encode(order)
            self.state.changed()
            snapshot = copy.deepcopy(order)
        self.webhooks.emit(list(topics), body)
        return snapshot

    def update_order(
        self, order_id: int, *, topics: Sequence[str] = ("orders/updated",), **fields: Any
    ) -> dict[str, Any]:
        """Change an order as the merchant would (any fields), bump `updated_at`, fire `topics`."""
        with self.state.lock:
            order = self.state.orders.get(order_id)
            order.update(fields)
            order["updated_at"] = self.state.now()
            body = msgspec.json.encode(order)
            self.state.changed()
            snapshot = copy.deepcopy(order)
        self.webhooks.emit(list(topics), body)
        return snapshot

    def cancel_order(self, order_id: int, *, reason: str = "customer") -> dict[str, Any]:
        """Cancel as the merchant would: fires `orders/cancelled` and `orders/updated`."""
        with self.state.lock:
            order = self.state.orders.cancel(order_id, {"reason": reason})
            body = msgspec.json.encode(order)
            self.state.changed()
            snapshot = copy.deepcopy(order)
        self.webhooks.emit(["orders/cancelled", "orders/updated"], body)
        return snapshot

    def order(self, order_id: int) -> dict[str, Any]:
        """A copy of one order (with its fulfillments)."""
        with self.state.lock:
            return copy.deepcopy(self.state.orders.get(order_id))

    def orders(self) -> list[dict[str, Any]]:
        """Copies of every order, oldest first."""
        with self.state.lock:
            return copy.deepcopy(sorted(self.state.orders.orders.values(), key=lambda o: o["id"]))

    def fulfillment_orders(self, order_id: int) -> list[dict[str, Any]]:
        """Copies of an order's fulfillment orders."""
        with self.state.lock:
            return copy.deepcopy(self.state.orders.fulfillment_orders_of(order_id))

    # --- webhooks and observation -----------------------------------------------------------------

    def subscribe(self, topic: str, address: str) -> Subscription:
        """Deliver `topic` to `address`."""
        return self.webhooks.subscribe(topic, address)

    def sign(self, body: bytes) -> str:
        """The `X-Shopify-Hmac-Sha256` this shop would send for `body`."""
        return self.webhooks.sign(body)

    def requests(self) -> list[RecordedRequest]:
        """Every REST request received (never the access token)."""
        return self.state.requests()

    def deliveries(self) -> list[DeliveryAttempt]:
        """Every webhook delivery attempt."""
        return self.state.deliveries()

    def wait_until(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Block until `predicate()` is truthy, re-checked on every request, delivery and change."""
        return self.state.wait_until(predicate, timeout)

    def reset(self) -> None:
        """Forget requests, deliveries, subscriptions and knobs; empty the bucket; disarm faults."""
        self.state.forget_requests()
        self.webhooks.clear()
        self.bucket.reset()
        self.faults.clear()
