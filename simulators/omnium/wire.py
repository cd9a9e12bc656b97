"""Omnium's JSON shapes (camelCase on the wire) as frozen msgspec Structs, and a case-insensitive body reader."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

__all__ = [
    "Address",
    "Event",
    "ExternalId",
    "InventoryItem",
    "InventorySearch",
    "InventoryUpdate",
    "LineItem",
    "LineItemStatusPatch",
    "LineItemUpdate",
    "Order",
    "OrderForm",
    "OrderFormPatch",
    "OrderNote",
    "OrderPatch",
    "Property",
    "SearchRequest",
    "Shipment",
    "ShipmentInfo",
    "ShipmentPatch",
    "UpdateStatusPatch",
    "decode_body",
]

T = TypeVar("T")
ZERO = Decimal(0)


class _Wire(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """Base: camelCase property names, immutable."""


class ExternalId(_Wire, frozen=True, kw_only=True, rename="camel"):
    """A reference of another system (`providerName` + `id`)."""

    provider_name: str | None = None
    id: str | None = None


class Property(_Wire, frozen=True, kw_only=True, rename="camel"):
    """A custom key/value property."""

    key: str | None = None
    value: str | None = None


class Address(_Wire, frozen=True, kw_only=True, rename="camel"):
    """OmniumOrderAddress."""

    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    organization: str | None = None
    organizational_number: str | None = None
    line1: str | None = None
    line2: str | None = None
    street_number: str | None = None
    apartment_number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    state: str | None = None
    region_code: str | None = None
    region_name: str | None = None
    country_code: str | None = None
    country_name: str | None = None
    phone: str | None = None
    daytime_phone_number: str | None = None
    evening_phone_number: str | None = None
    email: str | None = None
    external_id: str | None = None


class LineItem(_Wire, frozen=True, kw_only=True, rename="camel"):
    """OmniumOrderLine; `code` is the SKU."""

    line_item_id: str
    code: str | None = None
    product_id: str | None = None
    display_name: str | None = None
    ean: str | None = None
    quantity: Decimal = ZERO
    delivered_quantity: Decimal = ZERO
    canceled_quantity: Decimal = ZERO
    return_quantity: Decimal = ZERO
    placed_price: Decimal | None = None
    placed_price_excl_tax: Decimal | None = None
    discounted_price: Decimal | None = None
    extended_price: Decimal | None = None
    tax_rate: Decimal | None = None
    tax_total: Decimal | None = None
    external_ids: list[ExternalId] = msgspec.field(default_factory=list)
    properties: list[Property] = msgspec.field(default_factory=list)


class Shipment(_Wire, frozen=True, kw_only=True, rename="camel"):
    """OmniumShipment: its own address, lines and (for split orders) its own `orderStatus`."""

    shipment_id: str
    warehouse_code: str | None = None
    pick_up_warehouse_code: str | None = None
    shipping_method_name: str | None = None
    shipping_method_id: str | None = None
    shipping_method_product_id: str | None = None
    address: Address | None = None
    line_items: list[LineItem] = msgspec.field(default_factory=list)
    status: str | None = None
    order_status: str | None = None
    prev_status: str | None = None
    shipment_tracking_number: str | None = None
    shipment_tracking_link: str | None = None
    shipment_label_link: str | None = None
    return_tracking_number: str | None = None
    return_tracking_link: str | None = None
    return_label_link: str | None = None
    packages: list[dict[str, Any]] = msgspec.field(default_factory=list)
    service_point_id: str | None = None
    pick_up_point_information: dict[str, Any] | None = None
    shipping_sub_total: Decimal | None = None
    shipping_total: Decimal | None = None
    external_ids: list[ExternalId] = msgspec.field(default_factory=list)
    properties: list[Property] = msgspec.field(default_factory=list)
    comment: str | None = None


class OrderForm(_Wire, frozen=True, kw_only=True, rename="camel"):
    """The order form: all lines, the shipments, payments and totals."""

    line_items: list[LineItem] = msgspec.field(default_factory=list)
    shipments: list[Shipment] = msgspec.field(default_factory=list)
    payments: list[dict[str, Any]] = msgspec.field(default_factory=list)
    sub_total: Decimal | None = None
    shipping_total: Decimal | None = None
    tax_total: Decimal | None = None
    total: Decimal | None = None
    status: str | None = None


class OrderNote(_Wire, frozen=True, kw_only=True, rename="camel"):
    """A note on the order (`orderNotes[]`; field names inferred)."""

    subject: str | None = None
    description: str | None = None
    type: str | None = None


class Order(_Wire, frozen=True, kw_only=True, rename="camel"):
    """OmniumOrder, the fields an order router needs."""

    id: str
    order_number: str | None = None
    order_type: str | None = None
    status: str | None = None
    market_id: str | None = None
    store_id: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    customer_type: str | None = None
    billing_currency: str | None = None
    billing_address: Address | None = None
    order_form: OrderForm = msgspec.field(default_factory=OrderForm)
    external_ids: list[ExternalId] = msgspec.field(default_factory=list)
    properties: list[Property] = msgspec.field(default_factory=list)
    tags: list[str] = msgspec.field(default_factory=list)
    comment: str | None = None
    order_notes: list[OrderNote] = msgspec.field(default_factory=list)
    created: dt.datetime | None = None
    modified: dt.datetime | None = None
    completed: dt.datetime | None = None
    version_id: str | None = None


class SearchRequest(_Wire, frozen=True, kw_only=True, rename="camel"):
    """OmniumOrderSearchRequest (the filters the simulator honours)."""

    modified_from: dt.datetime | None = None
    modified_to: dt.datetime | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    selected_statuses: list[str] | None = None
    excluded_statuses: list[str] | None = None
    selected_stores: list[str] | None = None
    selected_markets: list[str] | None = None
    order_type: str | None = None
    order_number: str | None = None
    external_ids: list[str] | None = None
    sort_order: str | None = None
    take: int = 20
    page: int = 0
    disable_facets: bool = False


class ShipmentInfo(_Wire, frozen=True, kw_only=True, rename="camel"):
    """OmniumUpdateShipmentInfo."""

    shipment_id: str | None = None
    shipment_method_name: str | None = None
    shipping_method_product_id: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    label_link: str | None = None
    return_tracking_number: str | None = None
    return_tracking_link: str | None = None
    return_label_link: str | None = None
    warehouse_code: str | None = None
    service_point_id: str | None = None
    packages: list[dict[str, Any]] | None = None
    external_ids: list[ExternalId] | None = None
    properties: list[Property] | None = None
    comment: str | None = None
    order_status: str | None = None


class UpdateStatusPatch(_Wire, frozen=True, kw_only=True, rename="camel"):
    """OmniumUpdateStatusPatch: `status` is required."""

    status: str
    shipment_info: ShipmentInfo | None = None
    skip_run_workflow: bool = False
    return_id: str | None = None
    user_id: str | None = None


class LineItemUpdate(_Wire, frozen=True, kw_only=True, rename="camel"):
    """One line of OmniumUpdateLineItemStatusPatch."""

    line_item_id: str
    delivered_quantity: Decimal | None = None
    canceled_quantity: Decimal | None = None
    cost: Decimal | None = None


class LineItemStatusPatch(_Wire, frozen=True, kw_only=True, rename="camel"):
    """OmniumUpdateLineItemStatusPatch: `lineItemUpdates` is required."""

    line_item_updates: list[LineItemUpdate]
    status: str | None = None
    shipment_info: ShipmentInfo | None = None
    is_shipping_cost_kept_for_existing_shipment: bool = False


class ShipmentPatch(_Wire, frozen=True, kw_only=True, rename="camel"):
    """A shipment in a PatchOrder body, matched by `shipmentId`."""

    shipment_id: str
    external_ids: list[ExternalId] | None = None
    properties: list[Property] | None = None


class OrderFormPatch(_Wire, frozen=True, kw_only=True, rename="camel"):
    """The order form in a PatchOrder body."""

    shipments: list[ShipmentPatch] | None = None


class OrderPatch(_Wire, frozen=True, kw_only=True, rename="camel"):
    """PatchOrder: only the fields sent change; list items are merged (keepExistingListItems)."""

    external_ids: list[ExternalId] | None = None
    properties: list[Property] | None = None
    tags: list[str] | None = None
    order_form: OrderFormPatch | None = None


class InventoryItem(_Wire, frozen=True, kw_only=True, rename="camel"):
    """OmniumInventoryItem (absolute quantities)."""

    sku: str
    warehouse_code: str
    inventory: Decimal = ZERO
    reserved_inventory: Decimal | None = None
    location: str | None = None
    cost: Decimal | None = None
    min_quantity: Decimal | None = None
    modified: dt.datetime | None = None


class InventoryUpdate(_Wire, frozen=True, kw_only=True, rename="camel"):
    """OmniumInventoryUpdate (a delta; note `skuId` where the item says `sku`)."""

    sku_id: str
    warehouse_code: str
    inventory_change: Decimal
    reason: str | None = None
    order_id: str | None = None
    adjust_reserved_inventory: bool = False


class InventorySearch(_Wire, frozen=True, kw_only=True, rename="camel"):
    """POST /api/Inventory/Search; at least one filter must be set."""

    warehouse_codes: list[str] | None = None
    product_codes: list[str] | None = None
    last_modified: dt.datetime | None = None
    is_in_stock: bool | None = None
    market_id: str | None = None


class Event(_Wire, frozen=True, kw_only=True, rename="camel"):
    """The metadata-only body of an event-subscription webhook (no order inside)."""

    timestamp: dt.datetime
    operation_id: int
    message: str
    class_name: str
    sub_class_name: str | None
    object_id: str
    object_number: str | None
    category: str
    market: str | None
    store_id: str | None
    status: str | None
    previous_status: str | None
    is_error: bool = False
    origin: str | None = None


def _camel_keys(value: object) -> object:
    """ASP.NET binds property names case-insensitively: `ModifiedFrom` and `modifiedFrom` are one field."""
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:] if isinstance(k, str) else k): _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


def decode_body(body: bytes, type_: type[T]) -> T:
    """Decode a request body into `type_`, accepting camelCase and PascalCase keys; raises msgspec errors."""
    return msgspec.convert(_camel_keys(msgspec.json.decode(body or b"null")), type_)
