"""Shopify's webhook sender: signed deliveries, retries with backoff, removal, and delivery fault knobs."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import heapq
import hmac
import itertools
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx

from simulators.shopify.records import DeliveryAttempt

__all__ = ["Subscription", "WebhookSender"]


@dataclass(frozen=True, kw_only=True)
class Subscription:
    """A webhook subscription (as if created through the Admin API: removed after persistent failure)."""

    id: int
    topic: str
    address: str


@dataclass(frozen=True, kw_only=True)
class _Delivery:
    webhook_id: str
    topic: str
    address: str
    subscription_id: int
    body: bytes
    headers: dict[str, str]
    attempt: int = 0


class WebhookSender:
    """Deliver from one background thread; a failure is retried `max_retries` times, doubling the delay.

    Success is any 2xx within `timeout` seconds (redirects are not followed, so 3xx fails). Retries carry
    the original body, headers and Webhook-Id to the address of the original event. Knobs act on the next
    deliveries: drop (never sent), duplicate (sent twice, same Webhook-Id), reorder (held until the next
    delivery has gone), bad_hmac (signed with a wrong secret).
    """

    def __init__(
        self,
        *,
        secret: str,
        shop_domain: str,
        api_version: str,
        record: Callable[[DeliveryAttempt], None],
        now: Callable[[], dt.datetime],
        timeout: float = 5.0,
        retry_base: float = 56.0,
        max_retries: int = 8,
    ) -> None:
        self.secret = secret
        self.shop_domain = shop_domain
        self.api_version = api_version
        self.timeout = timeout
        self.retry_base = retry_base
        self.max_retries = max_retries
        self._record = record
        self._now = now
        self._cond = threading.Condition()
        self._subscriptions: dict[int, Subscription] = {}
        self._ids = itertools.count(1)
        self._seq = itertools.count()
        self._queue: list[tuple[float, int, _Delivery]] = []
        self._held: _Delivery | None = None
        self._busy = 0
        self._knobs = {"drop": 0, "duplicate": 0, "reorder": 0, "bad_hmac": 0}
        self._stopping = False
        self._thread: threading.Thread | None = None

    # --- subscriptions and knobs --------------------------------------------------------------------

    def subscribe(self, topic: str, address: str) -> Subscription:
        """Deliver `topic` to `address` from now on."""
        with self._cond:
            subscription = Subscription(id=next(self._ids), topic=topic, address=address)
            self._subscriptions[subscription.id] = subscription
            return subscription

    def subscriptions(self) -> list[Subscription]:
        """Current subscriptions."""
        with self._cond:
            return list(self._subscriptions.values())

    def arm(self, knob: str, n: int = 1) -> None:
        """Arm `drop`, `duplicate`, `reorder` or `bad_hmac` for the next `n` deliveries."""
        if knob not in self._knobs or n < 0:
            raise ValueError(f"unknown knob {knob!r} or negative count")
        with self._cond:
            self._knobs[knob] += n

    def clear(self) -> None:
        """Forget subscriptions, queued deliveries and knobs."""
        with self._cond:
            self._subscriptions.clear()
            self._queue.clear()
            self._held = None
            self._knobs = dict.fromkeys(self._knobs, 0)
            self._cond.notify_all()

    def _take(self, knob: str) -> bool:
        if self._knobs[knob] > 0:
            self._knobs[knob] -= 1
            return True
        return False

    # --- emitting -----------------------------------------------------------------------------------

    def sign(self, body: bytes, secret: str | None = None) -> str:
        """base64(HMAC-SHA256(secret, body))."""
        key = (secret or self.secret).encode()
        return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()

    def emit(self, topics: list[str], body: bytes) -> None:
        """Deliver one action's topics (sharing an Event-Id) to every matching subscription."""
        event_id = str(uuid.uuid4())
        triggered = self._now().astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        with self._cond:
            for topic in topics:
                for subscription in [s for s in self._subscriptions.values() if s.topic == topic]:
                    webhook_id = str(uuid.uuid4())
                    bad = self._take("bad_hmac")
                    headers = {
                        "Content-Type": "application/json",
                        "User-Agent": "Shopify-Captain-Hook",
                        "X-Shopify-Topic": topic,
                        "X-Shopify-Hmac-Sha256": self.sign(body, self.secret + "-wrong" if bad else None),
                        "X-Shopify-Shop-Domain": self.shop_domain,
                        "X-Shopify-API-Version": self.api_version,
                        "X-Shopify-Webhook-Id": webhook_id,
                        "X-Shopify-Event-Id": event_id,
                        "X-Shopify-Triggered-At": triggered,
                    }
                    delivery = _Delivery(
                        webhook_id=webhook_id,
                        topic=topic,
                        address=subscription.address,
                        subscription_id=subscription.id,
                        body=body,
                        headers=headers,
                    )
                    self._enqueue_new(delivery)
            self._cond.notify_all()

    def _enqueue_new(self, delivery: _Delivery) -> None:
        if self._take("drop"):
            self._note(delivery, "dropped", None)
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

    def _push(self, delay: float, delivery: _Delivery) -> None:
        heapq.heappush(self._queue, (time.monotonic() + delay, next(self._seq), delivery))

    def release_held(self) -> None:
        """Send a delivery held by `reorder` now, although nothing followed it."""
        with self._cond:
            if self._held is not None:
                self._push(0.0, self._held)
                self._held = None
                self._cond.notify_all()

    # --- the delivery thread ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the delivery thread."""
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="shopify-webhooks", daemon=True)
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

    def _next(self) -> _Delivery | None:
        with self._cond:
            while not self._stopping:
                if self._queue and self._queue[0][0] <= time.monotonic():
                    self._busy += 1
                    return heapq.heappop(self._queue)[2]
                self._cond.wait(self._queue[0][0] - time.monotonic() if self._queue else None)
            return None

    def _run(self) -> None:
        timeout = httpx.Timeout(self.timeout, connect=min(1.0, self.timeout))
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            while (delivery := self._next()) is not None:
                try:
                    self._send(client, delivery)
                finally:
                    with self._cond:
                        self._busy -= 1
                        self._cond.notify_all()

    def _send(self, client: httpx.Client, delivery: _Delivery) -> None:
        try:
            status: int | None = client.post(
                delivery.address, content=delivery.body, headers=delivery.headers
            ).status_code
        except httpx.HTTPError:
            status = None
        if status is not None and 200 <= status < 300:
            self._note(delivery, "delivered", status)
            return
        self._note(delivery, "failed", status)
        with self._cond:
            if delivery.attempt < self.max_retries:
                self._push(self.retry_base * 2**delivery.attempt, replace(delivery, attempt=delivery.attempt + 1))
            elif self._subscriptions.pop(delivery.subscription_id, None) is not None:
                self._note(delivery, "subscription removed", status)

    def _note(self, delivery: _Delivery, outcome: str, status: int | None) -> None:
        self._record(
            DeliveryAttempt(
                webhook_id=delivery.webhook_id,
                topic=delivery.topic,
                address=delivery.address,
                attempt=delivery.attempt,
                outcome=outcome,
                status=status,
                at=self._now(),
            )
        )
