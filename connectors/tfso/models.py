"""Wire models: the stored order document (an InvoiceOrder as received, plus its Company) as frozen Structs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

__all__ = [
    "PulledDocument",
    "WireAddress",
    "WireAddresses",
    "WireCompany",
    "WireCurrency",
    "WireDeliveryMethod",
    "WireEmail",
    "WireEmails",
    "WireOrder",
    "WirePhone",
    "WirePhones",
    "WireRow",
]

# Field names are the wire's (PascalCase via rename) so an InputError names the element as 24SevenOffice does.


class WireAddress(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """`Address`: Street may hold several lines; PostalArea is the town of Norwegian addresses."""

    street: str | None = None
    state: str | None = None
    postal_code: str | None = None
    postal_area: str | None = None
    name: str | None = None
    city: str | None = None
    country: str | None = None


class WireAddresses(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """`Addresses`: Post, Delivery, Visit, Invoice."""

    post: WireAddress | None = None
    delivery: WireAddress | None = None
    visit: WireAddress | None = None
    invoice: WireAddress | None = None


class WireCurrency(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """`Currency`: the ISO code is in Symbol."""

    rate: Decimal | None = None
    unit: int | None = None
    symbol: str | None = None


class WireDeliveryMethod(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """`DeliveryMethod`."""

    id: int | None = None
    description: str | None = None


class WireRow(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """`InvoiceRow` (only the properties the connector asks for)."""

    product_id: int | None = None
    row_id: int | None = None
    vat_rate: Decimal | None = None
    price: Decimal | None = None
    name: str | None = None
    discount_rate: Decimal | None = None
    quantity: Decimal | None = None
    hidden: bool | None = None
    type: str | None = None
    product_no: str | None = None


class WireOrder(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """`InvoiceOrder` (a sales order), the properties the connector asks for."""

    order_id: int | None = None
    customer_id: int | None = None
    customer_name: str | None = None
    customer_delivery_name: str | None = None
    customer_delivery_phone: str | None = None
    addresses: WireAddresses | None = None
    order_status: str | None = None
    date_ordered: dt.datetime | None = None
    date_changed: dt.datetime | None = None
    your_reference: str | None = None
    invoice_title: str | None = None
    invoice_text: str | None = None
    currency: WireCurrency | None = None
    type_of_sale_id: int | None = None
    invoice_email_address: str | None = None
    invoice_rows: list[WireRow] = []
    delivery_date: dt.datetime | None = None
    reference_number: str | None = None
    delivery_method: WireDeliveryMethod | None = None
    delivery_alternative: str | None = None


class WirePhone(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """`PhoneNumber`."""

    description: str | None = None
    value: str | None = None


class WirePhones(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """`PhoneNumbers`."""

    home: WirePhone | None = None
    fax: WirePhone | None = None
    mobile: WirePhone | None = None
    primary: WirePhone | None = None
    work: WirePhone | None = None


class WireEmail(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """`EmailAddress`."""

    description: str | None = None
    name: str | None = None
    value: str | None = None


class WireEmails(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """`EmailAddresses`."""

    home: WireEmail | None = None
    invoice: WireEmail | None = None
    primary: WireEmail | None = None
    work: WireEmail | None = None
    alternative: WireEmail | None = None


class WireCompany(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """`Company`, read from CompanyService only as the phone and e-mail fallback."""

    id: int | None = None
    name: str | None = None
    phone_numbers: WirePhones | None = None
    email_addresses: WireEmails | None = None


class PulledDocument(msgspec.Struct, frozen=True, kw_only=True, rename="pascal"):
    """The stored document: the InvoiceOrder as received and, when its phone or e-mail was empty, its Company."""

    invoice_order: WireOrder
    company: WireCompany | None = None
