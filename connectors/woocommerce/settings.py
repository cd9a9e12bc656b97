"""A WooCommerce source's settings (non-secret, `source.settings`) and credentials (from the context)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import msgspec

from connectors._webhooks import credential
from connectors.base import decode_error_to_input_error
from router.errors import InputError

__all__ = ["WooCredentials", "WooSettings", "load_settings"]

Positive = Annotated[float, msgspec.Meta(gt=0)]


class WooSettings(msgspec.Struct, frozen=True, kw_only=True):
    """`source.settings` of a WooCommerce source; other keys (router-level settings) are left alone."""

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
    tracking_companies: dict[str, str] = msgspec.field(default_factory=dict)
    """WMS transporter code to the carrier name shown; an unmapped code is shown as it is."""
    pull_overlap_seconds: Annotated[float, msgspec.Meta(ge=0)] = 300.0
    """The reconciliation poll re-reads orders modified this long before the last one seen."""
    page_size: Annotated[int, msgspec.Meta(ge=1, le=100)] = 100
    """Orders per page of the poll (WordPress caps `per_page` at 100)."""
    timeout_seconds: Positive = 10.0
    """Timeout of one REST call."""


class WooCredentials(msgspec.Struct, frozen=True, kw_only=True):
    """Secrets from `context.credentials`; the repr never shows them."""

    consumer_key: str | None
    consumer_secret: str | None
    webhook_secret: str | None

    def __repr__(self) -> str:
        return "WooCredentials(<redacted>)"

    @classmethod
    def from_mapping(cls, credentials: Mapping[str, object]) -> WooCredentials:
        """Read `consumer_key`, `consumer_secret` (REST, HTTP Basic) and `webhook_secret`."""
        return cls(
            consumer_key=credential(credentials, "consumer_key"),
            consumer_secret=credential(credentials, "consumer_secret"),
            webhook_secret=credential(credentials, "webhook_secret"),
        )


def load_settings(settings: Mapping[str, object]) -> WooSettings:
    """Validate the settings; an InputError names `settings.<field>`."""
    try:
        return msgspec.convert(dict(settings), WooSettings)
    except msgspec.ValidationError as exc:
        error = decode_error_to_input_error(exc)
        raise InputError(error.message, field=f"settings.{error.field}") from exc
