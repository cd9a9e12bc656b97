"""Shopify's webhook sender: signed deliveries, retries with backoff, removal, and delivery fault knobs."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx

from simulators._shop import WebhookQueue, hmac_sha256_base64
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


class WebhookSender(WebhookQueue[_Delivery]):
    """Deliver from one background thread; a failure is retried `max_retries` times, doubling the delay.

    Success is any 2xx within `timeout` seconds (redirects are not followed, so 3xx fails). Retries carry
    the original body, headers and Webhook-Id to the address of the original event. Knobs act on the next
    deliveries: drop (never sent), duplicate (sent twice, same Webhook-Id), reorder (held until the next
    delivery has gone), bad_hmac (signed with a wrong secret).
    """

    thread_name = "shopify-webhooks"

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
        super().__init__(timeout=timeout, now=now, signature_knob="bad_hmac")
        self.secret = secret
        self.shop_domain = shop_domain
        self.api_version = api_version
        self.retry_base = retry_base
        self.max_retries = max_retries
        self._record = record
        self._subscriptions: dict[int, Subscription] = {}

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

    def clear(self) -> None:
        """Forget subscriptions, queued deliveries and knobs."""
        with self._cond:
            self._subscriptions.clear()
            super().clear()
            self._cond.notify_all()

    # --- emitting -----------------------------------------------------------------------------------

    def sign(self, body: bytes, secret: str | None = None) -> str:
        """base64(HMAC-SHA256(secret, body))."""
        return hmac_sha256_base64(secret or self.secret, body)

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
                    self._enqueue(delivery)
            self._cond.notify_all()

    # --- the delivery thread ------------------------------------------------------------------------

    def _http_timeout(self) -> httpx.Timeout:
        """`timeout` seconds, but at most one to connect."""
        return httpx.Timeout(self.timeout, connect=min(1.0, self.timeout))

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

    def _dropped(self, delivery: _Delivery) -> None:
        self._note(delivery, "dropped", None)

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
