"""The WooCommerce simulator's JSON control API under `/_sim/`, for tests and the sandbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from simulators.ongoing_wms.asgi import Receive, Scope, Send, read_body, respond_json
from simulators.woocommerce.records import ApiError, LineSpec

if TYPE_CHECKING:
    from simulators.woocommerce.simulator import WooCommerceSimulator

__all__ = ["ControlApi"]


class LineBody(msgspec.Struct, forbid_unknown_fields=True):
    """One line of `POST /_sim/orders`."""

    sku: str | None
    quantity: int
    price: float = 25.0
    name: str = "Article"


class OrderBody(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /_sim/orders`: lines, status, how many `order.updated` follow, fields to override."""

    line_items: list[LineBody]
    status: str = "processing"
    updates_after: int = 0
    fields: dict[str, Any] = msgspec.field(default_factory=dict)


class ProductBody(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /_sim/products`: a simple product, or a variation when `parent_sku` is given."""

    sku: str
    stock: int | None = 0
    manage_stock: bool = True
    parent_sku: str | None = None
    name: str = "Article"


class KnobsBody(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /_sim/webhook_faults`: counts of the next deliveries to affect."""

    drop: int = 0
    duplicate: int = 0
    reorder: int = 0
    bad_signature: int = 0


class FaultsBody(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /_sim/faults`: host-level failures (e.g. 429/503) before WordPress answers."""

    fail_next: int = 0
    status: int = 503
    route: str | None = None
    retry_after: str | None = "1"
    drop_next: int = 0
    latency: float | None = None


class ControlApi:
    """Routes `/_sim/...` to the simulator's Python API."""

    def __init__(self, simulator: WooCommerceSimulator) -> None:
        self.sim = simulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one `/_sim/` request with JSON."""
        try:
            status, payload = self._route(scope["method"], scope["path"], await read_body(receive))
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
            status, payload = 400, {"error": str(exc)}
        except ApiError as exc:
            status, payload = exc.status, exc.payload()
        await respond_json(send, status, payload)

    def _route(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        sim = self.sim
        if method == "GET":
            views = {"/_sim/requests": sim.requests, "/_sim/deliveries": sim.deliveries, "/_sim/orders": sim.orders}
            view = views.get(path)
            return (200, view()) if view is not None else (404, {"error": f"no route GET {path}"})
        handlers = {
            "/_sim/orders": self._create_order,
            "/_sim/products": self._add_product,
            "/_sim/webhook_faults": self._knobs,
            "/_sim/faults": self._faults,
            "/_sim/reset": self._reset,
        }
        handler = handlers.get(path)
        if method != "POST" or handler is None:
            return 404, {"error": f"no route {method} {path}"}
        return handler(body)

    def _create_order(self, body: bytes) -> tuple[int, Any]:
        spec = msgspec.json.decode(body, type=OrderBody)
        lines = [LineSpec(**msgspec.structs.asdict(line)) for line in spec.line_items]
        return 201, self.sim.create_order(lines, status=spec.status, updates_after=spec.updates_after, **spec.fields)

    def _add_product(self, body: bytes) -> tuple[int, Any]:
        p = msgspec.json.decode(body, type=ProductBody)
        if p.parent_sku:
            made = self.sim.add_variation(p.parent_sku, p.sku, stock=p.stock, manage_stock=p.manage_stock)
            return 201, made
        return 201, self.sim.add_product(p.sku, stock=p.stock, manage_stock=p.manage_stock, name=p.name)

    def _knobs(self, body: bytes) -> tuple[int, Any]:
        knobs = msgspec.structs.asdict(msgspec.json.decode(body, type=KnobsBody))
        for knob, count in knobs.items():
            self.sim.webhooks.arm(knob, count)
        return 200, {"armed": knobs}

    def _faults(self, body: bytes) -> tuple[int, Any]:
        spec = msgspec.json.decode(body, type=FaultsBody)
        faults = self.sim.faults
        if spec.latency is not None:
            faults.latency = spec.latency
        if spec.fail_next:
            faults.fail_next(spec.fail_next, status=spec.status, operation=spec.route)
            self.sim.app.retry_after = spec.retry_after
        if spec.drop_next:
            faults.drop_next(spec.drop_next, operation=spec.route)
        return 200, {"latency": faults.latency, "armed": faults.armed()}

    def _reset(self, body: bytes) -> tuple[int, Any]:
        del body
        self.sim.reset()
        return 200, {"reset": True}
