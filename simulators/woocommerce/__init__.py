"""WooCommerce site simulator: REST v3 (orders, notes, products, webhooks) and signed webhook deliveries."""

from __future__ import annotations

from simulators.woocommerce.records import DeliveryAttempt, LineSpec, RecordedRequest
from simulators.woocommerce.simulator import WooCommerceSimulator
from simulators.woocommerce.webhooks import Webhook

__all__ = ["DeliveryAttempt", "LineSpec", "RecordedRequest", "Webhook", "WooCommerceSimulator"]
