"""A Shopify source's settings (non-secret, from `source.settings`) and credentials (from the context)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from connectors._shop import Positive, ShopCredentials, ShopSettings

__all__ = ["ShopifyCredentials", "ShopifySettings"]


class ShopifySettings(ShopSettings, frozen=True, kw_only=True):
    """`source.settings` of a Shopify source; other keys (router-level settings) are left alone.

    Shared with WooCommerce (`ShopSettings`): `tracking_companies` (WMS transporter code to Shopify
    `tracking_info.company`), `pull_overlap_seconds` and `timeout_seconds`.
    """

    shop_url: str | None = None
    """`https://{shop}.myshopify.com`; needed for pull, report and push_stock, not for webhooks."""
    api_version: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}$")] = "2025-01"
    """The REST Admin API version in every path, e.g. `2025-01`."""
    location_id: int | None = None
    """The Shopify location whose `available` quantity the router sets (the warehouse)."""
    notify_customer: bool = False
    """Whether Shopify emails the customer about a fulfillment (Shopify's default: no)."""
    rate_limit_per_second: Positive = 2.0
    """The leaky bucket's leak rate for the shop's plan: 2 standard, 4 Advanced, 20 Plus."""
    rate_limit_headroom: Annotated[int, msgspec.Meta(ge=0, le=100)] = 2
    """Calls kept free in the bucket for other clients of the same token."""
    page_size: Annotated[int, msgspec.Meta(ge=1, le=250)] = 250
    """Orders per page of the poll (Shopify's maximum is 250)."""


class ShopifyCredentials(ShopCredentials, frozen=True, kw_only=True):
    """Secrets from `context.credentials`; the repr never shows them.

    `access_token` (Admin API), `webhook_secret` and, during a secret rotation, `previous_webhook_secret`.
    """

    access_token: str | None
    webhook_secret: str | None
    previous_webhook_secret: str | None
