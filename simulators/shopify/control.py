"""The Shopify simulator's JSON control API under `/_sim/`, for tests and the sandbox in another process."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import msgspec

from simulators.ongoing_wms.asgi import Receive, Scope, Send, read_body, respond_json
from simulators.shopify.records import ApiError, LineSpec

if TYPE_CHECKING:
    from simulators.shopify.simulator import ShopifySimulator

__all__ = ["ControlApi"]


class LineBody(msgspec.Struct, forbid_unknown_fields=True):
    """One line of `POST /_sim/orders`."""

    sku: str | None
    quantity: int
    price: str = "100.00"
    title: str = "Article"
    requires_shipping: bool = True
    location_id: int | None = None


class OrderBody(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /_sim/orders`: lines, topics to fire, and any order fields to override."""

    line_items: list[LineBody]
    topics: list[str] = msgspec.field(default_factory=lambda: ["orders/create"])
    fields: dict[str, Any] = msgspec.field(default_factory=dict)


class ProductBody(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /_sim/products`."""

    sku: str | None
    available: int = 0
    title: str = "Article"
    tracked: bool = True


class WebhookBody(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /_sim/webhooks`: subscribe an address to a topic."""

    topic: str
    address: str


class WebhookFaultsBody(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /_sim/webhook_faults`: counts of the next deliveries to affect."""

    drop: int = 0
    duplicate: int = 0
    reorder: int = 0
    bad_hmac: int = 0


class FaultsBody(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /_sim/faults`: REST faults; `route` as recorded (e.g. `inventory_levels.set`), or any."""

    latency: float | None = None
    fail_next: int = 0
    status: int = 500
    drop_next: int = 0
    route: str | None = None


class RateLimitBody(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /_sim/rate_limit`."""

    size: int | None = None
    leak_rate: float | None = None
    enabled: bool | None = None


_CANCEL = re.compile(r"^/_sim/orders/(?P<id>\d+)/cancel$")


class ControlApi:
    """Routes `/_sim/...` to the simulator's Python API."""

    def __init__(self, simulator: ShopifySimulator) -> None:
        self.sim = simulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one `/_sim/` request with JSON."""
        try:
            status, payload = self._route(scope["method"], scope["path"], await read_body(receive))
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
            status, payload = 400, {"error": str(exc)}
        except ApiError as exc:
            status, payload = exc.status, {"errors": exc.errors}
        await respond_json(send, status, payload)

    def _route(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        if method == "GET":
            return self._get(path)
        if method == "POST" and (found := _CANCEL.match(path)):
            reason = msgspec.json.decode(body or b"{}", type=dict[str, str]).get("reason", "other")
            return 200, self.sim.cancel_order(int(found["id"]), reason=reason)
        handler = {
            "/_sim/orders": self._create_order,
            "/_sim/products": self._add_product,
            "/_sim/webhooks": self._subscribe,
            "/_sim/webhook_faults": self._webhook_faults,
            "/_sim/faults": self._faults,
            "/_sim/rate_limit": self._rate_limit,
            "/_sim/reset": self._reset,
        }.get(path)
        if method != "POST" or handler is None:
            return 404, {"error": f"no route {method} {path}"}
        return handler(body)

    def _create_order(self, body: bytes) -> tuple[int, Any]:
        spec = msgspec.json.decode(body, type=OrderBody)
        lines = [LineSpec(**msgspec.structs.asdict(line)) for line in spec.line_items]
        return 201, self.sim.create_order(lines, topics=spec.topics, **spec.fields)

    def _add_product(self, body: bytes) -> tuple[int, Any]:
        p = msgspec.json.decode(body, type=ProductBody)
        return 201, self.sim.add_product(p.sku, available=p.available, title=p.title, tracked=p.tracked)

    def _subscribe(self, body: bytes) -> tuple[int, Any]:
        hook = msgspec.json.decode(body, type=WebhookBody)
        return 201, self.sim.subscribe(hook.topic, hook.address)

    def _webhook_faults(self, body: bytes) -> tuple[int, Any]:
        knobs = msgspec.structs.asdict(msgspec.json.decode(body, type=WebhookFaultsBody))
        for knob, count in knobs.items():
            self.sim.webhooks.arm(knob, count)
        return 200, {"armed": knobs}

    def _reset(self, body: bytes) -> tuple[int, Any]:
        del body
        self.sim.reset()
        return 200, {"reset": True}

    def _get(self, path: str) -> tuple[int, Any]:
        sim = self.sim
        if path == "/_sim/requests":
            return 200, sim.requests()
        if path == "/_sim/deliveries":
            return 200, sim.deliveries()
        if path == "/_sim/orders":
            return 200, sim.orders()
        if path == "/_sim/rate_limit":
            return 200, {"size": sim.bucket.size, "leak_rate": sim.bucket.leak_rate, "throttled": sim.bucket.throttled}
        return 404, {"error": f"no route GET {path}"}

    def _rate_limit(self, body: bytes) -> tuple[int, Any]:
        limit = msgspec.json.decode(body, type=RateLimitBody)
        bucket = self.sim.bucket
        bucket.configure(size=limit.size, leak_rate=limit.leak_rate)
        if limit.enabled is not None:
            bucket.enabled = limit.enabled
        return 200, {"size": bucket.size, "leak_rate": bucket.leak_rate, "enabled": bucket.enabled}

    def _faults(self, body: bytes) -> tuple[int, Any]:
        spec = msgspec.json.decode(body, type=FaultsBody)
        faults = self.sim.faults
        if spec.latency is not None:
            faults.latency = spec.latency
        if spec.fail_next:
            faults.fail_next(spec.fail_next, status=spec.status, operation=spec.route)
        if spec.drop_next:
            faults.drop_next(spec.drop_next, operation=spec.route)
        return 200, {"latency": faults.latency, "armed": faults.armed()}
