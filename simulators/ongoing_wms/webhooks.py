"""Outbound webhooks: Ongoing-shaped order (and inferred inventory) notifications from a background sender."""

from __future__ import annotations

import collections
import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from simulators.ongoing_wms.store import OrderEvent, StockEvent

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["WebhookDelivery", "Webhooks"]

# Order payload: the fields Ongoing documents for its order webhooks (CONTRACT.md section 7), camelCase.
# Inferred here: `webhookTemplate` texts, `path` (the REST resource), `timestamp` being UTC, that only status
# changes fire (not creation), and the whole inventory payload: Ongoing has article webhooks but their
# payload was not read, so it mirrors the order one (thin: ids and a path, no figures; read the API back).
ORDER_TEMPLATE = "Order status changed"
INVENTORY_TEMPLATE = "Article stock changed"


@dataclass(frozen=True, kw_only=True)
class WebhookDelivery:
    """One delivery attempt of one event (a duplicated event shows up twice with the same event id)."""

    event_id: int
    kind: str  # "order" or "inventory"
    payload: dict[str, Any]
    outcome: str  # "sent", "dropped" or "failed"
    status: int | None = None
    error: str | None = None
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass(kw_only=True)
class _Pending:
    event_id: int
    kind: str
    payload: dict[str, Any]
    url: str
    headers: dict[str, str]
    copies: int = 1


