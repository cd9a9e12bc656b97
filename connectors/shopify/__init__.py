"""Shopify connector: order webhooks and poll in, fulfillments with tracking and stock levels out.

Settings (`source.settings`, non-secret): `shop_url`, `api_version`, `location_id`, `tracking_companies`,
`notify_customer`, `rate_limit_per_second`, `rate_limit_headroom`, `pull_overlap_seconds`, `page_size`,
`timeout_seconds`. Credentials (`context.credentials`, secret): `access_token` (Admin API),
`webhook_secret` (the app's client secret) and, during a rotation, `previous_webhook_secret`.
The full field mapping is in `docs/connectors/shopify.md`.
"""

from __future__ import annotations

from connectors.shopify.client import ShopifyClient
from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.pacing import LeakyBucketPacer
from connectors.shopify.settings import ShopifySettings

__all__ = ["LeakyBucketPacer", "ShopifyClient", "ShopifyConnector", "ShopifySettings"]
