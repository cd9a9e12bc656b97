"""A Shopify source's settings (non-secret, from `source.settings`) and credentials (from the context)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import msgspec

from connectors._webhooks import credential
from connectors.base import decode_error_to_input_error
from router.errors import InputError

__all__ = ["ShopifyCredentials", "ShopifySettings", "load_settings"]

Positive = Annotated[float, msgspec.Meta(gt=0)]


class ShopifySettings(msgspec.Struct, frozen=True, kw_only=True):
    """`source.settings` of a Shopify source; other keys (router-level settings) are left alone."""

    shop_url: str | None = None
    """`https://{shop}.myshopify.com`; needed for pull, report and push_stock, not for webhooks."""
    api_version: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}$")] = "2025-01"
    """The REST Admin API version in every path, e.g. `2025-01`."""
    location_id: int | None = None
    """The Shopify location whose `available` quantity the router sets (the warehouse)."""
    tracking_companies: dict[str, str] = msgspec.field(default_factory=dict)
    """WMS transporter code to Shopify `tracking_info.company`; an unmapped code is sent as it is."""
    notify_customer: bool = False
    """Whether Shopify emails the customer about a fulfillment (Shopify's default: no)."""
    rate_limit_per_second: Positive = 2.0
    """The leaky bucket's leak rate for the shop's plan: 2 standard, 4 Advanced, 20 Plus."""
    rate_limit_headroom: Annotated[int, msgspec.Meta(ge=0, le=100)] = 2
    """Calls kept free in the bucket for other clients of the same token."""
    pull_overlap_seconds: Annotated[float, msgspec.Meta(ge=0)] = 300.0
    """The reconciliation poll re-reads orders changed this long before the last one seen."""
    page_size: Annotated[int, msgspec.Meta(ge=1, le=250)] = 250
    """Orders per page of the poll (Shopify's maximum is 250)."""
    timeout_seconds: Positive = 10.0
    """Timeout of one REST call."""


class ShopifyCredentials(msgspec.Struct, frozen=True, kw_only=True):
    """Secrets from `context.credentials`; the repr never shows them."""

    access_token: str | None
    webhook_secret: str | None
    previous_webhook_secret: str | None

    def __repr__(self) -> str:
        return "ShopifyCredentials(<redacted>)"

    @classmethod
    def from_mapping(cls, credentials: Mapping[str, object]) -> ShopifyCredentials:
        """Read `access_token`, `webhook_secret` and, during a secret rotation, `previous_webhook_secret`."""
        return cls(
            access_token=credential(credentials, "access_token"),
            webhook_secret=credential(credentials, "webhook_secret"),
            previous_webhook_secret=credential(credentials, "previous_webhook_secret"),
        )


def load_settings(settings: Mapping[str, object]) -> ShopifySettings:
    """Validate the settings; an InputError names `settings.<field>`."""
    try:
        return msgspec.convert(dict(settings), ShopifySettings)
    except msgspec.ValidationError as exc:
        error = decode_error_to_input_error(exc)
        raise InputError(error.message, field=f"settings.{error.field}") from exc
