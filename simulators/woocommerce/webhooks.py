"""WooCommerce webhooks: registry, the creation ping, signed deliveries without retries, auto-disable."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from simulators._shop import WebhookQueue, hmac_sha256_base64
from simulators.woocommerce.records import ApiError, DeliveryAttempt

__all__ = ["MAX_FAILURES", "Webhook", "WebhookHub", "wp_json"]

MAX_FAILURES = 5
"""`woocommerce_max_webhook_delivery_failures`: the 7th failure in a row disables a webhook."""
USER_AGENT = "WooCommerce/9.4.0 Hookshot (WordPress/6.7.1)"


def wp_json(payload: object) -> bytes:
    """`trim(wp_json_encode(...))`: compact, slashes and non-ASCII characters escaped as PHP does."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/").encode()


@dataclass(kw_only=True)
class Webhook:
    """A webhook subscription as `GET /webhooks/<id>` shows it (plus `failure_count`)."""

    id: int
    name: str
    topic: str
    delivery_url: str
    secret: str
    status: str = "active"
    failure_count: int = 0

    def public(self) -> dict[str, Any]:
        """The REST representation (the secret is write-only)."""
        resource, _, event = self.topic.partition(".")
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "topic": self.topic,
            "resource": resource,
            "event": event,
            "delivery_url": self.delivery_url,
            "failure_count": self.failure_count,
        }


@dataclass(frozen=True, kw_only=True)
class _Delivery:
    webhook_id: int
    topic: str
    resource_id: int | None
    body: bytes
    headers: dict[str, str]


class WebhookHub(WebhookQueue[_Delivery]):
    """Deliver from one background thread in order; success is HTTP 200-302; a failure is not retried."""

    thread_name = "woocommerce-webhooks"

    def __init__(
        self,
        *,
        home_url: Callable[[], str],
        record: Callable[[DeliveryAttempt], None],
        now: Callable[[], dt.datetime],
        timeout: float = 60.0,
    ) -> None:
        super().__init__(timeout=timeout, now=now, signature_knob="bad_signature")
        self._home_url = home_url
        self._record = record
        self.webhooks: dict[int, Webhook] = {}

    # --- registry ---------------------------------------------------------------------------------

    def create(self, *, topic: str, delivery_url: str, secret: str, name: str = "", status: str = "active") -> Webhook:
        """Create a webhook; an active one is pinged first and refused unless the ping got exactly 200."""
        with self._cond:
            webhook = Webhook(
                id=next(self._ids), name=name or topic, topic=topic, delivery_url=delivery_url, secret=secret
            )
        webhook.status = status
        if status == "active":
            code = self.ping(webhook)
            if code != 200:
                message = f"Error: Delivery URL returned response code: {code if code is not None else 'none'}"
                raise ApiError(status=400, code="woocommerce_rest_webhook_delivery_url_error", message=message)
        with self._cond:
            self.webhooks[webhook.id] = webhook
        return webhook

    def set_status(self, webhook_id: int, status: str) -> Webhook:
        """`PUT /webhooks/<id>` `{"status": ...}`; reactivating clears the failure count."""
        with self._cond:
            webhook = self.webhooks.get(webhook_id)
            if webhook is None:
                raise ApiError(status=404, code="woocommerce_rest_webhook_invalid_id", message="Invalid ID.")
            if status not in {"active", "paused", "disabled"}:
                raise ApiError(status=400, code="rest_invalid_param", message="Invalid parameter(s): status")
            webhook.status = status
            if status == "active":
                webhook.failure_count = 0
            return webhook

    def ping(self, webhook: Webhook) -> int | None:
        """POST the form body `webhook_id=N` without a signature; returns the status code."""
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                status: int | None = client.post(
                    webhook.delivery_url,
                    content=f"webhook_id={webhook.id}".encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT},
                ).status_code
        except httpx.HTTPError:
            status = None
        outcome = "ping ok" if status == 200 else "ping failed"
        self._note(webhook.id, "ping", None, "", outcome, status)
        return status

    # --- knobs and emitting -----------------------------------------------------------------------

    def emit(self, topic: str, payload: dict[str, Any]) -> None:
        """Queue `topic` with `payload` to every active webhook on that topic."""
        body = wp_json(payload)
        resource, _, event = topic.partition(".")
        second = int(self._now().timestamp())
        with self._cond:
            for webhook in [w for w in self.webhooks.values() if w.topic == topic and w.status == "active"]:
                secret = webhook.secret + "-wrong" if self._take("bad_signature") else webhook.secret
                signature = hmac_sha256_base64(secret, body)
                delivery_id = hashlib.sha256(f"{webhook.id}{second}".encode()).hexdigest()[:32]
                headers = {
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    "X-WC-Webhook-Source": self._home_url(),
                    "X-WC-Webhook-Topic": topic,
                    "X-WC-Webhook-Resource": resource,
                    "X-WC-Webhook-Event": event,
                    "X-WC-Webhook-Signature": signature,
                    "X-WC-Webhook-ID": str(webhook.id),
                    "X-WC-Webhook-Delivery-ID": delivery_id,
                }
                delivery = _Delivery(
                    webhook_id=webhook.id, topic=topic, resource_id=payload.get("id"), body=body, headers=headers
                )
                self._enqueue(delivery)
            self._cond.notify_all()

    def clear(self) -> None:
        """Forget webhooks, queued deliveries and knobs."""
        with self._cond:
            self.webhooks.clear()
            super().clear()

    # --- the delivery thread (Action Scheduler's role) --------------------------------------------

    def _dropped(self, delivery: _Delivery) -> None:
        self._note(delivery.webhook_id, delivery.topic, delivery.resource_id, "", "dropped", None)

    def _send(self, client: httpx.Client, delivery: _Delivery) -> None:
        delivery_id = delivery.headers["X-WC-Webhook-Delivery-ID"]
        with self._cond:
            webhook = self.webhooks.get(delivery.webhook_id)
            url = webhook.delivery_url if webhook is not None and webhook.status == "active" else None
        if url is None:  # disabled, paused or deleted after the event was queued
            self._note(delivery.webhook_id, delivery.topic, delivery.resource_id, delivery_id, "not sent", None)
            return
        try:
            status: int | None = client.post(url, content=delivery.body, headers=delivery.headers).status_code
        except httpx.HTTPError:
            status = None
        ok = status is not None and 200 <= status <= 302
        outcome = "delivered" if ok else "failed"
        with self._cond:
            webhook = self.webhooks.get(delivery.webhook_id)
            if webhook is not None and ok:
                webhook.failure_count = 0
            elif webhook is not None and webhook.failure_count > MAX_FAILURES:
                webhook.status, outcome = "disabled", "failed; webhook disabled"
            elif webhook is not None:
                webhook.failure_count += 1
        self._note(delivery.webhook_id, delivery.topic, delivery.resource_id, delivery_id, outcome, status)

    def _note(  # noqa: PLR0917 - one record's fields
        self, webhook_id: int, topic: str, resource_id: int | None, delivery_id: str, outcome: str, status: int | None
    ) -> None:
        self._record(
            DeliveryAttempt(
                webhook_id=webhook_id,
                topic=topic,
                resource_id=resource_id,
                delivery_id=delivery_id,
                outcome=outcome,
                status=status,
                at=self._now(),
            )
        )
