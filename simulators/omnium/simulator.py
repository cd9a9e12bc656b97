"""`OmniumSimulator`: one Omnium OMS tenant on loopback, with a thread-safe Python API for tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from simulators._lifecycle import ServedSimulator
from simulators.omnium.app import OmniumApp
from simulators.omnium.clock import Clock, SystemClock
from simulators.omnium.control import ControlApi
from simulators.omnium.events import Delivery, EventDispatcher, Subscription
from simulators.omnium.limits import Limiter, RateLimits
from simulators.omnium.orders import apply_update_status
from simulators.omnium.state import OmniumState, RecordedRequest
from simulators.omnium.wire import InventoryItem, Order, ShipmentInfo, UpdateStatusPatch

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["OmniumSimulator"]

T = TypeVar("T")


class OmniumSimulator(ServedSimulator):
    """Omnium's REST API (`/api/...`) for one API user, plus event-subscription webhooks.

    ```python
    with OmniumSimulator(client_id="id", client_secret="secret") as sim:
        sim.add_order({"id": "1001", "orderForm": {...}})
        sim.subscribe("http://127.0.0.1:9000/hooks/omnium", headers={"X-Api-Key": "k"})
    ```
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        clock: Clock | None = None,
        limits: RateLimits | None = None,
        token_ttl: float = 864_000.0,
        event_retry_delays: tuple[float, ...] = (1.0, 5.0, 15.0),
        port: int = 0,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.events = EventDispatcher(retry_delays=event_retry_delays)
        self.state = OmniumState(self.clock, token_ttl=token_ttl, emit=self.events.emit)
        self.limiter = Limiter(self.clock, limits)
        control = ControlApi(self.state, self.limiter, self.events)
        self.app = OmniumApp(
            state=self.state, limiter=self.limiter, control=control, client_id=client_id, client_secret=client_secret
        )
        super().__init__(self.app, port=port, name="omnium", senders=[self.events])

    def __repr__(self) -> str:
        return f"OmniumSimulator(url={self._serving_url()!r})"

    # --- lifecycle --------------------------------------------------------------------------------

    def _before_stop(self) -> None:
        """Release held responses (then serving, and then event delivery, stops)."""
        self.app.release_held_responses()

    @property
    def url(self) -> str:
        """The API's base URL, `http://127.0.0.1:PORT` (the API is under `/api/`, controls under `/_sim/`)."""
        return self.base_url

    # --- data -------------------------------------------------------------------------------------

    def add_order(self, order: Order | Mapping[str, Any], *, keep_modified: bool = True) -> Order:
        """Seed an order (a wire Struct or camelCase JSON); emits a Created event. Keeps a given `modified`."""
        parsed = order if isinstance(order, Order) else msgspec.convert(dict(order), Order)
        return self.state.add_order(parsed, origin="seed", keep_modified=keep_modified)

    def update_status(self, order_id: str, status: str, *, shipment_id: str | None = None) -> Order:
        """Change a status as a merchant in Omnium would (the whole order, or one shipment); emits a Workflow event."""
        info = ShipmentInfo(shipment_id=shipment_id, order_status=status) if shipment_id is not None else None
        patch = UpdateStatusPatch(status=status, shipment_info=info)
        return self.state.change_order(
            order_id, lambda order, now: apply_update_status(order, patch, now), origin="POST UpdateStatus"
        )

    def order(self, order_id: str) -> Order:
        """One order; KeyError when unknown."""
        found = self.state.order(order_id)
        if found is None:
            raise KeyError(order_id)
        return found

    def orders(self) -> list[Order]:
        """Every order."""
        return self.state.orders()

    def inventory(self) -> list[InventoryItem]:
        """Every inventory item."""
        return self.state.inventory()

    def inventory_item(self, sku: str, warehouse_code: str) -> InventoryItem | None:
        """One inventory item."""
        return self.state.inventory_item(sku, warehouse_code)

    # --- knobs ------------------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Invalidate every token issued so far (the next call with one gets 401)."""
        self.state.expire_tokens()

    def throttle_next(self, n: int, *, retry_after: int = 2) -> None:
        """A 429 storm of `n` calls, each with `Retry-After: retry_after` (seconds of the simulator's clock)."""
        self.limiter.throttle_next(n, retry_after=retry_after)

    def fail_next(self, n: int = 1, *, status: int = 500, path: str | None = None) -> None:
        """Answer the next `n` calls (matching `path`) with `status` without processing them."""
        self.limiter.fail_next(n, status=status, path=path)

    def abort_next_workflow(self, reason: str = "Simulated workflow abort") -> None:
        """The next UpdateStatus answers 200 with `isAborted: true` and changes nothing."""
        self.limiter.abort_next_workflow(reason)

    def set_limits(self, limits: RateLimits) -> None:
        """Replace the rate limits."""
        self.limiter.configure(limits)

    def set_latency(self, seconds: float) -> None:
        """Real seconds added to each admitted call."""
        self.limiter.latency = seconds

    def subscribe(
        self, url: str, *, headers: Mapping[str, str] | None = None, categories: set[str] | None = None
    ) -> None:
        """Configure the event-subscription webhook (custom headers, no signature)."""
        frozen = frozenset(categories) if categories is not None else None
        self.events.subscribe(Subscription(url=url, headers=dict(headers or {}), categories=frozen))

    def deliveries(self) -> list[Delivery]:
        """Every webhook delivery attempt."""
        return self.events.deliveries()

    # --- observation ------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API call received, in order (no credentials, no tokens)."""
        return self.state.requests()

    def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Block until `predicate()` is truthy, re-checked on every state change (no polling sleeps)."""
        return self.state.wait_until(predicate, timeout)

    def reset(self) -> None:
        """Forget orders, inventory, tokens, requests and events; disarm every knob."""
        self.state.reset()
        self.limiter.clear()
        self.events.clear()
