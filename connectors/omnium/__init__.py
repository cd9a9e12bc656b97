"""The Omnium OMS connector: one WMS order per shipment, statuses and stock back to Omnium.

Settings (`source.settings`, non-secret; each field documented on `OmniumSettings`): `base_url`
(required), `market_ids`, `store_ids`, `import_statuses`, `statuses` (`in_warehouse`, `shipped`,
`partially_shipped`, `cancelled`, `picked`, `returned`, `rejected`), `poll_interval_seconds`,
`overlap_seconds`, `initial_modified_from`, `page_size`, `transporters`, `service_points`, `order_types`,
`inventory_warehouse_code`, `inventory_batch_size`, `event_header`, `wms_provider`,
`idempotency_provider`, `max_concurrency`, `batch_concurrency`, `timeout_seconds`, `retry_attempts`,
`max_retry_after_seconds`.

Credentials (`context.credentials`, secret): `client_id` and `client_secret` of the Omnium API user
(exchanged at `POST /api/Token`), `event_key` (the value of the custom header, `event_header`, configured
on the event subscription). See docs/connectors/omnium.md.
"""

from __future__ import annotations

from connectors.omnium.client import OmniumClient, TokenRejected
from connectors.omnium.connector import OmniumConnector
from connectors.omnium.settings import Credentials, OmniumSettings, StatusNames

__all__ = ["Credentials", "OmniumClient", "OmniumConnector", "OmniumSettings", "StatusNames", "TokenRejected"]
