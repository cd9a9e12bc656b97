"""Wire model of the generic connector's order JSON (the canonical order, with its constraints)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import msgspec

NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=1000)]


class AddressIn(msgspec.Struct, frozen=True, kw_only=True):
    """A split postal address; one free-text string is refused by the type."""

    name: NonEmpty
    address1: NonEmpty
    postcode: NonEmpty
    city: NonEmpty
    country_code: Annotated[str, msgspec.Meta(min_length=2, max_length=2)]
    address2: Text | None = None
    address3: Text | None = None
    state_code: Text | None = None
    phone: Text | None = None
    mobile: Text | None = None
    email: Text | None = None


class OrderLineIn(msgspec.Struct, frozen=True, kw_only=True):
    """One line; `line_id` defaults to the 1-based line position."""

    article_number: str
    quantity: Decimal
    line_id: Annotated[str, msgspec.Meta(min_length=1, max_length=50)] | None = None
    article_name: Text | None = None
    unit_price: Decimal | None = None
    vat_percent: Decimal | None = None
    discount: Decimal | None = None
    comment: Text | None = None


class OrderIn(msgspec.Struct, frozen=True, kw_only=True):
    """The canonical order JSON a generic source pushes."""

    order_number: str
    lines: Annotated[list[OrderLineIn], msgspec.Meta(min_length=1, max_length=1000)]
    ship_to: AddressIn
    customer_number: Text | None = None
    order_type: Annotated[str, msgspec.Meta(min_length=1, max_length=20)] | None = None
    currency: Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")] | None = None
    delivery_date: dt.date | None = None
    remark: Text | None = None
    delivery_instruction: Text | None = None
    freight_price: Decimal | None = None
    way_of_delivery: Text | None = None
    service_point_code: Text | None = None
    notify_by_email: bool = False
    notify_by_sms: bool = False
    created_at: dt.datetime | None = None
