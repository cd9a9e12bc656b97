"""What the Shopify and WooCommerce simulators share: the shop state's logs and the webhook delivery thread."""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import threading
import time
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

import httpx

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

__all__ = ["BaseShopState", "WebhookQueue", "hmac_sha256_base64"]

T = TypeVar("T")
RequestT = TypeVar("RequestT")
AttemptT = TypeVar("AttemptT")
DeliveryT = TypeVar("DeliveryT")


def hmac_sha256_base64(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, body)), the signature both platforms put on a webhook."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class BaseShopState(Generic[RequestT, AttemptT]):
    """A shop's clock, its re-entrant `lock` (a Condition waking waiters), id counter and request/delivery logs."""

    def __init__(self, *, clock: Callable[[], dt.datetime], zone: dt.tzinfo, first_id: int) -> None:
        self.clock = clock
        self.zone = zone
        self.lock = threading.Condition(threading.RLock())
        self._ids = itertools.count(first_id)
        self._requests: list[RequestT] = []
        self._deliveries: list[AttemptT] = []

    def _next_id(self) -> int:
        """The next id, one sequence for catalogue and orders alike."""
        return next(self._ids)

    def record(self, request: RequestT) -> None:
        """Remember one REST request."""
        self._append(self._requests, request)

    def record_delivery(self, attempt: AttemptT) -> None:
        """Remember one webhook delivery attempt."""
        self._append(self._deliveries, attempt)

    def _append(self, log: list[T], entry: T) -> None:
        with self.lock:
            log.append(entry)
            self.lock.notify_all()

    def changed(self) -> None:
        """Wake waiters after a change made through the Python API."""
        with self.lock:
            self.lock.notify_all()

    def requests(self) -> list[RequestT]:
        """Every REST request so far."""
        with self.lock:
            return list(self._requests)

    def deliveries(self) -> list[AttemptT]:
        """Every webhook delivery attempt so far."""
        with self.lock:
            return list(self._deliveries)

    def wait_until(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Block until `predicate()` is truthy, re-checked on every change; TimeoutError otherwise."""
        with self.lock:
            result = self.lock.wait_for(predicate, timeout)
        if not result:
            raise TimeoutError(f"condition not met within {timeout}s")
        return result

    def forget_requests(self) -> None:
        """Clear the request and delivery logs."""
        with self.lock:
            self._requests.clear()
            self._deliveries.clear()


class WebhookQueue(ABC, Generic[DeliveryT]):
    """Deliveries sent from one background thread, each when due (in order of queueing when due alike).

    Knobs act on the next new deliveries: drop (never sent), duplicate (sent twice), reorder (held until the
    next delivery has gone) and the platform's bad-signature knob. A platform builds and signs deliveries,
    sends one (`_send`, which may `_push` a retry) and records a dropped one (`_dropped`).
    """

    thread_name: ClassVar[str] = "webhooks"

    def __init__(self, *, timeout: float, now: Callable[[], dt.datetime], signature_knob: str) -> None:
        self.timeout = timeout
        self._now = now
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._seq = itertools.count()
        self._queue: list[tuple[float, int, DeliveryT]] = []
        self._held: DeliveryT | None = None
        self._busy = 0
        self._knobs = {"drop": 0, "duplicate": 0, "reorder": 0, signature_knob: 0}
        self._stopping = False
        self._thread: threading.Thread | None = None

    # --- knobs and queueing -----------------------------------------------------------------------

    def arm(self, knob: str, n: int = 1) -> None:
        """Arm `drop`, `duplicate`, `reorder` or the bad-signature knob for the next `n` deliveries."""
        if knob not in self._knobs or n < 0:
            raise ValueError(f"unknown knob {knob!r} or negative count")
        with self._cond:
            self._knobs[knob] += n

    def _take(self, knob: str) -> bool:
        if self._knobs[knob] > 0:
            self._knobs[knob] -= 1
            return True
        return False

    def clear(self) -> None:
        """Forget queued and held deliveries and disarm the knobs."""
        with self._cond:
            self._queue.clear()
            self._held = None
            self._knobs = dict.fromkeys(self._knobs, 0)

    def _enqueue(self, delivery: DeliveryT) -> None:
        """Queue a new delivery as the knobs say (the caller holds `_cond` and notifies)."""
        if self._take("drop"):
            self._dropped(delivery)
            return
        copies = 2 if self._take("duplicate") else 1
        if self._held is None and self._take("reorder"):
            self._held = delivery
            return
        for _ in range(copies):
            self._push(0.0, delivery)
        if self._held is not None:
            self._push(0.0, self._held)
            self._held = None

    def _push(self, delay: float, delivery: DeliveryT) -> None:
        heapq.heappush(self._queue, (time.monotonic() + delay, next(self._seq), delivery))

    def release_held(self) -> None:
        """Send a delivery held by `reorder` now, although nothing followed it."""
        with self._cond:
            if self._held is not None:
                self._push(0.0, self._held)
                self._held = None
                self._cond.notify_all()

    # --- the delivery thread ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the delivery thread."""
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop delivering (queued deliveries are abandoned)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(self.timeout + 2)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until nothing is queued, held or in flight (retries scheduled later count as queued)."""
        with self._cond:
            if not self._cond.wait_for(lambda: not self._queue and not self._busy and not self._held, timeout):
                raise TimeoutError(f"webhook deliveries still pending after {timeout}s")

    def _next(self) -> DeliveryT | None:
        with self._cond:
            while not self._stopping:
                if self._queue and self._queue[0][0] <= time.monotonic():
                    self._busy += 1
                    return heapq.heappop(self._queue)[2]
                self._cond.wait(self._queue[0][0] - time.monotonic() if self._queue else None)
            return None

    def _http_timeout(self) -> httpx.Timeout:
        """The delivery client's timeouts (all `timeout` seconds by default)."""
        return httpx.Timeout(self.timeout)

    def _run(self) -> None:
        with httpx.Client(timeout=self._http_timeout(), follow_redirects=False) as client:
            while (delivery := self._next()) is not None:
                try:
                    self._send(client, delivery)
                finally:
                    with self._cond:
                        self._busy -= 1
                        self._cond.notify_all()

    @abstractmethod
    def _send(self, client: httpx.Client, delivery: DeliveryT) -> None:
        """POST one delivery and record its outcome (applying the platform's failure policy)."""

    @abstractmethod
    def _dropped(self, delivery: DeliveryT) -> None:
        """Record a delivery the `drop` knob swallowed."""