class Webhooks:
    """Thread-safe webhook sender; knobs act on the next events taken from the queue, in queue order.

    Each event taken is dropped if a drop is armed; otherwise it is duplicated if a duplicate is armed
    and held back if a reorder is armed, so knobs armed together apply to the same next event.
    """

    def __init__(self, *, system: str, goods_owner_id: int, goods_owner_name: str, timeout: float = 5.0) -> None:
        self.system = system
        self.goods_owner_id = goods_owner_id
        self.goods_owner_name = goods_owner_name
        self._timeout = timeout
        self._lock = threading.Condition()
        self._queue: collections.deque[_Pending] = collections.deque()
        self._deliveries: list[WebhookDelivery] = []
        self._url: str | None = None
        self._headers: dict[str, str] = {}
        self._kinds: frozenset[str] = frozenset()
        self._config_id = 0
        self._next_event_id = 1
        self._drop = 0
        self._duplicate = 0
        self._reorder = 0
        self._held: _Pending | None = None
        self._busy = False
        self._closed = False
        self._thread: threading.Thread | None = None

    # --- configuration and knobs ------------------------------------------------------------------

    def configure(
        self, url: str, headers: Mapping[str, str] | None = None, *, orders: bool = True, inventory: bool = True
    ) -> None:
        """Send webhooks to `url` with these extra headers (e.g. a static auth token; Ongoing signs nothing)."""
        with self._lock:
            self._url = url
            self._headers = dict(headers or {})
            self._kinds = frozenset(kind for kind, on in (("order", orders), ("inventory", inventory)) if on)
            self._config_id += 1
            if self._thread is None:
                self._closed = False
                self._thread = threading.Thread(target=self._run, name="ongoing-wms-webhooks", daemon=True)
                self._thread.start()

    def disable(self) -> None:
        """Stop producing webhooks (queued ones are still sent)."""
        with self._lock:
            self._url = None
            self._kinds = frozenset()

    @property
    def url(self) -> str | None:
        """Where webhooks go, or None when disabled."""
        with self._lock:
            return self._url

    def drop_next(self, n: int = 1) -> None:
        """Lose the next `n` events (recorded as "dropped", never sent)."""
        with self._lock:
            self._drop += _positive(n)

    def duplicate_next(self, n: int = 1) -> None:
        """Send each of the next `n` events twice (same webhookEventId)."""
        with self._lock:
            self._duplicate += _positive(n)

    def reorder_next(self, n: int = 1) -> None:
        """Hold each of the next `n` events back and send it right after the event that follows it."""
        with self._lock:
            self._reorder += _positive(n)

    def deliveries(self) -> list[WebhookDelivery]:
        """Every delivery attempt so far, in the order they happened."""
        with self._lock:
            return list(self._deliveries)

    def held(self) -> dict[str, Any] | None:
        """The payload held back for reordering, if any."""
        with self._lock:
            return None if self._held is None else self._held.payload

    def flush(self, timeout: float = 5.0) -> list[WebhookDelivery]:
        """Wait until every queued event has been sent, dropped or held; return all deliveries."""
        with self._lock:
            if not self._lock.wait_for(lambda: not self._queue and not self._busy, timeout):
                raise TimeoutError(f"webhooks not delivered within {timeout}s")
            return list(self._deliveries)

    def release_held(self) -> None:
        """Send the held event now, even though no later event came."""
        with self._lock:
            if self._held is not None:
                self._queue.appendleft(self._held)
                self._held = None
                self._lock.notify_all()

    def clear(self) -> None:
        """Disable, forget queued, held and delivered events, disarm the knobs."""
        with self._lock:
            self._url = None
            self._kinds = frozenset()
            self._queue.clear()
            self._deliveries.clear()
            self._held = None
            self._drop = self._duplicate = self._reorder = 0
            self._lock.notify_all()

    def close(self) -> None:
        """Stop the sender thread (after the event being sent, if any)."""
        with self._lock:
            self._closed = True
            thread, self._thread = self._thread, None
            self._lock.notify_all()
        if thread is not None:
            thread.join(self._timeout + 1.0)

    # --- producing (called by the state, under its lock: only enqueue) -----------------------------

    def listen(self, event: OrderEvent | StockEvent) -> None:
        """Turn a state change into a queued webhook when one is configured for its kind."""
        kind = "order" if isinstance(event, OrderEvent) else "inventory"
        with self._lock:
            if self._url is None or kind not in self._kinds:
                return
            if isinstance(event, OrderEvent) and event.previous is None:
                return  # only status changes fire; a new order is no change
            event_id = self._next_event_id
            self._next_event_id += 1
            if isinstance(event, OrderEvent):
                payload = self._order_payload(event, event_id)
            else:
                payload = self._inventory_payload(event, event_id)
            pending = _Pending(event_id=event_id, kind=kind, payload=payload, url=self._url, headers=self._headers)
            self._queue.append(pending)
            self._lock.notify_all()

    def _base(self, event_id: int, at: dt.datetime) -> dict[str, Any]:
        return {
            "webhookEventId": event_id,
            "system": self.system,
            "timestamp": _timestamp(at),
            "goodsOwnerId": self.goods_owner_id,
            "goodsOwnerName": self.goods_owner_name,
        }

    def _order_payload(self, event: OrderEvent, event_id: int) -> dict[str, Any]:
        order = event.order
        tracking = []
        if order.way_bill or order.tracking_url:
            tracking.append({"trackingUrl": order.tracking_url, "waybill": order.way_bill, "isReturn": False})
        return {
            "webhookOrdersId": self._config_id,
            **self._base(event_id, event.at),
            "orderId": order.order_id,
            "orderNumber": order.number,
            "path": f"/api/v1/orders/{order.order_id}",
            "byUser": None,
            "byComputer": None,
            "orderStatus": {"number": order.status},
            "currentShipmentId": None,
            "webhookTemplate": ORDER_TEMPLATE,
            "goodsOwnerClasses": [],
            "tracking": tracking,
            "parcels": [],
        }

    def _inventory_payload(self, event: StockEvent, event_id: int) -> dict[str, Any]:
        article = event.row.article
        return {
            "webhookArticlesId": self._config_id,
            **self._base(event_id, event.at),
            "articleSystemId": article.system_id,
            "articleNumber": article.number,
            "path": f"/api/v1/articles/{article.system_id}",
            "webhookTemplate": INVENTORY_TEMPLATE,
        }

    # --- sending (background thread) ---------------------------------------------------------------

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout) as client:
            while True:
                batch = self._next_batch()
                if batch is None:
                    return
                for pending in batch:
                    for _ in range(pending.copies):
                        self._send(client, pending)
                with self._lock:
                    self._busy = False
                    self._lock.notify_all()

    def _next_batch(self) -> list[_Pending] | None:
        """Take the next event and apply the knobs (drop, else duplicate and/or hold): what to send now."""
        with self._lock:
            self._lock.wait_for(lambda: self._queue or self._closed)
            if self._closed:
                return None
            pending = self._queue.popleft()
            self._busy = True
            if self._drop:
                self._drop -= 1
                self._deliveries.append(
                    WebhookDelivery(
                        event_id=pending.event_id, kind=pending.kind, payload=pending.payload, outcome="dropped"
                    )
                )
                return []
            if self._duplicate:
                self._duplicate -= 1
                pending.copies = 2
            if self._reorder and self._held is None:
                self._reorder -= 1
                self._held = pending
                return []
            batch = [pending]
            if self._held is not None:
                batch.append(self._held)
                self._held = None
            return batch

    def _send(self, client: httpx.Client, pending: _Pending) -> None:
        """POST one event (no retries: Ongoing's retry policy "None")."""
        try:
            response = client.post(pending.url, json=pending.payload, headers=pending.headers)
        except httpx.HTTPError as exc:
            outcome = WebhookDelivery(
                event_id=pending.event_id,
                kind=pending.kind,
                payload=pending.payload,
                outcome="failed",
                error=type(exc).__name__,
            )
        else:
            outcome = WebhookDelivery(
                event_id=pending.event_id,
                kind=pending.kind,
                payload=pending.payload,
                outcome="sent" if response.is_success else "failed",
                status=response.status_code,
            )
        with self._lock:
            self._deliveries.append(outcome)
            self._lock.notify_all()


def _timestamp(at: dt.datetime) -> str:
    """Ongoing's webhook time format, `2023-01-01T12:00:00.0000000` (seven digits, no zone; UTC here)."""
    utc = at.astimezone(dt.UTC).replace(tzinfo=None)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}0"


def _positive(n: int) -> int:
    if n < 1:
        raise ValueError("n must be at least 1")
    return n
