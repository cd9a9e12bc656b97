"""The canonical domain model: frozen msgspec Structs, no I/O, no wire formats."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import msgspec


class OrderState(enum.StrEnum):
    """Where an order is in the router's own pipeline."""

    RECEIVED = "received"  # stored, not yet queued (e.g. held for shortage)
    QUEUED = "queued"  # an outbox row will send it to the WMS
    IN_WMS = "in_wms"  # the WMS confirmed it and gave it an OrderId
    DEAD_LETTER = "dead_letter"  # sending failed for good; see the dead letter
    CANCELLED = "cancelled"  # cancelled by its source before it left the warehouse
    CONFLICT = "conflict"  # a change arrived too late; shown, never silently diverged


class InboxState(enum.StrEnum):
    """Fate of one raw payload."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IGNORED = "ignored"


class Address(msgspec.Struct, frozen=True, kw_only=True):
    """A postal address, always split into its parts (the WMS never takes one string)."""

    name: str
    address1: str
    postcode: str
    city: str
    country_code: str
    address2: str | None = None
    address3: str | None = None
    state_code: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None


class OrderLine(msgspec.Struct, frozen=True, kw_only=True):
    """One line of an order; `line_id` is unique within the order and becomes ExternalOrderLineCode."""

    line_id: str
    article_number: str
    quantity: Decimal
    article_name: str | None = None
    unit_price: Decimal | None = None
    vat_percent: Decimal | None = None
    discount: Decimal | None = None
    comment: str | None = None


class CanonicalOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order as every connector delivers it, whatever the upstream system."""

    order_number: str
    lines: tuple[OrderLine, ...]
    ship_to: Address
    customer_number: str | None = None
    order_type: str | None = None
    currency: str | None = None
    delivery_date: dt.date | None = None
    remark: str | None = None
    delivery_instruction: str | None = None
    freight_price: Decimal | None = None
    way_of_delivery: str | None = None
    way_of_delivery_type_code: str | None = None  # the WMS's WayOfDeliveryType (found or created by code)
    way_of_delivery_type_name: str | None = None
    service_point_code: str | None = None
    reference_number: str | None = None
    sales_code: str | None = None
    bill_to: Address | None = None  # the invoice address, when the source sends one
    notify_by_email: bool = False
    notify_by_sms: bool = False
    created_at: dt.datetime | None = None


class Ignored(msgspec.Struct, frozen=True, kw_only=True):
    """A payload that is valid but carries nothing for the router (a ping, an unsupported topic)."""

    reason: str


class SourceCancellation(msgspec.Struct, frozen=True, kw_only=True):
    """A source says orders of its own are cancelled (a platform webhook or a pulled document).

    Several numbers when one upstream order became several WMS orders (Omnium: one per shipment).
    """

    order_numbers: tuple[str, ...]
    reason: str | None = None


class RoutedOrder(msgspec.Struct, frozen=True, kw_only=True):
    """A canonical order plus what routing decided: its WMS number and order type."""

    wms_order_number: str
    order_type: str
    order: CanonicalOrder


class Source(msgspec.Struct, frozen=True, kw_only=True):
    """A configured sales source (a shop, an ERP, an OMS); several may share a connector kind."""

    id: int
    name: str
    kind: str
    suffix: str
    order_type: str
    is_article_master: bool
    enabled: bool
    settings: dict[str, object]
    has_credentials: bool
    created_at: dt.datetime


class WmsOrderLineStatus(msgspec.Struct, frozen=True, kw_only=True):
    """One order line as the WMS reports it."""

    line_id: str | None
    article_number: str | None
    ordered: Decimal
    picked: Decimal
    allocated: Decimal
    reported: Decimal | None
    returned: Decimal = Decimal(0)
    reported_returned: Decimal | None = None


class WmsOrderStatus(msgspec.Struct, frozen=True, kw_only=True):
    """An order as the WMS reports it (GetOrdersByQuery), already off the wire."""

    order_id: int
    order_number: str
    status_number: int
    status_text: str | None
    order_type: str | None
    way_bill: str | None
    lines: tuple[WmsOrderLineStatus, ...] = ()
    tracking_url: str | None = None
    transporter: str | None = None
    shipped_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


class EventKind(enum.StrEnum):
    """What happened to an order (or purchase order) in the warehouse, as told to its owning source."""

    PLACED = "placed"  # the WMS accepted the order (only to connectors that ask: `wants_placed`)
    PICKED = "picked"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"
    RETURNED = "returned"
    REJECTED = "rejected"  # a cancellation or change arrived too late
    RECEIVED = "received"  # goods received on a purchase order


class EventLine(msgspec.Struct, frozen=True, kw_only=True):
    """One line of an event; quantities are deltas since the previous event of the same kind."""

    line_id: str
    article_number: str
    quantity: Decimal


class WarehouseEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event for exactly one source; `idempotency_key` is stable across re-deliveries."""

    kind: EventKind
    idempotency_key: str
    source_order_number: str
    wms_order_number: str
    occurred_at: dt.datetime
    wms_order_id: int | None = None
    wms_status: int | None = None
    lines: tuple[EventLine, ...] = ()
    way_bill: str | None = None
    tracking_url: str | None = None
    transporter: str | None = None
    reason: str | None = None


class StockTarget(msgspec.Struct, frozen=True, kw_only=True):
    """The quantity a source should show for an article; a higher `version` always wins."""

    article_number: str
    available: Decimal
    version: int


class ArticleUpdate(msgspec.Struct, frozen=True, kw_only=True):
    """Article master data from a source (only the master source's updates reach the WMS)."""

    article_number: str
    name: str | None = None
    description: str | None = None
    product_code: str | None = None
    barcode: str | None = None
    weight: Decimal | None = None
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    country_of_origin: str | None = None
    statistics_number: str | None = None
    active: bool = True


class PulledPayload(msgspec.Struct, frozen=True, kw_only=True):
    """One raw document a pull connector fetched; stored in the inbox before `normalize` sees it."""

    external_id: str
    body: bytes
    headers: dict[str, str] = msgspec.field(default_factory=dict)


class PullPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of pulled documents and the opaque cursor to resume from once they are stored."""

    items: tuple[PulledPayload, ...]
    cursor: str | None
    more: bool = False
