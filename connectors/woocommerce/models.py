"""WooCommerce REST v3 wire models (only the fields the router reads; unknown fields are ignored)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

__all__ = [
    "OrderIdentity",
    "OrderState",
    "ProductRef",
    "WooAddress",
    "WooLineItem",
    "WooMeta",
    "WooNote",
    "WooOrder",
    "WooShippingLine",
]


class WooAddress(msgspec.Struct, frozen=True, kw_only=True):
    """`billing` / `shipping` of an order (email only in billing; phone in billing, optionally shipping)."""

    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    address_1: str | None = None
    address_2: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    country: str | None = None
    email: str | None = None
    phone: str | None = None


class WooLineItem(msgspec.Struct, frozen=True, kw_only=True):
    """One `line_items[]` entry; `price` is the unit price (a number in practice, a string in the docs)."""

    id: int
    quantity: int
    name: str | None = None
    sku: str | None = None
    price: Decimal | None = None
    product_id: int | None = None
    variation_id: int | None = None


class WooShippingLine(msgspec.Struct, frozen=True, kw_only=True):
    """One `shipping_lines[]` entry."""

    method_title: str | None = None
    method_id: str | None = None
    total: Decimal | None = None


class WooMeta(msgspec.Struct, frozen=True, kw_only=True):
    """One `meta_data[]` entry; the value may be any JSON."""

    key: str
    value: object = None
    id: int | None = None


class WooOrder(msgspec.Struct, frozen=True, kw_only=True):
    """The order JSON of `GET /orders/<id>` and of order webhooks."""

    id: int
    status: str
    line_items: list[WooLineItem]
    number: str | int | None = None
    currency: str | None = None
    date_created_gmt: dt.datetime | None = None
    date_modified_gmt: dt.datetime | None = None
    customer_id: int = 0
    customer_note: str | None = None
    billing: WooAddress | None = None
    shipping: WooAddress | None = None
    shipping_lines: list[WooShippingLine] = msgspec.field(default_factory=list)


class OrderIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """Enough of an order (or a `*.deleted` body `{"id": N}`) to page and de-duplicate."""

    id: int
    number: str | int | None = None
    date_modified_gmt: str | None = None
    date_modified: str | None = None


class _LineRef(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    quantity: int


class OrderState(msgspec.Struct, frozen=True, kw_only=True):
    """What reporting reads back: status, lines and meta data."""

    id: int
    status: str
    number: str | int | None = None
    line_items: list[_LineRef] = msgspec.field(default_factory=list)
    meta_data: list[WooMeta] = msgspec.field(default_factory=list)

    def meta(self, key: str) -> object:
        """The value of the first meta entry with `key`, or None."""
        return next((entry.value for entry in self.meta_data if entry.key == key), None)


class WooNote(msgspec.Struct, frozen=True, kw_only=True):
    """An order note."""

    id: int
    note: str = ""


class ProductRef(msgspec.Struct, frozen=True, kw_only=True):
    """A product or variation as far as stock needs it; `parent_id` is 0 for a product."""

    id: int
    sku: str | None = None
    parent_id: int = 0
    type: str | None = None
    manage_stock: bool | str | None = None
    stock_quantity: int | None = None
