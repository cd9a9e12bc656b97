"""Pure mapping of GetOrdersByQuery results to domain Structs; the core never sees a zeep object."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from router.domain import WmsOrderLineStatus, WmsOrderStatus
from router.wms._wire import decimal, field, items, text, timestamp
from router.wms.inventory import WmsStockLine, stock_line, stock_lines_from_result

__all__ = [
    "TRACKING_URL_FIELD",
    "WmsStockLine",
    "order_line_status",
    "order_status",
    "orders_from_result",
    "stock_line",
    "stock_lines_from_result",
    "tracking_url",
]

# Where the tracking URL is read: Ongoing's newer OrderInfo/Tracking object (OrderTrackingInfo.TrackingUrl)
# is not in the project's WSDL subset because no source shows its exact shape, so the URL is carried in
# OrderInfoType's FreeText3 (the simulator writes it there). Only an http(s) URL counts, so whatever else a
# warehouse keeps in FreeText3 is never passed on as a tracking link.
TRACKING_URL_FIELD = "FreeText3"


def tracking_url(info: Any) -> str | None:
    """The tracking URL carried in OrderInfo, if it is an http(s) URL."""
    value = text(field(info, TRACKING_URL_FIELD))
    if value is None:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def order_line_status(line: Any) -> WmsOrderLineStatus:
    """One PickedOrderLine as a domain line status (returned counters are newer than the 2017 WSDL)."""
    return WmsOrderLineStatus(
        line_id=text(field(line, "ExternalOrderLineCode")),
        article_number=text(field(line, "Article", "ArticleNumber")),
        ordered=decimal(field(line, "OrderedNumberOfItems")) or Decimal(0),
        picked=decimal(field(line, "PickedNumberOfItems")) or Decimal(0),
        allocated=decimal(field(line, "AllocatedNumberOfItems")) or Decimal(0),
        reported=decimal(field(line, "ReportedNumberOfItems"), None),
        returned=decimal(field(line, "ReturnedNumberOfItems")) or Decimal(0),
        reported_returned=decimal(field(line, "ReportedReturnedNumberOfItems"), None),
    )


def order_status(order: Any) -> WmsOrderStatus:
    """One `Order` of GetOrdersByQuery as a domain order status.

    `transporter` is the Transporter's name (else its code). `updated_at` stays None: OrderInfoType has
    no LastUpdated element, so a cursor over LastUpdatedFrom must use the time its own read started.
    """
    info = field(order, "OrderInfo")
    transporter = field(order, "Transporter")
    return WmsOrderStatus(
        order_id=int(field(info, "OrderId")),
        order_number=str(field(info, "GoodsOwnerOrderNumber") or ""),
        status_number=int(field(info, "OrderStatusNumber")),
        status_text=text(field(info, "OrderStatusText")),
        order_type=text(field(info, "OrderTypeCode")),
        way_bill=text(field(info, "WayBill")),
        lines=tuple(order_line_status(line) for line in items(field(order, "PickedOrderLines"), "PickedOrderLine")),
        tracking_url=tracking_url(info),
        transporter=text(field(transporter, "Name")) or text(field(transporter, "Code")),
        shipped_at=timestamp(field(info, "ShippedTime")),
    )


def orders_from_result(result: Any) -> list[WmsOrderStatus]:
    """Map a GetOrdersByQuery result: zeep unwraps GetOrdersResult to its only child (`Orders`).

    Accepts either level; an empty or missing `Orders` is an empty list.
    """
    orders = field(result, "Orders") or result
    return [order_status(order) for order in items(orders, "Order")]
