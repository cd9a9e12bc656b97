"""A WooCommerce source's settings (non-secret, `source.settings`) and credentials (from the context)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from connectors._shop import ShopCredentials, ShopSettings

__all__ = ["WooCredentials", "WooSettings"]


class WooSettings(ShopSettings, frozen=True, kw_only=True):
    """`source.settings` of a WooCommerce source; other keys (router-level settings) are left alone.

    Shared with Shopify (`ShopSettings`): `tracking_companies` (WMS transporter code to the carrier name
    shown), `pull_overlap_seconds` and `timeout_seconds`.
    """

    base_url: str | None = None
    """The site, e.g. `https://shop.example.eu` (the API is under `/wp-json/wc/v3/`)."""
    import_statuses: Annotated[list[str], msgspec.Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: ["processing"]
    )
    """Order statuses that become orders; others are Ignored (cancelled ones as the cancellation marker)."""
    tracking_meta_key: str = "_wc_shipment_tracking_items"
    """Order meta key of the tracking items (the Shipment Tracking extension's key by default)."""
    tracking_note: bool = True
    """Also add an order note with the tracking number and link."""
    tracking_note_to_customer: bool = True
    """Whether that note is a customer note (WooCommerce emails it)."""
    page_size: Annotated[int, msgspec.Meta(ge=1, le=100)] = 100
    """Orders per page of the poll (WordPress caps `per_page` at 100)."""


class WooCredentials(ShopCredentials, frozen=True, kw_only=True):
    """Secrets from `context.credentials`; the repr never shows them.

    `consumer_key`, `consumer_secret` (REST, HTTP Basic) and `webhook_secret`.
    """

    consumer_key: str | None
    consumer_secret: str | None
    webhook_secret: str | None
