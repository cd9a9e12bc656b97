"""Pure mapping between the domain Structs and Ongoing's SOAP types: order requests here, the rest re-exported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from router.wms._wire import wire_time
from router.wms.articles import WmsArticle, article_definition, article_from_update
from router.wms.inventory import (
    WmsInventoryChange,
    WmsStockLine,
    inventory_changes_from_result,
    inventory_changes_query,
    inventory_query,
    stock_line,
    stock_lines_from_result,
)
from router.wms.purchasing import (
    WmsInOrderLineStatus,
    WmsInOrderStatus,
    WmsPurchaseOrder,
    WmsPurchaseOrderLine,
    in_order,
    in_order_filters,
    in_orders_from_result,
    remove_in_order,
    update_in_order_lines,
)
from router.wms.results import order_line_status, order_status, orders_from_result, tracking_url

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from router.domain import Address, CanonicalOrder, OrderLine, RoutedOrder

# Choices the WSDL leaves open:
# - `DeliveryDate` is schema-required; an order without one gets .NET's `DateTime.MinValue`
#   (`0001-01-01T00:00:00`), which is what Ongoing's own .NET SDK sends when it is unset.
# - Prices: Ongoing names them *line* prices, so `LinePrice` and `CustomerLinePrice` both carry the line
#   total (`unit_price x quantity`); `CustomerOrderLine` has no unit-price field.
# - VAT: the line type has no plain VAT field, only `VatCode` (`VatCodeClass`). A line's `vat_percent` is
#   sent as `VatCode{VatCodeOperation=Find, VatCodeIdentification=VatPercent, VatPercent}`: the warehouse
#   must already have a VAT code with that percentage (none is created on the fly). Lines without
#   `vat_percent` send no `VatCode`.
# - The customer is identified by `CustomerNumber` when the order has one, else by `FullNameAndAddress`;
#   `IsVisible` is true so warehouse staff can find the consignee; its notify flags follow the order's.

__all__ = [
    "DOTNET_MIN_DATETIME",
    "WmsArticle",
    "WmsInOrderLineStatus",
    "WmsInOrderStatus",
    "WmsInventoryChange",
    "WmsPurchaseOrder",
    "WmsPurchaseOrderLine",
    "WmsStockLine",
    "article_definition",
    "article_from_update",
    "customer_order",
    "in_order",
    "in_order_filters",
    "in_orders_from_result",
    "inventory_changes_from_result",
    "inventory_changes_query",
    "inventory_query",
    "order_filters",
    "order_line_status",
    "order_status",
    "orders_from_result",
    "remove_in_order",
    "remove_order",
    "stock_line",
    "stock_lines_from_result",
    "tracking_url",
    "update_in_order_lines",
    "update_order_lines",
]

DOTNET_MIN_DATETIME = dt.datetime(1, 1, 1)  # noqa: DTZ001 - .NET DateTime.MinValue has no zone


# --- domain -> wire -------------------------------------------------------------------------------


def _delivery_date(value: dt.date | None) -> dt.datetime:
    if value is None:
        return DOTNET_MIN_DATETIME
    return dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001 - a calendar date, no zone


def _customer(routed: RoutedOrder) -> dict[str, Any]:
    order = routed.order
    ship_to: Address = order.ship_to
    return {
        "CustomerOperation": "CreateOrUpdate",
        "CustomerIdentification": "CustomerNumber" if order.customer_number else "FullNameAndAddress",
        "CustomerNumber": order.customer_number,
        "CustomerId": None,
        "DeliveryAddressId": None,
        "InvoiceAddressId": None,
        "Name": ship_to.name,
        "Address": ship_to.address1,
        "Address2": ship_to.address2,
        "Address3": ship_to.address3,
        "PostCode": ship_to.postcode,
        "City": ship_to.city,
        "TelePhone": ship_to.phone,
        "Email": ship_to.email,
        "MobilePhone": ship_to.mobile,
        "CountryCode": ship_to.country_code,
        "CountryStateCode": ship_to.state_code,
        "IsVisible": True,
        "NotifyBySMS": order.notify_by_sms,
        "NotifyByEmail": order.notify_by_email,
        "NotifyByTelephone": False,
        "InvoiceAddress": _invoice_address(order.bill_to),
    }


def _invoice_address(bill_to: Address | None) -> dict[str, Any] | None:
    if bill_to is None:
        return None
    return {
        "Name": bill_to.name,
        "Address": bill_to.address1,
        "Address2": bill_to.address2,
        "Address3": bill_to.address3,
        "PostCode": bill_to.postcode,
        "City": bill_to.city,
        "TelePhone": bill_to.phone,
        "Email": bill_to.email,
        "MobilePhone": bill_to.mobile,
        "CountryStateCode": bill_to.state_code,
        "CountryCode": bill_to.country_code,
        "IsVisible": True,
        "NotifyBySMS": False,
        "NotifyByEmail": False,
        "NotifyByTelephone": False,
    }


def _way_of_delivery_type(order: CanonicalOrder) -> dict[str, Any] | None:
    if order.way_of_delivery_type_code is None:
        return None
    return {
        "WayOfDeliveryTypeOperation": "CreateOrUpdate",
        "WayOfDeliveryTypeIdentification": "Code",
        "Code": order.way_of_delivery_type_code,
        "Name": order.way_of_delivery_type_name,
    }


def _line(line: OrderLine, currency: str | None) -> dict[str, Any]:
    total = None if line.unit_price is None else line.unit_price * line.quantity
    vat = None
    if line.vat_percent is not None:
        vat = {
            "VatCodeOperation": "Find",
            "VatCodeIdentification": "VatPercent",
            "VatPercent": line.vat_percent,
        }
    return {
        "OrderLineIdentification": "ExternalOrderLineCode",
        "ArticleIdentification": "ArticleNumber",
        "SubOrderLineSpecification": None,
        "ExternalOrderLineCode": line.line_id,
        "OrderLineComment": line.comment,
        "ArticleNumber": line.article_number,
        "ArticleName": line.article_name,
        "CustomerLinePrice": total,
        "LinePrice": total,
        "NumberOfItems": line.quantity,
        "CurrencyCode": currency if total is not None else None,
        "Discount": line.discount,
        "VatCode": vat,
    }


def customer_order(routed: RoutedOrder, *, operation: str = "CreateOrUpdate") -> dict[str, Any]:
    """Build the `co` (CustomerOrder) argument of ProcessOrder for a routed order."""
    order = routed.order
    ship_to = order.ship_to
    return {
        "OrderInfo": {
            "OrderIdentification": "GoodsOwnerOrderNumber",
            "OrderOperation": operation,
            "ReferenceNumber": order.reference_number,
            "GoodsOwnerOrderNumber": routed.wms_order_number,
            "SalesCode": order.sales_code,
            "OrderRemark": order.remark,
            "WayOfDelivery": order.way_of_delivery,
            "DeliveryInstruction": order.delivery_instruction,
            "FreightPrice": order.freight_price,
            "DeliveryDate": _delivery_date(order.delivery_date),
            "OrderType": {
                "OrderTypeOperation": "CreateOrFind",
                "OrderTypeIdentification": "OrderTypeCode",
                "OrderTypeCode": routed.order_type,
            },
            "WayOfDeliveryType": _way_of_delivery_type(order),
            "OrderNotification": {
                "Telephone": ship_to.phone,
                "MobilePhone": ship_to.mobile,
                "Email": ship_to.email,
                "NotifyByEmail": order.notify_by_email,
                "NotifyBySms": order.notify_by_sms,
                "NotifyByTelephone": False,
            },
            "OrderServicePointCode": order.service_point_code,
        },
        "Customer": _customer(routed),
        "CustomerOrderLines": {"CustomerOrderLine": [_line(line, order.currency) for line in order.lines]},
    }


def remove_order(wms_order_number: str) -> dict[str, Any]:
    """Build the `co` argument of a ProcessOrder that cancels an order (`OrderOperation=Remove`)."""
    return {
        "OrderInfo": {
            "OrderIdentification": "GoodsOwnerOrderNumber",
            "OrderOperation": "Remove",
            "GoodsOwnerOrderNumber": wms_order_number,
            "DeliveryDate": DOTNET_MIN_DATETIME,
        }
    }


def order_filters(
    *,
    numbers: Sequence[str] = (),
    ids: Sequence[int] = (),
    changed_since: dt.datetime | None = None,
    changed_until: dt.datetime | None = None,
    status_from: int | None = None,
    status_to: int | None = None,
    only_lines_to_report: bool = False,
) -> dict[str, Any]:
    """Build the `query` (OrderFilters) argument of GetOrdersByQuery; unset filters go out as `xsi:nil`.

    `changed_since`/`changed_until` are LastUpdatedFrom/To (inclusive), sent as aware UTC times.
    """
    filters: dict[str, Any] = dict.fromkeys(
        (
            "DeliveryDateFrom",
            "DeliveryDateTo",
            "ShippedTimeFrom",
            "ShippedTimeTo",
            "LastPickingTimeFrom",
            "LastPickingTimeTo",
            "LastReturnedFrom",
            "LastPrintedTimeFrom",
            "PickOrderIdFrom",
            "PickOrderIdTo",
        )
    )
    filters.update(
        OrderStatusFrom=status_from,
        OrderStatusTo=status_to,
        LastUpdatedFrom=wire_time(changed_since),
        LastUpdatedTo=wire_time(changed_until),
        OrderNumbersToGet={"string": list(numbers)} if numbers else None,
        OrderIdsToGet={"int": list(ids)} if ids else None,
        OrderSpecialFilters={"OnlyOrdersWithOrderLinesToReport": True} if only_lines_to_report else None,
    )
    return filters


def update_order_lines(
    wms_order_number: str,
    reported: Mapping[str, Decimal] | None = None,
    *,
    reported_returned: Mapping[str, Decimal] | None = None,
    order_id: int = 0,
) -> dict[str, Any]:
    """Build the `UpdateOrderLines` argument: ReportedNumberOfItems and/or ReportedReturnedNumberOfItems per line.

    ReportedReturnedNumberOfItems is newer than the 2017 WSDL (its SOAP name is inferred from the REST API).
    """
    reported = reported or {}
    reported_returned = reported_returned or {}
    lines = []
    for line_id in dict.fromkeys([*reported, *reported_returned]):
        line: dict[str, Any] = {
            "UpdateOrderLineIdentification": {
                "OrderLineIdentificationType": "ExternalOrderLineCode",
                "ExternalOrderLineCode": line_id,
                "OrderLineId": None,
            },
        }
        if line_id in reported:
            line["UpdateReportedNumberOfItems"] = {"ReportedNumberOfItems": reported[line_id]}
        if line_id in reported_returned:
            line["ReportedReturnedNumberOfItems"] = reported_returned[line_id]
        lines.append(line)
    return {
        "UpdateOrderIdentification": {
            "OrderIdentificationType": "GoodsOwnerOrderNumber",
            "GoodsOwnerOrderNumber": wms_order_number,
            "OrderId": order_id,
        },
        "OrderLines": {"UpdateOrderLine": lines},
    }
