"""Shopify store simulator: REST Admin (orders, fulfillments, inventory, leaky bucket) and signed webhooks."""

from __future__ import annotations

from simulators.shopify.records import DeliveryAttempt, LineSpec, RecordedRequest
from simulators.shopify.simulator import ShopifySimulator
from simulators.shopify.webhooks import Subscription

__all__ = ["DeliveryAttempt", "LineSpec", "RecordedRequest", "ShopifySimulator", "Subscription"]
