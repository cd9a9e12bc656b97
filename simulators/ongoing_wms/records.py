"""Immutable records of the simulated goods owner: orders, purchase orders, articles, stock, requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "ALLOCATED",
    "CANCELLED",
    "IN_CANCELLED",
    "IN_NOTIFIED",
    "IN_PARTLY_RECEIVED",
    "IN_RECEIVED",
    "IN_STATUS_TEXTS",
    "OPEN",
    "PICKED",
    "RETURNED",
    "SENT",
    "STATUS_TEXTS",
    "Article",
    "ArticleDetails",
    "Consignee",
    "InLine",
    "InOrder",
    "InventoryRow",
    "InventoryTransaction",
    "Line",
    "LineDetails",
    "Order",
    "OrderDetails",
    "RecordedRequest",
    "WriteResult",
    "aware",
]

STATUS_TEXTS = {
    150: "Error",
    200: "Open",
    300: "Released",
    320: "Allocated",
    400: "Picked",
    450: "Sent",
    500: "Collected",
    800: "Returned",
    1000: "Cancelled",
}
OPEN = 200
ALLOCATED = 320
PICKED = 400
SENT = 450
RETURNED = 800
CANCELLED = 1000

# Purchase-order (in-order) statuses: Ongoing documents none for goods owners, so these ids and names are
# inferred; a warehouse reads its own list in the web UI.
IN_NOTIFIED = 200
IN_PARTLY_RECEIVED = 300
IN_RECEIVED = 400
IN_CANCELLED = 1000
IN_STATUS_TEXTS = {
    IN_NOTIFIED: "Notified",
    IN_PARTLY_RECEIVED: "Partly received",
    IN_RECEIVED: "Received",
    IN_CANCELLED: "Cancelled",
}


@dataclass(frozen=True, kw_only=True)
class Consignee:
    """The ship-to of an order, as the simulator keeps it."""

    customer_number: str | None = None
    name: str | None = None
    address: str | None = None
    address2: str | None = None
    address3: str | None = None
    postcode: str | None = None
    city: str | None = None
    country_code: str | None = None
    state_code: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    notify_by_email: bool = False
    notify_by_sms: bool = False
    invoice_address: Consignee | None = None  # the Customer's InvoiceAddress, when one was sent


@dataclass(frozen=True, kw_only=True)
class _LineHead:
    """The first fields of a `Line` (a base class only to keep them first)."""

    system_id: int
    code: str | None
    article_number: str
    article_name: str | None
    ordered: Decimal
    picked: Decimal = Decimal(0)
    allocated: Decimal = Decimal(0)
    reported: Decimal | None = None
    returned: Decimal = Decimal(0)
    reported_returned: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class LineDetails:
    """What a CustomerOrderLine says besides its identification, article and quantity (in `LineInput` too)."""

    comment: str | None = None
    line_price: Decimal | None = None
    customer_line_price: Decimal | None = None
    currency: str | None = None
    discount: Decimal | None = None
    vat_percent: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class Line(LineDetails, _LineHead):
    """One order line; `code` is its ExternalOrderLineCode; the counters accumulate."""

    @property
    def to_report(self) -> bool:
        """Whether picks or returns are not yet reported (what OnlyOrdersWithOrderLinesToReport selects)."""
        return self.picked > (self.reported or 0) or self.returned > (self.reported_returned or 0)


@dataclass(frozen=True, kw_only=True)
class _OrderHead:
    """The first fields of an `Order` (a base class only to keep them first)."""

    order_id: int
    number: str
    status: int
    order_type: str | None
    consignee: Consignee
    lines: tuple[Line, ...]
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class OrderDetails:
    """What ProcessOrder's OrderInfo says besides the order's identification and type (in `OrderInput` too)."""

    remark: str | None = None
    delivery_instruction: str | None = None
    way_of_delivery: str | None = None
    way_of_delivery_type: tuple[str | None, str | None] | None = None  # (Code, Name)
    reference_number: str | None = None
    sales_code: str | None = None
    service_point_code: str | None = None
    freight_price: Decimal | None = None
    delivery_date: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Order(OrderDetails, _OrderHead):
    """One order of the goods owner; `number` is its GoodsOwnerOrderNumber."""

    picked_at: dt.datetime | None = None
    shipped_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    way_bill: str | None = None
    tracking_url: str | None = None
    transporter_name: str | None = None
    transporter_code: str | None = None
    foreign: bool = False  # created in the warehouse, not through ProcessOrder

    @property
    def status_text(self) -> str:
        """The English name of the status."""
        return STATUS_TEXTS.get(self.status, f"Status {self.status}")

    @property
    def is_open(self) -> bool:
        """Whether the order still takes from sellable stock (not sent, not cancelled)."""
        return self.status < SENT


@dataclass(frozen=True, kw_only=True)
class _ArticleHead:
    """The first fields of an `Article` (a base class only to keep them first)."""

    system_id: int
    number: str
    changed_at: dt.datetime
    name: str | None = None
    stock: Decimal = Decimal(0)


@dataclass(frozen=True, kw_only=True)
class ArticleDetails:
    """Article master data as ProcessArticle sets it (in `ArticleInput` too, where a barcode "" clears it)."""

    product_code: str | None = None
    barcode: str | None = None
    description: str | None = None
    unit_code: str | None = None
    country_of_origin: str | None = None
    statistics_number: str | None = None
    weight: Decimal | None = None
    volume: Decimal | None = None
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    price: Decimal | None = None
    purchase_price: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class Article(ArticleDetails, _ArticleHead):
    """One article with its physical stock on hand."""

    is_stock_article: bool = True
    is_obsolete: bool = False
    last_in_at: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class InventoryRow:
    """One article's stock figures as GetInventoryByQuery reports them."""

    article: Article
    on_hand: Decimal
    sellable: Decimal
    allocated: Decimal
    booked: Decimal
    to_receive: Decimal = Decimal(0)


@dataclass(frozen=True, kw_only=True)
class InventoryTransaction:
    """One stock adjustment (GetInventoryChanges); `inventory_id` is unique per adjustment."""

    inventory_id: int
    article_number: str
    quantity: Decimal
    at: dt.datetime
    cause_code: str
    cause_name: str
    comment: str | None = None


@dataclass(frozen=True, kw_only=True)
class InLine:
    """One purchase-order line; `code` is its ExternalOrderLineCode."""

    system_id: int
    code: str | None
    article_number: str
    advised: Decimal
    received: Decimal = Decimal(0)
    reported: Decimal | None = None
    comment: str | None = None
    received_at: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class InOrder:
    """One purchase order (in-order); `number` is its GoodsOwnerOrderNumber."""

    in_order_id: int
    number: str
    status: int
    lines: tuple[InLine, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    supplier_number: str | None = None
    supplier_name: str | None = None
    in_date: dt.datetime | None = None
    remark: str | None = None
    received_at: dt.datetime | None = None
    foreign: bool = False

    @property
    def status_text(self) -> str:
        """The (inferred) English name of the status."""
        return IN_STATUS_TEXTS.get(self.status, f"Status {self.status}")


@dataclass(frozen=True, kw_only=True)
class WriteResult:
    """Outcome of a Process*/Update* call (FileResultClass / Update*LinesResult)."""

    success: bool
    number: str | None = None
    order_id: int = 0
    in_order_id: int = 0
    article_id: int | None = None
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """One SOAP request as the simulator saw it (never the password)."""

    operation: str
    fields: dict[str, object]
    at: dt.datetime
    committed: bool
    outcome: str


def aware(value: dt.datetime) -> dt.datetime:
    """Treat a zone-less time as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
