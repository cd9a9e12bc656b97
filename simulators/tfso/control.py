"""The simulator's JSON control API under `/_sim/`, for tests and the sandbox driving it from outside."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec

from simulators._control import FaultsBody
from simulators.ongoing_wms.asgi import Receive, Scope, Send, read_body, respond_json
from simulators.tfso.records import Company, InvoiceRow, PostalAddress

if TYPE_CHECKING:
    from collections.abc import Callable

    from simulators.ongoing_wms.faults import Faults
    from simulators.tfso.sessions import Sessions
    from simulators.tfso.state import TfsoState

__all__ = ["ControlApi"]


class RowBody(msgspec.Struct, forbid_unknown_fields=True):
    """One order row; `product_no` must name a product."""

    product_no: str
    quantity: Decimal
    price: Decimal | None = None
    vat_rate: Decimal | None = None
    discount_rate: Decimal | None = None
    name: str | None = None


class AddressBody(msgspec.Struct, forbid_unknown_fields=True):
    """A delivery address."""

    street: str
    postal_code: str
    postal_area: str
    country: str = "NO"
    name: str | None = None
    city: str | None = None


class OrderBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/orders."""

    customer_id: int
    rows: list[RowBody]
    status: str = "Confirmed"
    delivery: AddressBody | None = None
    customer_delivery_phone: str | None = None
    invoice_email: str | None = None
    currency: str | None = None
    invoice_text: str | None = None


class CompanyBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/companies."""

    id: int
    name: str
    phone_mobile: str | None = None
    email_primary: str | None = None


class ProductBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/products."""

    no: str
    name: str | None = None
    stock: Decimal = Decimal(0)


class StatusBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/orders/{id}/status."""

    status: str


class ExpireBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/sessions/expire: now (no `before`), or before the next `n` calls to `before`/any."""

    before: str | None = None
    n: int | None = None


class ClockBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/clock."""

    advance: float | None = None
    freeze: dt.datetime | None = None


_ORDER = re.compile(r"^/_sim/orders/(?P<id>\d+)(?P<status>/status)?$")


class ControlApi:
    """Routes `/_sim/...` requests to the state, the sessions, the clock and the fault plan."""

    def __init__(self, state: TfsoState, sessions: Sessions, faults: Faults) -> None:
        self.state = state
        self.sessions = sessions
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one `/_sim/` request with JSON."""
        try:
            status, payload = self._route(scope["method"], scope["path"], await read_body(receive) or b"{}")
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
            status, payload = 400, {"error": str(exc)}
        except KeyError as exc:
            status, payload = 404, {"error": str(exc)}
        await respond_json(send, status, payload)

    def _route(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        routes: dict[tuple[str, str], Callable[[], object]] = {
            ("GET", "/_sim/orders"): self.state.orders,
            ("POST", "/_sim/orders"): lambda: self._add_order(msgspec.json.decode(body, type=OrderBody)),
            ("GET", "/_sim/products"): self.state.products,
            ("POST", "/_sim/products"): lambda: self._add_product(msgspec.json.decode(body, type=ProductBody)),
            ("GET", "/_sim/stock-writes"): self.state.stock_writes,
            ("GET", "/_sim/companies"): self.state.companies,
            ("POST", "/_sim/companies"): lambda: self.state.add_company(
                Company(**msgspec.structs.asdict(msgspec.json.decode(body, type=CompanyBody)))
            ),
            ("GET", "/_sim/calls"): self.state.calls,
            ("GET", "/_sim/sessions"): lambda: {"live": len(self.sessions.live())},
            ("POST", "/_sim/sessions/expire"): lambda: self._expire(msgspec.json.decode(body, type=ExpireBody)),
            ("GET", "/_sim/clock"): lambda: {"now": self.state.clock.now()},
            ("POST", "/_sim/clock"): lambda: self._clock(msgspec.json.decode(body, type=ClockBody)),
        }
        if (method, path) in routes:
            return 200, routes[(method, path)]()
        if (method, path) == ("POST", "/_sim/reset"):
            self.state.reset()
            self.sessions.reset()
            self.faults.clear()
            return 200, {"reset": True}
        if path == "/_sim/faults":
            return self._faults(method, body)
        if match := _ORDER.match(path):
            order_id = int(match["id"])
            if method == "GET" and not match["status"]:
                return 200, self.state.order(order_id)
            if method == "POST" and match["status"]:
                status = msgspec.json.decode(body, type=StatusBody).status
                return 200, self.state.change_order(order_id, order_status=status)
        return 404, {"error": f"no route {method} {path}"}

    def _add_order(self, spec: OrderBody) -> object:
        rows = []
        for row in spec.rows:
            product = self.state.product(row.product_no)
            fields = msgspec.structs.asdict(row)
            fields["name"] = row.name or product.name
            rows.append(InvoiceRow(row_id=0, product_id=product.id, **fields))
        delivery = PostalAddress(**msgspec.structs.asdict(spec.delivery)) if spec.delivery else None
        skip = {"customer_id", "rows", "status", "delivery"}
        extra = {k: v for k, v in msgspec.structs.asdict(spec).items() if k not in skip}
        return self.state.add_order(
            customer_id=spec.customer_id, rows=rows, status=spec.status, delivery_address=delivery, **extra
        )

    def _add_product(self, spec: ProductBody) -> object:
        return self.state.add_product(spec.no, spec.name, stock=spec.stock)

    def _expire(self, spec: ExpireBody) -> object:
        if spec.before is None and spec.n is None:
            return {"expired": self.sessions.expire()}
        self.sessions.expire_before(spec.before, spec.n or 1)
        return {"armed": True}

    def _clock(self, spec: ClockBody) -> object:
        if spec.freeze is not None:
            self.state.clock.freeze(spec.freeze)
        if spec.advance is not None:
            self.state.clock.advance(spec.advance)
        return {"now": self.state.clock.now()}

    def _faults(self, method: str, body: bytes) -> tuple[int, Any]:
        if method == "DELETE":
            self.faults.clear()
        elif method == "POST":
            msgspec.json.decode(body, type=FaultsBody).arm(self.faults)
        elif method != "GET":
            return 405, {"error": f"{method} not allowed"}
        return 200, {"latency": self.faults.latency, "armed": self.faults.armed()}
