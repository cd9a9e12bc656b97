"""Shopify REST Admin wire models (only the fields the router reads; unknown fields are ignored)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

__all__ = [
    "FulfillmentOrder",
    "FulfillmentOrderLine",
    "FulfillmentOrderList",
    "FulfillmentSummary",
    "InventoryLevel",
    "InventoryLevelList",
    "OrderFulfillments",
    "OrderIdentity",
    "OrderLookup",
    "OrderPage",
    "ProductPage",
    "ShopifyAddress",
    "ShopifyCustomer",
    "ShopifyLineItem",
    "ShopifyOrder",
    "ShopifyShippingLine",
]


class ShopifyAddress(msgspec.Struct, frozen=True, kw_only=True):
    """`shipping_address` / `billing_address` of an order."""

    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    zip: str | None = None
    city: str | None = None
    province_code: str | None = None
    country_code: str | None = None
    phone: str | None = None


class ShopifyLineItem(msgspec.Struct, frozen=True, kw_only=True):
    """One `line_items[]` entry; `price` is the unit price as a string."""

    id: int
    quantity: int
    sku: str | None = None
    title: str | None = None
    name: str | None = None
    price: Decimal | None = None
    requires_shipping: bool = True


class ShopifyShippingLine(msgspec.Struct, frozen=True, kw_only=True):
    """One `shipping_lines[]` entry."""

    title: str | None = None
    code: str | None = None
    price: Decimal | None = None


class ShopifyCustomer(msgspec.Struct, frozen=True, kw_only=True):
    """The order's `customer`."""

    id: int | None = None
    email: str | None = None
    phone: str | None = None


class ShopifyOrder(msgspec.Struct, frozen=True, kw_only=True):
    """The REST `Order` resource: a webhook body, or one element of `GET orders.json`."""

    id: int
    order_number: int
    line_items: list[ShopifyLineItem]
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    currency: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    cancel_reason: str | None = None
    note: str | None = None
    shipping_address: ShopifyAddress | None = None
    customer: ShopifyCustomer | None = None
    shipping_lines: list[ShopifyShippingLine] = msgspec.field(default_factory=list)


class OrderIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """The few fields of an order needed to page, de-duplicate and look it up."""

    id: int
    order_number: int | None = None
    name: str | None = None
    updated_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    tags: str = ""
    note: str | None = None


class OrderPage(msgspec.Struct, frozen=True):
    """`GET orders.json`: each order kept as its exact raw JSON for the inbox."""

    orders: list[msgspec.Raw]


class OrderLookup(msgspec.Struct, frozen=True):
    """`GET orders.json?name=...`."""

    orders: list[OrderIdentity]


class FulfillmentOrderLine(msgspec.Struct, frozen=True, kw_only=True):
    """A line of a fulfillment order, pointing at the order's `line_item_id`."""

    id: int
    line_item_id: int
    quantity: int
    fulfillable_quantity: int


class FulfillmentOrder(msgspec.Struct, frozen=True, kw_only=True):
    """One fulfillment order (the part of an order one location fulfils)."""

    id: int
    status: str
    line_items: list[FulfillmentOrderLine]
    assigned_location_id: int | None = None


class FulfillmentOrderList(msgspec.Struct, frozen=True):
    """`GET orders/{id}/fulfillment_orders.json`."""

    fulfillment_orders: list[FulfillmentOrder]


class FulfillmentSummary(msgspec.Struct, frozen=True, kw_only=True):
    """An existing fulfillment of an order, as far as idempotency needs it."""

    id: int
    status: str | None = None
    tracking_number: str | None = None
    tracking_numbers: list[str] = msgspec.field(default_factory=list)
    tracking_url: str | None = None
    tracking_company: str | None = None


class OrderFulfillments(msgspec.Struct, frozen=True):
    """`GET orders/{id}/fulfillments.json`."""

    fulfillments: list[FulfillmentSummary]


class _Variant(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    inventory_item_id: int
    sku: str | None = None


class _Product(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    variants: list[_Variant] = msgspec.field(default_factory=list)


class ProductPage(msgspec.Struct, frozen=True):
    """`GET products.json?fields=id,variants`."""

    products: list[_Product]


class InventoryLevel(msgspec.Struct, frozen=True, kw_only=True):
    """One inventory level (an item at a location)."""

    inventory_item_id: int
    location_id: int
    available: int | None = None


class InventoryLevelList(msgspec.Struct, frozen=True):
    """`GET inventory_levels.json`."""

    inventory_levels: list[InventoryLevel]
