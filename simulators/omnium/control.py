"""The simulator's JSON control API under `/_sim/`, for tests and the sandbox driving it from another process."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from simulators.omnium.asgi import Receive, Scope, Send, read_body, respond_json
from simulators.omnium.clock import ManualClock
from simulators.omnium.events import Subscription
from simulators.omnium.limits import RateLimits
from simulators.omnium.orders import OrderRuleError
from simulators.omnium.wire import Order, decode_body

if TYPE_CHECKING:
    from simulators.omnium.events import EventDispatcher
    from simulators.omnium.limits import Limiter
    from simulators.omnium.state import OmniumState

__all__ = ["ControlApi"]


class ThrottleSpec(msgspec.Struct, forbid_unknown_fields=True):
    """A 429 storm."""

    n: int = 1
    retry_after: int = 2


class FailSpec(msgspec.Struct, forbid_unknown_fields=True):
    """Fail the next calls with a status."""

    n: int = 1
    status: int = 500
    path: str | None = None


class FaultsBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/faults: any combination of the knobs."""

    latency: float | None = None
    throttle_next: ThrottleSpec | None = None
    fail_next: FailSpec | None = None
    abort_next_workflow: str | None = None
    expire_tokens: bool = False


class SubscriptionBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/subscription."""

    url: str
    headers: dict[str, str] = {}
    categories: list[str] | None = None


class EventKnobs(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/events."""

    duplicate_next: int = 0
    drop_next: int = 0
    reorder_next: int = 0


class LimitsBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/limits (fields as `RateLimits`)."""

    concurrency: int = 20
    batch_concurrency: int = 4
    bucket_capacity: int = 12_000
    refill_tokens: int = 1_000
    refill_seconds: float = 10.0


class AdvanceBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/clock/advance (only with a manual clock)."""

    seconds: float


class ControlApi:
    """Routes `/_sim/...` requests to the state, the limiter and the event dispatcher."""

    def __init__(self, state: OmniumState, limiter: Limiter, events: EventDispatcher) -> None:
        self.state = state
        self.limiter = limiter
        self.events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one `/_sim/` request with JSON."""
        try:
            status, payload = self._route(scope["method"], scope["path"], await read_body(receive))
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
            status, payload = 400, {"error": str(exc)}
        await respond_json(send, status, payload)

    def _route(self, method: str, path: str, body: bytes) -> tuple[int, Any]:  # noqa: PLR0911 - a router
        route = (method, path.rstrip("/"))
        if route == ("GET", "/_sim/requests"):
            return 200, self.state.requests()
        if route == ("GET", "/_sim/orders"):
            return 200, self.state.orders()
        if route == ("POST", "/_sim/orders"):
            try:
                return 201, self.state.add_order(decode_body(body, Order), origin="seed", keep_modified=True)
            except OrderRuleError as exc:
                return 409, {"error": str(exc)}
        if method == "GET" and path.startswith("/_sim/orders/"):
            order = self.state.order(path.removeprefix("/_sim/orders/"))
            return (200, order) if order is not None else (404, {"error": "no such order"})
        if route == ("GET", "/_sim/inventory"):
            return 200, self.state.inventory()
        if route == ("POST", "/_sim/reset"):
            self.state.reset()
            self.limiter.clear()
            self.events.clear()
            return 200, {"reset": True}
        if path.rstrip("/") == "/_sim/faults":
            return self._faults(method, body)
        if route == ("POST", "/_sim/limits"):
            self.limiter.configure(RateLimits(**msgspec.structs.asdict(msgspec.json.decode(body, type=LimitsBody))))
            return 200, self.limiter.limits
        return self._events_and_clock(route, body)

    def _events_and_clock(self, route: tuple[str, str], body: bytes) -> tuple[int, Any]:  # noqa: PLR0911 - a router
        if route == ("POST", "/_sim/subscription"):
            spec = msgspec.json.decode(body, type=SubscriptionBody)
            categories = frozenset(spec.categories) if spec.categories is not None else None
            self.events.subscribe(Subscription(url=spec.url, headers=spec.headers, categories=categories))
            return 200, {"subscribed": spec.url}
        if route == ("DELETE", "/_sim/subscription"):
            self.events.subscribe(None)
            return 200, {"subscribed": None}
        if route == ("POST", "/_sim/events"):
            knobs = msgspec.json.decode(body or b"{}", type=EventKnobs)
            self.events.duplicate_next(knobs.duplicate_next)
            self.events.drop_next(knobs.drop_next)
            self.events.reorder_next(knobs.reorder_next)
            return 200, knobs
        if route == ("GET", "/_sim/events"):
            return 200, {"deliveries": self.events.deliveries(), "dropped": self.events.dropped()}
        if route == ("POST", "/_sim/clock/advance"):
            clock = self.state.clock
            if not isinstance(clock, ManualClock):
                return 409, {"error": "the simulator runs on the wall clock"}
            return 200, {"now": clock.advance(msgspec.json.decode(body, type=AdvanceBody).seconds)}
        if route == ("GET", "/_sim/clock"):
            return 200, {"now": self.state.clock.now()}
        return 404, {"error": f"no route {route[0]} {route[1]}"}

    def _faults(self, method: str, body: bytes) -> tuple[int, Any]:
        if method == "DELETE":
            self.limiter.clear()
        elif method == "POST":
            spec = msgspec.json.decode(body, type=FaultsBody)
            if spec.latency is not None:
                self.limiter.latency = spec.latency
            if spec.throttle_next is not None:
                self.limiter.throttle_next(spec.throttle_next.n, retry_after=spec.throttle_next.retry_after)
            if spec.fail_next is not None:
                f = spec.fail_next
                self.limiter.fail_next(f.n, status=f.status, path=f.path)
            if spec.abort_next_workflow is not None:
                self.limiter.abort_next_workflow(spec.abort_next_workflow)
            if spec.expire_tokens:
                self.state.expire_tokens()
        elif method != "GET":
            return 405, {"error": f"{method} not allowed"}
        return 200, {"latency": self.limiter.latency, "limits": self.limiter.limits}
