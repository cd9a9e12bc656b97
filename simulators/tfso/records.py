"""Immutable records the 24SevenOffice simulator keeps and hands out: orders, companies, products, calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "ORDER_STATES",
    "Company",
    "Invoice",
    "InvoiceRow",
    "PostalAddress",
    "Product",
    "RecordedCall",
    "StatusChange",
    "StockWrite",
]

# OrderSlipStateType, in WSDL order: anything else is refused the way the .NET deserializer refuses it.
ORDER_STATES = (
    "None", "Offer", "Pack", "Invoiced", "Web", "Repeating", "CollectingOrder", "Return", "Distribution", "Rest",
    "ForInvoicing", "OvertimeRent", "Confirmed", "OrderState_Sent", "Production", "PaymentReminder", "OnAccount",
    "Lending", "InvoicedCashAccount", "InvoicedPack", "Inactive", "Hours", "OrderState_SuperStore", "Draft",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class PostalAddress:
    """`Address`: Street may hold several lines separated by newlines; PostalArea is the Norwegian town."""

    street: str | None = None
    state: str | None = None
    postal_code: str | None = None
    postal_area: str | None = None
    name: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True, kw_only=True)
class InvoiceRow:
    """One `InvoiceRow` of an order; `type` is `Normal`, `Text` or `TextBold`."""

    row_id: int
    product_id: int | None = None
    product_no: str | None = None
    name: str | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None
    vat_rate: Decimal | None = None
    discount_rate: Decimal | None = None
    type: str = "Normal"
    hidden: bool = False


@dataclass(frozen=True, kw_only=True)
class StatusChange:
    """One change of an order's `OrderStatus`, at the simulator's clock."""

    status: str
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class Invoice:
    """An `InvoiceOrder` (a sales order until it is invoiced); `date_changed` is bumped on every change."""

    order_id: int
    customer_id: int
    order_status: str
    date_ordered: dt.datetime
    date_changed: dt.datetime
    customer_name: str | None = None
    customer_delivery_name: str | None = None
    customer_delivery_phone: str | None = None
    delivery_address: PostalAddress | None = None
    invoice_address: PostalAddress | None = None
    include_vat: bool | None = None
    your_reference: str | None = None
    invoice_title: str | None = None
    invoice_text: str | None = None
    currency: str | None = None
    type_of_sale_id: int | None = None
    external_status: int | None = None
    invoice_email: str | None = None
    delivery_date: dt.datetime | None = None
    reference_number: str | None = None
    delivery_method_id: int | None = None
    delivery_method: str | None = None
    delivery_alternative: str | None = None
    rows: tuple[InvoiceRow, ...] = ()
    history: tuple[StatusChange, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Company:
    """A CRM company (customer); its `id` is the `CustomerId` on orders."""

    id: int
    name: str
    country: str | None = None
    phone_mobile: str | None = None
    phone_primary: str | None = None
    phone_work: str | None = None
    email_primary: str | None = None
    email_invoice: str | None = None
    email_work: str | None = None
    date_changed: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Product:
    """A product; `no` is the product number shown on order rows (the router's article number)."""

    id: int
    no: str
    name: str
    stock: Decimal = Decimal(0)
    status_id: int = 1
    category_id: int | None = None
    ean1: str | None = None
    price: Decimal | None = None
    date_changed: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class StockWrite:
    """One `SetStockQuantity` the simulator applied."""

    product_id: int
    quantity: Decimal
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class RecordedCall:
    """One SOAP call as received: never the password (Login records the user name only)."""

    service: str
    operation: str
    soap_action: str | None
    session: str | None
    fields: dict[str, object] = field(default_factory=dict)
    at: dt.datetime | None = None
    outcome: str = ""
    committed: bool = False
