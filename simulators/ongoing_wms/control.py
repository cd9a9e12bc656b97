"""The simulator's JSON control API under `/_sim/`, for tests driving a simulator in another process."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from simulators.ongoing_wms.asgi import Receive, Scope, Send, read_body, respond_json
from simulators.ongoing_wms.control_bodies import (
    AdjustBody,
    ArticleBody,
    FaultsBody,
    ForeignInOrderBody,
    ForeignOrderBody,
    LinesBody,
    ReturnBody,
    ShipBody,
    StatusBody,
    WebhookKnobsBody,
    WebhooksBody,
)
from simulators.ongoing_wms.inputs import InventoryQuery

if TYPE_CHECKING:
    from collections.abc import Callable

    from simulators.ongoing_wms.faults import Faults
    from simulators.ongoing_wms.state import WmsState
    from simulators.ongoing_wms.webhooks import Webhooks

__all__ = ["ControlApi"]

T = TypeVar("T")


class ControlApi:
    """Routes `/_sim/...` requests to the state, the fault plan and the webhook sender.

    ```
    GET  /_sim/orders | /_sim/orders/{n}          POST /_sim/orders (foreign order)
    POST /_sim/orders/{n}/status|allocate|pick|ship|cancel|return
    GET  /_sim/articles | /_sim/articles/{n}      POST /_sim/articles, /_sim/articles/{n}/adjust
    GET  /_sim/inventory | /_sim/inventory/{n}    GET  /_sim/transactions
    GET  /_sim/in-orders | /_sim/in-orders/{n}    POST /_sim/in-orders (foreign), /_sim/in-orders/{n}/receive
    GET|POST|DELETE /_sim/webhooks                POST /_sim/webhooks/knobs, /_sim/webhooks/flush
    GET  /_sim/requests    POST /_sim/reset       GET|POST|DELETE /_sim/faults
    ```
    """

    def __init__(self, state: WmsState, faults: Faults, webhooks: Webhooks) -> None:
        self.state = state
        self.faults = faults
        self.webhooks = webhooks
        s = state
        n = r"(?P<n>[^/]+)"
        self._routes: list[tuple[str, re.Pattern[str], Callable[[re.Match[str], bytes], Any]]] = [
            ("GET", _p("orders"), lambda *_: s.orders()),
            ("POST", _p("orders"), lambda _m, b: self._foreign_order(b)),
            ("GET", _p(f"orders/{n}"), lambda m, _b: _found(s.order(m["n"]), f"order {m['n']}")),
            ("POST", _p(f"orders/{n}/status"), lambda m, b: s.set_status(m["n"], _decode(b, StatusBody).status)),
            ("POST", _p(f"orders/{n}/allocate"), lambda m, _b: s.allocate(m["n"])),
            ("POST", _p(f"orders/{n}/pick"), lambda m, b: s.pick(m["n"], _decode(b, LinesBody).lines)),
            ("POST", _p(f"orders/{n}/ship"), lambda m, b: self._ship(m["n"], b)),
            ("POST", _p(f"orders/{n}/cancel"), lambda m, _b: s.cancel(m["n"])),
            ("POST", _p(f"orders/{n}/return"), lambda m, b: self._return(m["n"], b)),
            ("GET", _p("articles"), lambda *_: s.articles()),
            ("POST", _p("articles"), lambda _m, b: self._article(b)),
            ("GET", _p(f"articles/{n}"), lambda m, _b: _found(s.article(m["n"]), f"article {m['n']}")),
            ("POST", _p(f"articles/{n}/adjust"), lambda m, b: self._adjust(m["n"], b)),
            ("GET", _p("inventory"), lambda *_: s.inventory()),
            ("GET", _p(f"inventory/{n}"), lambda m, _b: self._row(m["n"])),
            ("GET", _p("transactions"), lambda *_: s.transactions()),
            ("GET", _p("in-orders"), lambda *_: s.in_orders()),
            ("POST", _p("in-orders"), lambda _m, b: self._foreign_in_order(b)),
            ("GET", _p(f"in-orders/{n}"), lambda m, _b: _found(s.in_order(m["n"]), f"purchase order {m['n']}")),
            ("POST", _p(f"in-orders/{n}/receive"), lambda m, b: s.receive(m["n"], _decode(b, LinesBody).lines)),
            ("GET", _p("webhooks"), lambda *_: self._webhooks_state()),
            ("POST", _p("webhooks"), lambda _m, b: self._configure(b)),
            ("DELETE", _p("webhooks"), lambda *_: self._disable()),
            ("POST", _p("webhooks/knobs"), lambda _m, b: self._knobs(b)),
            ("POST", _p("webhooks/flush"), lambda *_: self.webhooks.flush()),
            ("GET", _p("requests"), lambda *_: s.requests()),
            ("POST", _p("reset"), lambda *_: self._reset()),
            ("GET", _p("faults"), lambda *_: self._faults_state()),
            ("POST", _p("faults"), lambda _m, b: self._arm(b)),
            ("DELETE", _p("faults"), lambda *_: self._disarm()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one `/_sim/` request with JSON: 400 for a bad body or move, 404 for an unknown thing."""
        method, path = scope["method"], scope["path"]
        try:
            status, payload = self._route(method, path, await read_body(receive) or b"{}")
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
            status, payload = 400, {"error": str(exc)}
        except KeyError as exc:
            status, payload = 404, {"error": str(exc.args[0]) if exc.args else "not found"}
        except TimeoutError as exc:
            status, payload = 504, {"error": str(exc)}
        await respond_json(send, status, payload)

    def _route(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        allowed = False
        for route_method, pattern, action in self._routes:
            match = pattern.match(path)
            if match is None:
                continue
            allowed = True
            if route_method == method:
                created = method == "POST" and path in ("/_sim/articles", "/_sim/orders", "/_sim/in-orders")
                return (201 if created else 200), action(match, body)
        if allowed:
            return 405, {"error": f"{method} not allowed on {path}"}
        return 404, {"error": f"no route {method} {path}"}

    # --- actions that need more than one call -------------------------------------------------------

    def _article(self, body: bytes) -> object:
        article = _decode(body, ArticleBody)
        return self.state.add_article(article.number, article.name, article.stock)

    def _adjust(self, number: str, body: bytes) -> object:
        spec = _decode(body, AdjustBody)
        return self.state.adjust_stock(number, spec.delta, spec.cause, spec.comment)

    def _row(self, number: str) -> object:
        rows = self.state.inventory(InventoryQuery(numbers=(number,)))
        if not rows:
            raise KeyError(f"no article {number}")
        return rows[0]

    def _ship(self, number: str, body: bytes) -> object:
        spec = _decode(body, ShipBody)
        return self.state.ship(
            number,
            spec.way_bill,
            tracking_url=spec.tracking_url,
            transporter=spec.transporter,
            transporter_code=spec.transporter_code,
        )

    def _return(self, number: str, body: bytes) -> object:
        spec = _decode(body, ReturnBody)
        return self.state.return_lines(number, spec.lines, restock=spec.restock)

    def _foreign_order(self, body: bytes) -> object:
        spec = _decode(body, ForeignOrderBody)
        lines = [(line.line_id, line.article, line.quantity) for line in spec.lines]
        return self.state.create_foreign_order(spec.number, lines, spec.order_type)

    def _foreign_in_order(self, body: bytes) -> object:
        spec = _decode(body, ForeignInOrderBody)
        lines = [(line.line_id, line.article, line.quantity) for line in spec.lines]
        return self.state.create_foreign_in_order(spec.number, lines, spec.supplier)

    def _webhooks_state(self) -> dict[str, object]:
        return {"url": self.webhooks.url, "held": self.webhooks.held(), "deliveries": self.webhooks.deliveries()}

    def _configure(self, body: bytes) -> dict[str, object]:
        spec = _decode(body, WebhooksBody)
        self.webhooks.configure(spec.url, spec.headers, orders=spec.orders, inventory=spec.inventory)
        return self._webhooks_state()

    def _disable(self) -> dict[str, object]:
        self.webhooks.disable()
        return self._webhooks_state()

    def _knobs(self, body: bytes) -> dict[str, object]:
        spec = _decode(body, WebhookKnobsBody)
        if spec.drop_next is not None:
            self.webhooks.drop_next(spec.drop_next)
        if spec.duplicate_next is not None:
            self.webhooks.duplicate_next(spec.duplicate_next)
        if spec.reorder_next is not None:
            self.webhooks.reorder_next(spec.reorder_next)
        if spec.release_held:
            self.webhooks.release_held()
        return self._webhooks_state()

    def _reset(self) -> dict[str, bool]:
        self.state.reset()
        self.faults.clear()
        self.webhooks.clear()
        return {"reset": True}

    def _faults_state(self) -> dict[str, object]:
        return {"latency": self.faults.latency, "armed": self.faults.armed()}

    def _arm(self, body: bytes) -> dict[str, object]:
        _decode(body, FaultsBody).arm(self.faults)
        return self._faults_state()

    def _disarm(self) -> dict[str, object]:
        self.faults.clear()
        return self._faults_state()


def _p(path: str) -> re.Pattern[str]:
    return re.compile(f"^/_sim/{path}$")


def _decode(body: bytes, kind: type[T]) -> T:
    return msgspec.json.decode(body, type=kind)


def _found(value: T | None, name: str) -> T:
    if value is None:
        raise KeyError(f"no {name}")
    return value
