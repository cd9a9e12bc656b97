"""Pure mapping of zeep response objects to domain Structs; the core never sees a zeep object."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from router.domain import WmsOrderLineStatus, WmsOrderStatus

__all__ = [
    "WmsStockLine",
    "order_line_status",
    "order_status",
    "orders_from_result",
    "stock_line",
    "stock_lines_from_result",
]


class WmsStockLine(msgspec.Struct, frozen=True, kw_only=True):
    """One article's stock as the WMS reports it (`GetInventoryByQuery`), already off the wire."""

    article_number: str
    article_name: str | None
    on_hand: Decimal
    sellable: Decimal | None  # None when the server predates SellableNumberOfItems
    allocated: Decimal | None


def _field(node: Any, *path: str) -> Any:
    """Walk zeep objects (or dicts) by element name; a missing or nil step yields None."""
    for name in path:
        if node is None:
            return None
        node = node.get(name) if isinstance(node, dict) else getattr(node, name, None)
    return node


def _decimal(value: Any, default: Decimal | None = Decimal(0)) -> Decimal | None:
    if value is None:
        return default
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _items(node: Any, name: str) -> list[Any]:
    """Return the repeated children of an ArrayOf* wrapper, without nil entries."""
    items = _field(node, name)
    return [item for item in (items or []) if item is not None]


def order_line_status(line: Any) -> WmsOrderLineStatus:
    """One PickedOrderLine as a domain line status."""
    return WmsOrderLineStatus(
        line_id=_text(_field(line, "ExternalOrderLineCode")),
        article_number=_text(_field(line, "Article", "ArticleNumber")),
        ordered=_decimal(_field(line, "OrderedNumberOfItems")) or Decimal(0),
        picked=_decimal(_field(line, "PickedNumberOfItems")) or Decimal(0),
        allocated=_decimal(_field(line, "AllocatedNumberOfItems")) or Decimal(0),
        reported=_decimal(_field(line, "ReportedNumberOfItems"), None),
    )


def order_status(order: Any) -> WmsOrderStatus:
    """One `Order` of GetOrdersByQuery as a domain order status."""
    info = _field(order, "OrderInfo")
    return WmsOrderStatus(
        order_id=int(_field(info, "OrderId")),
        order_number=str(_field(info, "GoodsOwnerOrderNumber") or ""),
        status_number=int(_field(info, "OrderStatusNumber")),
        status_text=_text(_field(info, "OrderStatusText")),
        order_type=_text(_field(info, "OrderTypeCode")),
        way_bill=_text(_field(info, "WayBill")),
        lines=tuple(order_line_status(line) for line in _items(_field(order, "PickedOrderLines"), "PickedOrderLine")),
    )


def orders_from_result(result: Any) -> list[WmsOrderStatus]:
    """Map a GetOrdersByQuery result: zeep unwraps GetOrdersResult to its only child (`Orders`).

    Accepts either level; an empty or missing `Orders` is an empty list.
    """
    orders = _field(result, "Orders") or result
    return [order_status(order) for order in _items(orders, "Order")]


def stock_line(line: Any) -> WmsStockLine:
    """One InventoryLine as a stock line; physical stock prefers the decimal field when present."""
    on_hand = _decimal(_field(line, "NumberOfItemsDecimal"), None)
    if on_hand is None:
        on_hand = _decimal(_field(line, "NumberOfItems")) or Decimal(0)
    return WmsStockLine(
        article_number=str(_field(line, "Article", "ArticleNumber") or ""),
        article_name=_text(_field(line, "Article", "Name")),
        on_hand=on_hand,
        sellable=_decimal(_field(line, "SellableNumberOfItems"), None),
        allocated=_decimal(_field(line, "AllocatedNumberOfItems"), None),
    )


def stock_lines_from_result(result: Any) -> list[WmsStockLine]:
    """All lines of an InventoryResult."""
    return [stock_line(line) for line in _items(_field(result, "InventoryLines"), "InventoryLine")]
