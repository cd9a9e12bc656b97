"""Omnium's JSON as the connector reads and writes it: frozen msgspec Structs, camelCase on the wire."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

__all__ = [
    "Address",
    "Event",
    "ExternalId",
    "InventoryItem",
    "LineItem",
    "LineItemStatusPatch",
    "LineItemUpdate",
    "Order",
    "OrderForm",
    "OrderHead",
    "OrderNote",
    "PatchOrder",
    "Property",
    "RawSearchResult",
    "SearchRequest",
    "SearchResult",
    "Shipment",
    "ShipmentInfo",
    "TokenResponse",
    "UpdateStatusPatch",
    "WorkflowResult",
]


class _In(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """Base of what Omnium sends: camelCase, unknown fields ignored (the API grows)."""


class _Out(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """Base of what the connector sends: camelCase, fields left at their default are not sent (PATCH)."""


class ExternalId(_In, frozen=True, kw_only=True, rename="camel"):
    """A reference of another system."""

    provider_name: str | None = None
    id: str | None = None


class Property(_In, frozen=True, kw_only=True, rename="camel"):
    """A custom key/value property."""

    key: str | None = None
    value: str | None = None


class Address(_In, frozen=True, kw_only=True, rename="camel"):
    """OmniumOrderAddress (the fields mapped to the WMS consignee)."""

    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    organization: str | None = None
    line1: str | None = None
    line2: str | None = None
    street_number: str | None = None
    apartment_number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    state: str | None = None
    region_code: str | None = None
    country_code: str | None = None
    phone: str | None = None
    daytime_phone_number: str | None = None
    email: str | None = None


class LineItem(_In, frozen=True, kw_only=True, rename="camel"):
    """OmniumOrderLine; `code` is the SKU."""

    line_item_id: str
    code: str | None = None
    display_name: str | None = None
    quantity: Decimal
    delivered_quantity: Decimal | None = None
    canceled_quantity: Decimal | None = None
    placed_price: Decimal | None = None
    tax_rate: Decimal | None = None


class Shipment(_In, frozen=True, kw_only=True, rename="camel"):
    """OmniumShipment: each one becomes its own WMS order."""

    shipment_id: str
    shipping_method_name: str | None = None
    address: Address | None = None
    line_items: list[LineItem] = msgspec.field(default_factory=list)
    order_status: str | None = None
    status: str | None = None
    service_point_id: str | None = None
    shipping_total: Decimal | None = None
    external_ids: list[ExternalId] = msgspec.field(default_factory=list)
    comment: str | None = None


class OrderForm(_In, frozen=True, kw_only=True, rename="camel"):
    """The order form."""

    line_items: list[LineItem] = msgspec.field(default_factory=list)
    shipments: list[Shipment] = msgspec.field(default_factory=list)
    shipping_total: Decimal | None = None


class OrderNote(_In, frozen=True, kw_only=True, rename="camel"):
    """A note on the order (field names inferred)."""

    subject: str | None = None
    description: str | None = None


class Order(_In, frozen=True, kw_only=True, rename="camel"):
    """OmniumOrder, the fields the router maps."""

    id: str
    order_number: str | None = None
    order_type: str | None = None
    status: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    billing_currency: str | None = None
    order_form: OrderForm = msgspec.field(default_factory=OrderForm)
    properties: list[Property] = msgspec.field(default_factory=list)
    comment: str | None = None
    order_notes: list[OrderNote] = msgspec.field(default_factory=list)
    created: dt.datetime | None = None
    modified: dt.datetime | None = None


class ShipmentHead(_In, frozen=True, kw_only=True, rename="camel"):
    """Just a shipment's id."""

    shipment_id: str


class FormHead(_In, frozen=True, kw_only=True, rename="camel"):
    """Just the shipments of an order form."""

    shipments: list[ShipmentHead] = msgspec.field(default_factory=list)


class OrderHead(_In, frozen=True, kw_only=True, rename="camel"):
    """What paging needs of a pulled order: id, modified time and shipment ids."""

    id: str
    modified: dt.datetime | None = None
    order_form: FormHead = msgspec.field(default_factory=FormHead)


class RawSearchResult(_In, frozen=True, kw_only=True, rename="camel"):
    """The search wrapper with each order kept as its raw JSON bytes."""

    result: list[msgspec.Raw] = msgspec.field(default_factory=list)
    total_hits: int = 0


class SearchResult(_In, frozen=True, kw_only=True, rename="camel"):
    """The search wrapper, decoded."""

    result: list[Order] = msgspec.field(default_factory=list)
    total_hits: int = 0


class ActionResult(_In, frozen=True, kw_only=True, rename="camel"):
    """One workflow action's outcome."""

    action_status: str | None = None
    action_type: str | None = None
    error_reason: str | None = None


class WorkflowResult(_In, frozen=True, kw_only=True, rename="camel"):
    """OmniumOrderWorkflowExecutionResult; `isAborted` may be true on HTTP 200."""

    order_action_execution_results: list[ActionResult] = msgspec.field(default_factory=list)
    is_aborted: bool = False


class TokenResponse(_In, frozen=True, kw_only=True, rename="camel"):
    """OmniumTokenResponse (`returnAsJson=true`)."""

    access_token: str
    expires_in: float = 864_000.0

    def __repr__(self) -> str:
        return "TokenResponse(***)"


class Event(_In, frozen=True, kw_only=True, rename="camel"):
    """An event-subscription body: metadata only, every field optional."""

    timestamp: dt.datetime | None = None
    class_name: str | None = None
    object_id: str | None = None
    object_number: str | None = None
    category: str | None = None
    status: str | None = None


class SearchRequest(_Out, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """OmniumOrderSearchRequest (what the connector filters on)."""

    take: int
    page: int = 0
    modified_from: dt.datetime | None = None
    sort_order: str | None = None
    order_number: str | None = None
    selected_statuses: list[str] | None = None
    selected_stores: list[str] | None = None
    selected_markets: list[str] | None = None
    disable_facets: bool | None = None


class ExternalIdOut(_Out, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """An external id to store."""

    provider_name: str
    id: str


class ShipmentInfo(_Out, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """OmniumUpdateShipmentInfo."""

    shipment_id: str
    order_status: str | None = None
    shipment_method_name: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    comment: str | None = None
    external_ids: list[ExternalIdOut] | None = None


class UpdateStatusPatch(_Out, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """OmniumUpdateStatusPatch."""

    status: str
    shipment_info: ShipmentInfo | None = None


class LineItemUpdate(_Out, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """One line of a partial delivery (absolute delivered quantity)."""

    line_item_id: str
    delivered_quantity: Decimal


class LineItemStatusPatch(_Out, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """OmniumUpdateLineItemStatusPatch."""

    status: str
    line_item_updates: list[LineItemUpdate]
    shipment_info: ShipmentInfo


class PropertyOut(_Out, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A property to store."""

    key: str
    value: str


class ShipmentPatch(_Out, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A shipment in a PatchOrder body."""

    shipment_id: str
    external_ids: list[ExternalIdOut] | None = None


class OrderFormPatch(_Out, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """The order form in a PatchOrder body."""

    shipments: list[ShipmentPatch]


class PatchOrder(_Out, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """PatchOrder: only the fields sent change."""

    order_form: OrderFormPatch | None = None
    properties: list[PropertyOut] | None = None


class InventoryItem(_Out, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """One absolute quantity for UpdateMany."""

    sku: str
    warehouse_code: str
    inventory: Decimal
