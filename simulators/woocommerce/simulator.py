"""`WooCommerceSimulator`: one WooCommerce site's REST v3 API and webhooks on loopback, with a Python API."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from simulators._lifecycle import ServedSimulator
from simulators.ongoing_wms.faults import Faults
from simulators.woocommerce.app import WooApp
from simulators.woocommerce.control import ControlApi
from simulators.woocommerce.state import SiteState
from simulators.woocommerce.webhooks import Webhook, WebhookHub

if TYPE_CHECKING:
    from simulators.woocommerce.records import DeliveryAttempt, LineSpec, RecordedRequest

__all__ = ["WooCommerceSimulator"]

T = TypeVar("T")
CET = dt.timezone(dt.timedelta(hours=1))


class WooCommerceSimulator(ServedSimulator):
    """A WooCommerce site: REST under `{url}/wp-json/wc/v3/`, webhooks delivered without retries.

    ```python
    with WooCommerceSimulator(consumer_key="ck_x", consumer_secret="cs_x") as site:
        site.add_product("SKU-1", stock=5)
        site.add_webhook("order.created", receiver_url, secret="s")  # pings first
        order = site.create_order([LineSpec(sku="SKU-1", quantity=1)])
    ```
    `clock` gives the site's timestamps (default: now).
    """

    def __init__(
        self,
        *,
        consumer_key: str,
        consumer_secret: str,
        zone: dt.tzinfo = CET,
        clock: Callable[[], dt.datetime] | None = None,
        webhook_timeout: float = 60.0,
        port: int = 0,
    ) -> None:
        self.state = SiteState(clock=clock or (lambda: dt.datetime.now(dt.UTC)), zone=zone)
        self.faults = Faults()
        self.webhooks = WebhookHub(
            home_url=lambda: f"{self.url}/",
            record=self.state.record_delivery,
            now=self.state.clock,
            timeout=webhook_timeout,
        )
        self.app = WooApp(
            state=self.state,
            hub=self.webhooks,
            faults=self.faults,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            control=ControlApi(self),
        )
        super().__init__(self.app, port=port, name="woocommerce-simulator", senders=[self.webhooks])

    @property
    def url(self) -> str:
        """The site (the connector's `base_url`), e.g. `http://127.0.0.1:54321`."""
        return self.base_url

    # --- catalogue and orders ---------------------------------------------------------------------

    def add_product(
        self, sku: str, *, stock: int | None = 0, manage_stock: bool = True, name: str = "Article"
    ) -> dict[str, Any]:
        """A simple product."""
        with self.state.lock:
            row = self.state.catalog.add_product(sku, stock=stock, name=name, manage_stock=manage_stock)
            return copy.deepcopy(row)

    def add_variation(
        self, parent_sku: str, sku: str, *, stock: int | None = 0, manage_stock: bool = True
    ) -> dict[str, Any]:
        """A variation of the variable product `parent_sku` (made on first use)."""
        with self.state.lock:
            row = self.state.catalog.add_variation(parent_sku, sku, stock=stock, name=sku, manage_stock=manage_stock)
            return copy.deepcopy(row)

    def product(self, sku: str) -> dict[str, Any] | None:
        """A copy of the product or variation with this SKU."""
        with self.state.lock:
            return copy.deepcopy(self.state.catalog.by_sku(sku))

    def create_order(
        self, lines: Sequence[LineSpec], *, status: str = "processing", updates_after: int = 0, **fields: Any
    ) -> dict[str, Any]:
        """Check out an order: fires `order.created`, then `updates_after` times `order.updated` (same body)."""
        with self.state.lock:
            order = copy.deepcopy(self.state.orders.create(lines, status=status, **fields))
            self.state.changed()
        self.webhooks.emit("order.created", order)
        for _ in range(updates_after):
            self.webhooks.emit("order.updated", order)
        return order

    def update_order(self, order_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change an order as the shop admin would (as `PUT /orders/<id>`); fires `order.updated`."""
        with self.state.lock:
            order = copy.deepcopy(self.state.orders.update(order_id, changes))
            self.state.changed()
        self.webhooks.emit("order.updated", order)
        return order

    def delete_order(self, order_id: int) -> None:
        """Delete an order; fires `order.deleted` with the body `{"id": N}`."""
        with self.state.lock:
            self.state.orders.get(order_id)
            del self.state.orders.orders[order_id]
            self.state.changed()
        self.webhooks.emit("order.deleted", {"id": order_id})

    def order(self, order_id: int) -> dict[str, Any]:
        """A copy of one order."""
        with self.state.lock:
            return copy.deepcopy(self.state.orders.get(order_id))

    def orders(self) -> list[dict[str, Any]]:
        """Copies of every order, oldest first."""
        with self.state.lock:
            return copy.deepcopy(sorted(self.state.orders.orders.values(), key=lambda o: o["id"]))

    def notes(self, order_id: int) -> list[dict[str, Any]]:
        """Copies of an order's notes, oldest first."""
        with self.state.lock:
            return copy.deepcopy(self.state.orders.notes.get(order_id, []))

    # --- webhooks and observation -----------------------------------------------------------------

    def add_webhook(self, topic: str, delivery_url: str, *, secret: str, status: str = "active") -> Webhook:
        """Create a webhook as `POST /webhooks` does: pinged first, refused unless the ping got 200."""
        return self.webhooks.create(topic=topic, delivery_url=delivery_url, secret=secret, status=status)

    def requests(self) -> list[RecordedRequest]:
        """Every REST request received (never the consumer key or secret)."""
        return self.state.requests()

    def deliveries(self) -> list[DeliveryAttempt]:
        """Every webhook delivery attempt and ping."""
        return self.state.deliveries()

    def wait_until(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Block until `predicate()` is truthy, re-checked on every request, delivery and change."""
        return self.state.wait_until(predicate, timeout)

    def reset(self) -> None:
        """Forget requests, deliveries, webhooks and knobs; disarm faults."""
        self.state.forget_requests()
        self.webhooks.clear()
        self.faults.clear()
