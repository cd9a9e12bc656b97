"""Shop webhooks in tests: each shop kind's topic header, and normalizing an order payload as if it came by webhook."""

from __future__ import annotations

import msgspec

from connectors.base import Connector
from router.domain import ArticleUpdate, CanonicalOrder, Ignored, SourceCancellation

TOPIC_HEADER = {"shopify": "X-Shopify-Topic", "woocommerce": "X-WC-Webhook-Topic"}
CREATED_TOPIC = {"shopify": "orders/create", "woocommerce": "order.created"}


def normalize(
    connector: Connector, payload: object, topic: str | None = None
) -> CanonicalOrder | ArticleUpdate | SourceCancellation | Ignored:
    """`payload` as JSON through the connector, under `topic` (the kind's order-created topic unless told)."""
    kind = connector.kind
    return connector.normalize(msgspec.json.encode(payload), {TOPIC_HEADER[kind]: topic or CREATED_TOPIC[kind]})


def canonical(connector: Connector, payload: object) -> CanonicalOrder:
    """`payload` normalized as a new order; fails the test unless that gives a canonical order."""
    result = normalize(connector, payload)
    assert isinstance(result, CanonicalOrder), result
    return result
