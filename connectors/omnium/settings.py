"""The Omnium source's settings (non-secret, from `source.settings`) and credentials (from the vault)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated

import msgspec

from connectors.base import decode_error_to_input_error
from router.errors import InputError

__all__ = ["Credentials", "OmniumSettings", "StatusNames", "parse_credentials", "parse_settings"]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class StatusNames(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Omnium status names the connector sets; tenants configure their own. None: that event sets none."""

    in_warehouse: Name | None = "InProgressWarehouse"
    """Set on a shipment once its WMS order exists (`mark_in_warehouse`)."""
    shipped: Name = "Completed"
    """Set on a shipment shipped in full (UpdateStatus)."""
    partially_shipped: Name = "PartiallyShipped"
    """Set on a shipment shipped in part (OrderLinesUpdate)."""
    cancelled: Name | None = "OrderCanceled"
    """Set on a shipment the warehouse cancelled."""
    picked: Name | None = None
    """Set on a shipment once picked (default: not reported)."""
    returned: Name | None = None
    """Set on a shipment with returns (default: not reported)."""
    rejected: Name | None = None
    """Set when a cancellation or change came too late (default: a property `routerRejected` on the order)."""


class OmniumSettings(msgspec.Struct, frozen=True, kw_only=True):
    """`source.settings` of an Omnium source; unknown keys (the router's own) are ignored."""

    base_url: Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s/]+.*$")]
    """API base URL, e.g. `https://api.omnium.no` (test: `https://apitest.omnium.no`)."""
    market_ids: list[Name] = msgspec.field(default_factory=list)
    """Only orders of these markets are pulled (`selectedMarkets`); empty: all."""
    store_ids: list[Name] = msgspec.field(default_factory=list)
    """Only orders of these stores are pulled (`selectedStores`); empty: all."""
    import_statuses: Annotated[list[Name], msgspec.Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: ["New", "InProgress"]
    )
    """A shipment is sent to the WMS while its status (or its order's) is one of these."""
    cancel_statuses: list[Name] = msgspec.field(default_factory=lambda: ["OrderCanceled"])
    """A shipment (or order) in one of these was cancelled in Omnium: its WMS order is cancelled while allowed."""
    statuses: StatusNames = msgspec.field(default_factory=StatusNames)
    """Status names set back in Omnium."""
    poll_interval_seconds: Annotated[float, msgspec.Meta(gt=0)] = 60.0
    """How often the router pulls `Orders/Search` (the safety net next to events)."""
    overlap_seconds: Annotated[float, msgspec.Meta(ge=0)] = 300.0
    """Each pull cycle reads again from this far before the newest `modified` seen."""
    initial_modified_from: dt.datetime | None = None
    """Where the very first pull starts (None: every matching order)."""
    page_size: Annotated[int, msgspec.Meta(ge=1, le=100)] = 100
    """Orders per search page (Omnium allows at most 100)."""
    transporters: dict[str, str] = msgspec.field(default_factory=dict)
    """Omnium `shippingMethodName` → WMS transporter/way-of-delivery code; unmapped names pass through."""
    service_points: dict[str, str] = msgspec.field(default_factory=dict)
    """Omnium `servicePointId` → WMS service point code; unmapped ids pass through."""
    order_types: dict[str, str] = msgspec.field(default_factory=dict)
    """Omnium `orderType` → WMS order type code; unmapped types pass through, absent → the source's."""
    inventory_warehouse_code: Name | None = None
    """`warehouseCode` the available quantities are written to (required for `push_stock`)."""
    inventory_batch_size: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 1000
    """Items per `Inventory/UpdateMany` (Omnium allows at most 1000)."""
    event_header: Name = "X-Api-Key"
    """The custom header configured on the event subscription; its value is the credential `event_key`."""
    wms_provider: Name = "OngoingWMS"
    """`providerName` of the external id holding the WMS order id on a shipment."""
    idempotency_provider: Name = "OrderRouter"
    """`providerName` of the external ids recording which router events a shipment has received."""
    max_concurrency: Annotated[int, msgspec.Meta(ge=1, le=20)] = 10
    """Concurrent requests of this source (Omnium allows 20 per API user)."""
    batch_concurrency: Annotated[int, msgspec.Meta(ge=1, le=4)] = 2
    """Concurrent batch requests (Omnium allows 4)."""
    timeout_seconds: Annotated[float, msgspec.Meta(gt=0)] = 30.0
    """Per-request timeout."""
    retry_attempts: Annotated[int, msgspec.Meta(ge=1, le=10)] = 5
    """In-process attempts for 429s (any call) and transient failures of reads."""
    max_retry_after_seconds: Annotated[float, msgspec.Meta(ge=0)] = 60.0
    """A longer `Retry-After` is not waited out in-process: the error goes to the router's retry schedule."""


class Credentials(msgspec.Struct, frozen=True, kw_only=True):
    """The secrets: the API user's ClientId/ClientSecret and the event subscription's header value."""

    client_id: str | None = None
    client_secret: str | None = None
    event_key: str | None = None

    def __repr__(self) -> str:
        return "Credentials(***)"


def parse_settings(raw: Mapping[str, object]) -> OmniumSettings:
    """Validate `source.settings`; an InputError names `settings.<field>`."""
    try:
        return msgspec.convert(dict(raw), OmniumSettings)
    except msgspec.ValidationError as exc:
        error = decode_error_to_input_error(exc)
        raise InputError(error.message, field=f"settings.{error.field}") from None


def parse_credentials(raw: Mapping[str, object]) -> Credentials:
    """Pick the known secrets; the message never repeats a value."""
    values: dict[str, str] = {}
    for name in ("client_id", "client_secret", "event_key"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise InputError("must be a string", field=f"credentials.{name}")
        if value:
            values[name] = value
    return Credentials(**values)
