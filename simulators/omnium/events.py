"""Event subscriptions: metadata-only webhooks with configured headers, Omnium's retries, and test knobs."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import threading
import time
from dataclasses import dataclass, field

import httpx

from simulators.omnium.asgi import encode_json
from simulators.omnium.wire import Event

__all__ = ["Delivery", "EventDispatcher", "Subscription"]

_NO_RETRY = frozenset({400, 404, 429})


@dataclass(frozen=True, kw_only=True)
class Subscription:
    """A webhook subscription: where to POST and which custom headers to send (no signature exists)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    categories: frozenset[str] | None = None  # None: every category


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One attempt to deliver one event (`status` None: no answer — timeout or connection error)."""

    event: Event
    attempt: int
    status: int | None
    error: str | None = None
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


class EventDispatcher:
    """Delivers events from one background thread, in emission order, retrying like Omnium does.

    Retries follow the documented policy: after the first attempt, again after `retry_delays` (1 s, 5 s,
    15 s), never after 2xx, 400, 404 or 429. Knobs: `duplicate_next`, `drop_next`, `reorder_next`.
    """

    def __init__(self, *, retry_delays: tuple[float, ...] = (1.0, 5.0, 15.0), timeout: float = 5.0) -> None:
        self.retry_delays = retry_delays
        self.timeout = timeout
        self._changed = threading.Condition()
        self._queue: list[tuple[float, int, Event, int]] = []
        self._seq = itertools.count()
        self._deliveries: list[Delivery] = []
        self._dropped: list[Event] = []
        self._held: list[Event] = []
        self._subscription: Subscription | None = None
        self._duplicate = 0
        self._drop = 0
        self._reorder = 0
        self._stopping = False
        self._delivering = False
        self._thread: threading.Thread | None = None

    # --- configuration and knobs ------------------------------------------------------------------

    def subscribe(self, subscription: Subscription | None) -> None:
        """Set (or with None remove) the webhook subscription."""
        with self._changed:
            self._subscription = subscription

    def duplicate_next(self, n: int = 1) -> None:
        """Deliver each of the next `n` events twice."""
        with self._changed:
            self._duplicate += n

    def drop_next(self, n: int = 1) -> None:
        """Never deliver the next `n` events (polling must recover them)."""
        with self._changed:
            self._drop += n

    def reorder_next(self, n: int = 1) -> None:
        """Hold the next `n` events back and deliver them after the event that follows them."""
        with self._changed:
            self._reorder += n

    def clear(self) -> None:
        """Disarm the knobs and forget queued, held and recorded events."""
        with self._changed:
            self._duplicate = self._drop = self._reorder = 0
            self._queue.clear()
            self._held.clear()
            self._deliveries.clear()
            self._dropped.clear()
            self._changed.notify_all()

    # --- observation ------------------------------------------------------------------------------

    def deliveries(self) -> list[Delivery]:
        """Every delivery attempt so far."""
        with self._changed:
            return list(self._deliveries)

    def dropped(self) -> list[Event]:
        """Events the drop knob swallowed."""
        with self._changed:
            return list(self._dropped)

    # --- emission ---------------------------------------------------------------------------------

    def emit(self, event: Event) -> None:
        """Queue one event for the subscription (thread-safe; a no-op without a matching subscription)."""
        with self._changed:
            subscription = self._subscription
            if subscription is None:
                return
            if subscription.categories is not None and event.category not in subscription.categories:
                return
            if self._drop > 0:
                self._drop -= 1
                self._dropped.append(event)
                return
            if self._reorder > 0:
                self._reorder -= 1
                self._held.append(event)
                return
            copies = 2 if self._duplicate > 0 else 1
            self._duplicate = max(0, self._duplicate - 1)
            for _ in range(copies):
                self._push(0.0, event, 1)
            for held in self._held:
                self._push(0.0, held, 1)
            self._held.clear()

    def _push(self, delay: float, event: Event, attempt: int) -> None:
        due = _monotonic() + delay
        heapq.heappush(self._queue, (due, next(self._seq), event, attempt))
        self._changed.notify_all()

    # --- worker -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the delivery thread."""
        with self._changed:
            self._stopping = False
        self._thread = threading.Thread(target=self._run, name="omnium-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop delivering (queued events are abandoned)."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(self.timeout + 1.0)
            self._thread = None

    def _next(self) -> tuple[Event, int, Subscription] | None:
        with self._changed:
            while not self._stopping:
                if self._queue:
                    wait = self._queue[0][0] - _monotonic()
                    if wait <= 0:
                        _, _, event, attempt = heapq.heappop(self._queue)
                        if self._subscription is not None:
                            self._delivering = True
                            return event, attempt, self._subscription
                        continue
                    self._changed.wait(wait)
                else:
                    self._changed.wait()
            return None

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while (item := self._next()) is not None:
                event, attempt, subscription = item
                self._deliver(client, event, attempt, subscription)

    def _deliver(self, client: httpx.Client, event: Event, attempt: int, subscription: Subscription) -> None:
        headers = {"content-type": "application/json", **subscription.headers}
        status: int | None = None
        error: str | None = None
        try:
            status = client.post(subscription.url, content=encode_json(event), headers=headers).status_code
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        retry = status is None or not (200 <= status < 300 or status in _NO_RETRY)
        with self._changed:
            self._deliveries.append(Delivery(event=event, attempt=attempt, status=status, error=error))
            if retry and attempt <= len(self.retry_delays) and not self._stopping:
                self._push(self.retry_delays[attempt - 1], event, attempt + 1)
            self._delivering = False
            self._changed.notify_all()

    def wait_until_idle(self, timeout: float = 5.0) -> None:
        """Block until the queue is empty (every due attempt made); TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: not self._queue and not self._delivering, timeout):
                raise TimeoutError(f"events still queued after {timeout}s")


def _monotonic() -> float:
    """Retry delays are real seconds (the documented 1 s/5 s/15 s); tests configure short ones."""
    return time.monotonic()
