"""The parts of SOAP requests the simulator acts on, parsed: write inputs and query filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from simulators.ongoing_wms.records import (
    ArticleDetails,
    Consignee,
    InOrder,
    LineDetails,
    Order,
    OrderDetails,
    aware,
)

__all__ = [
    "ArticleInput",
    "ChangesQuery",
    "InLineInput",
    "InOrderInput",
    "InOrderQuery",
    "InventoryQuery",
    "LineInput",
    "OrderInput",
    "OrderQuery",
    "within",
]


@dataclass(frozen=True, kw_only=True)
class LineInput(LineDetails):
    """One CustomerOrderLine of a ProcessOrder request."""

    identification: str
    code: str | None
    article_number: str | None
    article_name: str | None
    quantity: Decimal


@dataclass(frozen=True, kw_only=True)
class OrderInput(OrderDetails):
    """The parts of a ProcessOrder request the simulator acts on."""

    operation: str
    identification: str
    number: str | None
    order_id: int | None = None
    order_type: str | None = None
    consignee: Consignee | None = None
    lines: tuple[LineInput, ...] | None = None  # None: the request had no CustomerOrderLines


@dataclass(frozen=True, kw_only=True)
class ArticleInput(ArticleDetails):
    """The parts of a ProcessArticle request the simulator acts on; None leaves a field as it is, "" clears it."""

    identification: str
    number: str | None
    name: str | None = None
    is_stock_article: bool | None = None
    is_obsolete: bool | None = None


@dataclass(frozen=True, kw_only=True)
class InLineInput:
    """One InOrderLine of a ProcessInOrder request."""

    code: str | None
    article_number: str | None
    quantity: Decimal
    comment: str | None = None


@dataclass(frozen=True, kw_only=True)
class InOrderInput:
    """The parts of a ProcessInOrder request the simulator acts on."""

    operation: str
    identification: str
    number: str | None
    supplier_number: str | None = None
    supplier_name: str | None = None
    in_date: dt.datetime | None = None
    remark: str | None = None
    lines: tuple[InLineInput, ...] | None = None


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
    returned_from: dt.datetime | None = None
    only_lines_to_report: bool = False

    def matches(self, order: Order) -> bool:
        """Whether the order passes every given filter."""
        return all(
            (
                self.numbers is None or order.number in self.numbers,
                self.ids is None or order.order_id in self.ids,
                self.status_from is None or order.status >= self.status_from,
                self.status_to is None or order.status <= self.status_to,
                within(order.updated_at, self.updated_from, self.updated_to),
                within(order.shipped_at, self.shipped_from, self.shipped_to),
                within(order.returned_at, self.returned_from, None),
                not self.only_lines_to_report or any(line.to_report for line in order.lines),
            )
        )


@dataclass(frozen=True, kw_only=True)
class InventoryQuery:
    """GetInventoryByQuery filters, including the newer paging pair."""

    numbers: tuple[str, ...] | None = None
    changed_from: dt.datetime | None = None
    max_articles: int | None = None
    system_id_from: int | None = None


@dataclass(frozen=True, kw_only=True)
class ChangesQuery:
    """GetInventoryChanges filters (InventoryChangesQuery)."""

    from_date: dt.datetime | None = None
    to_date: dt.datetime | None = None
    inventory_id: int | None = None
    unreported: bool | None = None


@dataclass(frozen=True, kw_only=True)
class InOrderQuery:
    """GetInOrdersByQuery filters (InOrderFilters)."""

    numbers: tuple[str, ...] | None = None
    status_from: int | None = None
    status_to: int | None = None
    updated_from: dt.datetime | None = None
    updated_to: dt.datetime | None = None
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    only_unreported: bool = False  # OnlyWithInOrderLinesWithDiffingReceviedToReported

    def matches(self, in_order: InOrder) -> bool:
        """Whether the purchase order passes every given filter."""
        return all(
            (
                self.numbers is None or in_order.number in self.numbers,
                self.status_from is None or in_order.status >= self.status_from,
                self.status_to is None or in_order.status <= self.status_to,
                within(in_order.updated_at, self.updated_from, self.updated_to),
                within(in_order.received_at, self.received_from, self.received_to),
                not self.only_unreported or any(line.received != (line.reported or 0) for line in in_order.lines),
            )
        )


def within(value: dt.datetime | None, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    """Whether `value` lies in [start, end] (open ends allowed); no value never matches a bound."""
    if start is None and end is None:
        return True
    if value is None:
        return False
    return (start is None or value >= aware(start)) and (end is None or value <= aware(end))
