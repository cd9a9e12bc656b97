"""Records of the Shopify simulator: requests, webhook deliveries, order-line specs, API errors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["ApiError", "DeliveryAttempt", "LineSpec", "RecordedRequest", "shop_time"]


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """One REST request as the simulator saw it: never the access token."""

    method: str
    path: str
    route: str
    query: dict[str, str]
    body: object
    status: int
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class DeliveryAttempt:
    """One attempt to deliver a webhook (or a knob's decision not to)."""

    webhook_id: str
    topic: str
    address: str
    attempt: int
    outcome: str  # "delivered", "failed", "dropped", "subscription removed"
    status: int | None
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class LineSpec:
    """A line of an order made through the simulator's API."""

    sku: str | None
    quantity: int
    price: str = "100.00"
    title: str = "Article"
    requires_shipping: bool = True
    location_id: int | None = None  # the fulfillment order's location (default: the shop's first)


@dataclass(kw_only=True)
class ApiError(Exception):
    """An error answer in Shopify's shape: `{"errors": ...}` with an HTTP status."""

    status: int
    errors: object = field(default="Not Found")


def shop_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """Shopify's timestamps: ISO 8601 in the shop's zone, whole seconds, with the offset."""
    return moment.astimezone(zone).replace(microsecond=0).isoformat()
