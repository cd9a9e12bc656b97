"""The simulator's JSON control API under `/_sim/`, for tests driving a simulator in another process."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec

from simulators.ongoing_wms.asgi import Receive, Scope, Send, read_body, respond_json

if TYPE_CHECKING:
    from simulators.ongoing_wms.faults import Faults
    from simulators.ongoing_wms.state import WmsState

__all__ = ["ControlApi"]


class ArticleBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/articles."""

    number: str
    name: str | None = None
    stock: Decimal = Decimal(0)


class StatusBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/orders/{number}/status."""

    status: int


class PickBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/orders/{number}/pick; no `lines` picks every line in full."""

    lines: dict[str, Decimal] | None = None


class ShipBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/orders/{number}/ship."""

    way_bill: str | None = None


class FaultSpec(msgspec.Struct, forbid_unknown_fields=True):
    """One fault to arm."""

    n: int = 1
    operation: str | None = None
    status: int = 500
    delay: float = 5.0


class FaultsBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/faults: any combination of the knobs."""

    latency: float | None = None
    fail_next: FaultSpec | None = None
    commit_then_timeout: FaultSpec | None = None
    drop_next: FaultSpec | None = None


_ORDER_ACTION = re.compile(r"^/_sim/orders/(?P<number>[^/]+)/(?P<action>status|pick|ship)$")
_ORDER = re.compile(r"^/_sim/orders/(?P<number>[^/]+)$")


class ControlApi:
    """Routes `/_sim/...` requests to the state and the fault plan."""

    def __init__(self, state: WmsState, faults: Faults) -> None:
        self.state = state
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one `/_sim/` request with JSON."""
        method, path = scope["method"], scope["path"]
        try:
            status, payload = self._route(method, path, await read_body(receive))
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
            status, payload = 400, {"error": str(exc)}
        except KeyError as exc:
            status, payload = 404, {"error": str(exc)}
        await respond_json(send, status, payload)

    def _route(self, method: str, path: str, body: bytes) -> tuple[int, Any]:  # noqa: PLR0911 - a router
        if (method, path) == ("GET", "/_sim/orders"):
            return 200, self.state.orders()
        if (method, path) == ("GET", "/_sim/articles"):
            return 200, self.state.articles()
        if (method, path) == ("POST", "/_sim/articles"):
            article = msgspec.json.decode(body, type=ArticleBody)
            return 201, self.state.add_article(article.number, article.name, article.stock)
        if (method, path) == ("GET", "/_sim/requests"):
            return 200, self.state.requests()
        if (method, path) == ("POST", "/_sim/reset"):
            self.state.reset()
            self.faults.clear()
            return 200, {"reset": True}
        if path == "/_sim/faults":
            return self._faults(method, body)
        if (match := _ORDER.match(path)) and method == "GET":
            order = self.state.order(match["number"])
            if order is None:
                raise KeyError(f"no order {match['number']}")
            return 200, order
        if (match := _ORDER_ACTION.match(path)) and method == "POST":
            return 200, self._order_action(match["number"], match["action"], body or b"{}")
        return 404, {"error": f"no route {method} {path}"}

    def _order_action(self, number: str, action: str, body: bytes) -> object:
        if action == "status":
            return self.state.set_status(number, msgspec.json.decode(body, type=StatusBody).status)
        if action == "pick":
            return self.state.pick(number, msgspec.json.decode(body, type=PickBody).lines)
        return self.state.ship(number, msgspec.json.decode(body, type=ShipBody).way_bill)

    def _faults(self, method: str, body: bytes) -> tuple[int, Any]:
        if method == "DELETE":
            self.faults.clear()
        elif method == "POST":
            spec = msgspec.json.decode(body, type=FaultsBody)
            if spec.latency is not None:
                self.faults.latency = spec.latency
            if (f := spec.fail_next) is not None:
                self.faults.fail_next(f.n, status=f.status, operation=f.operation)
            if (f := spec.commit_then_timeout) is not None:
                self.faults.commit_then_timeout(f.n, delay=f.delay, operation=f.operation)
            if (f := spec.drop_next) is not None:
                self.faults.drop_next(f.n, operation=f.operation)
        elif method != "GET":
            return 405, {"error": f"{method} not allowed"}
        return 200, {"latency": self.faults.latency, "armed": self.faults.armed()}
