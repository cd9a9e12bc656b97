"""Immutable records of the simulated goods owner (orders, lines, articles) and parsed requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "CANCELLED",
    "OPEN",
    "PICKED",
    "SENT",
    "STATUS_TEXTS",
    "Article",
    "ArticleInput",
    "Consignee",
    "InventoryRow",
    "Line",
    "LineInput",
    "Order",
    "OrderInput",
    "OrderQuery",
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
PICKED = 400
SENT = 450
CANCELLED = 1000


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


@dataclass(frozen=True, kw_only=True)
class Line:
    """One order line; `code` is its ExternalOrderLineCode."""

    system_id: int
    code: str | None
    article_number: str
    article_name: str | None
    ordered: Decimal
    picked: Decimal = Decimal(0)
    allocated: Decimal = Decimal(0)
    reported: Decimal | None = None
    comment: str | None = None
    line_price: Decimal | None = None
    customer_line_price: Decimal | None = None
    currency: str | None = None
    discount: Decimal | None = None
    vat_percent: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class Order:
    """One order of the goods owner; `number` is its GoodsOwnerOrderNumber."""

    order_id: int
    number: str
    status: int
    order_type: str | None
    consignee: Consignee
    lines: tuple[Line, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    remark: str | None = None
    delivery_instruction: str | None = None
    way_of_delivery: str | None = None
    service_point_code: str | None = None
    freight_price: Decimal | None = None
    delivery_date: dt.datetime | None = None
    picked_at: dt.datetime | None = None
    shipped_at: dt.datetime | None = None
    way_bill: str | None = None

    @property
    def status_text(self) -> str:
        """The English name of the status."""
        return STATUS_TEXTS.get(self.status, f"Status {self.status}")

    @property
    def is_open(self) -> bool:
        """Whether the order still takes from sellable stock (not sent, not cancelled)."""
        return self.status < SENT


@dataclass(frozen=True, kw_only=True)
class Article:
    """One article with its physical stock on hand."""

    system_id: int
    number: str
    name: str | None = None
    stock: Decimal = Decimal(0)
    product_code: str | None = None
    barcode: str | None = None
    description: str | None = None
    unit_code: str | None = None
    weight: Decimal | None = None
    volume: Decimal | None = None
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    price: Decimal | None = None
    purchase_price: Decimal | None = None
    is_stock_article: bool = True
    is_obsolete: bool = False
    changed_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass(frozen=True, kw_only=True)
class InventoryRow:
    """One article's stock figures as GetInventoryByQuery reports them."""

    article: Article
    on_hand: Decimal
    sellable: Decimal
    allocated: Decimal
    booked: Decimal


@dataclass(frozen=True, kw_only=True)
class LineInput:
    """One CustomerOrderLine of a ProcessOrder request."""

    identification: str
    code: str | None
    article_number: str | None
    article_name: str | None
    quantity: Decimal
    comment: str | None = None
    line_price: Decimal | None = None
    customer_line_price: Decimal | None = None
    currency: str | None = None
    discount: Decimal | None = None
    vat_percent: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class OrderInput:
    """The parts of a ProcessOrder request the simulator acts on."""

    operation: str
    identification: str
    number: str | None
    order_id: int | None = None
    order_type: str | None = None
    remark: str | None = None
    delivery_instruction: str | None = None
    way_of_delivery: str | None = None
    service_point_code: str | None = None
    freight_price: Decimal | None = None
    delivery_date: dt.datetime | None = None
    consignee: Consignee | None = None
    lines: tuple[LineInput, ...] | None = None  # None: the request had no CustomerOrderLines


@dataclass(frozen=True, kw_only=True)
class ArticleInput:
    """The parts of a ProcessArticle request the simulator acts on."""

    identification: str
    number: str | None
    name: str | None = None
    product_code: str | None = None
    barcode: str | None = None
    description: str | None = None
    unit_code: str | None = None
    weight: Decimal | None = None
    volume: Decimal | None = None
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    price: Decimal | None = None
    purchase_price: Decimal | None = None
    is_stock_article: bool | None = None
    is_obsolete: bool | None = None


@dataclass(frozen=True, kw_only=True)
class OrderQuery:
    """GetOrdersByQuery filters; None (or nil on the wire) means "no filter"."""

    numbers: tuple[str, ...] | None = None
    ids: tuple[int, ...] | None = None
    status_from: int | None = None
    status_to: int | None = None
    updated_from: dt.datetime | None = None
    updated_to: dt.datetime | None = None
    shipped_from: dt.datetime | None = None
    shipped_to: dt.datetime | None = None
    only_lines_to_report: bool = False

    def matches(self, order: Order) -> bool:
        """Whether the order passes every given filter."""
        return all(
            (
                self.numbers is None or order.number in self.numbers,
                self.ids is None or order.order_id in self.ids,
                self.status_from is None or order.status >= self.status_from,
                self.status_to is None or order.status <= self.status_to,
                _within(order.updated_at, self.updated_from, self.updated_to),
                _within(order.shipped_at, self.shipped_from, self.shipped_to),
                not self.only_lines_to_report
                or any(line.picked > (line.reported or Decimal(0)) for line in order.lines),
            )
        )


@dataclass(frozen=True, kw_only=True)
class WriteResult:
    """Outcome of a Process*/Update* call (FileResultClass / UpdateOrderLinesResult)."""

    success: bool
    number: str | None = None
    order_id: int = 0
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


def _within(value: dt.datetime | None, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    if start is None and end is None:
        return True
    if value is None:
        return False
    return (start is None or value >= aware(start)) and (end is None or value <= aware(end))
