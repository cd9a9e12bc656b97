"""WooCommerce connector: order webhooks (and the ping) and poll in, status, tracking and stock out.

Settings (`source.settings`, non-secret): `base_url`, `import_statuses` (default `["processing"]`),
`tracking_meta_key`, `tracking_note`, `tracking_note_to_customer`, `tracking_companies`,
`pull_overlap_seconds`, `page_size`, `timeout_seconds`. Credentials (`context.credentials`, secret):
`consumer_key`, `consumer_secret` (REST API, HTTP Basic) and `webhook_secret`.
The full field mapping is in `docs/connectors/woocommerce.md`.
"""

from __future__ import annotations

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.connector import WooCommerceConnector
from connectors.woocommerce.settings import WooSettings

__all__ = ["WooClient", "WooCommerceConnector", "WooSettings"]
