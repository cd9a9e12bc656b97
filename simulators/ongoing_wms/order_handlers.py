"""Handlers of the order operations: read the request element, act on the state, build the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators.ongoing_wms import responses
from simulators.ongoing_wms.inputs import LineInput, OrderInput, OrderQuery
from simulators.ongoing_wms.outcome import Outcome, read_outcome, write_outcome
from simulators.ongoing_wms.records import Consignee
from simulators.ongoing_wms.soap import SoapRequestError, boolean, child, children, datetime, decimal, integer, text

if TYPE_CHECKING:
    from decimal import Decimal

    from lxml import etree

    from simulators.ongoing_wms.operations import Operations

__all__ = ["get_orders", "numbers_to_get", "process_order", "quantity", "update_order_lines", "update_target"]


def process_order(ops: Operations, el: etree._Element) -> Outcome:
    """ProcessOrder → FileResultClass."""
    co = child(el, "co")
    info = child(co, "OrderInfo")
    lines_el = child(co, "CustomerOrderLines")
    customer = child(co, "Customer")
    request = OrderInput(
        operation=text(info, "OrderOperation") or "",
        identification=text(info, "OrderIdentification") or "",
        number=text(info, "GoodsOwnerOrderNumber"),
        order_id=integer(info, "OrderId"),
        order_type=text(info, "OrderType", "OrderTypeCode"),
        remark=text(info, "OrderRemark"),
        delivery_instruction=text(info, "DeliveryInstruction"),
        way_of_delivery=text(info, "WayOfDelivery"),
        way_of_delivery_type=_way_of_delivery_type(child(info, "WayOfDeliveryType")),
        reference_number=text(info, "ReferenceNumber"),
        sales_code=text(info, "SalesCode"),
        service_point_code=text(info, "OrderServicePointCode"),
        freight_price=decimal(info, "FreightPrice"),
        delivery_date=datetime(info, "DeliveryDate"),
        consignee=_consignee(customer, child(info, "OrderNotification")) if customer is not None else None,
        lines=None if lines_el is None else tuple(_line(c) for c in children(lines_el, "CustomerOrderLine")),
    )
    result = ops.state.process_order(request)
    fields: dict[str, object] = {
        "number": request.number,
        "order_operation": request.operation,
        "order_type": request.order_type,
        "articles": [line.article_number for line in request.lines or ()],
    }
    return write_outcome(responses.file_result("ProcessOrder", result), result, fields)


def get_orders(ops: Operations, el: etree._Element) -> Outcome:
    """GetOrdersByQuery → GetOrdersResult."""
    q = child(el, "query")
    ids = child(q, "OrderIdsToGet")
    query = OrderQuery(
        numbers=numbers_to_get(q, "Order"),
        ids=None if ids is None else tuple(int(c.text or 0) for c in children(ids, "int")),
        status_from=integer(q, "OrderStatusFrom"),
        status_to=integer(q, "OrderStatusTo"),
        updated_from=datetime(q, "LastUpdatedFrom"),
        updated_to=datetime(q, "LastUpdatedTo"),
        shipped_from=datetime(q, "ShippedTimeFrom"),
        shipped_to=datetime(q, "ShippedTimeTo"),
        returned_from=datetime(q, "LastReturnedFrom"),
        only_lines_to_report=bool(boolean(q, "OrderSpecialFilters", "OnlyOrdersWithOrderLinesToReport")),
    )
    orders = ops.state.query_orders(query)
    articles = {a.number: a for a in ops.state.articles()}
    body = responses.orders_result(orders, articles, ops.goods_owner, ops.goods_owner_id)
    fields: dict[str, object] = {
        "numbers": list(query.numbers or ()),
        "ids": list(query.ids or ()),
        "status_from": query.status_from,
        "status_to": query.status_to,
        "updated_from": query.updated_from.isoformat() if query.updated_from else None,
        "updated_to": query.updated_to.isoformat() if query.updated_to else None,
        "only_lines_to_report": query.only_lines_to_report,
        "found": [o.number for o in orders],
    }
    return read_outcome(body, fields)


def update_order_lines(ops: Operations, el: etree._Element) -> Outcome:
    """UpdateOrderLines → UpdateOrderLinesResult (reported and, newer, reported-returned counters)."""
    update = child(el, "UpdateOrderLines")
    number, order_id = update_target(update, "Order")
    reports = [
        (
            text(line, "UpdateOrderLineIdentification", "ExternalOrderLineCode"),
            decimal(line, "UpdateReportedNumberOfItems", "ReportedNumberOfItems"),
            decimal(line, "ReportedReturnedNumberOfItems"),
        )
        for line in children(child(update, "OrderLines"), "UpdateOrderLine")
    ]
    result = ops.state.update_order_lines(number, order_id, reports)
    fields: dict[str, object] = {
        "number": number,
        "reported": {code: str(qty) for code, qty, _ in reports if qty is not None},
        "reported_returned": {code: str(qty) for code, _, qty in reports if qty is not None},
    }
    return write_outcome(responses.update_lines_result(result), result, fields)


def _way_of_delivery_type(el: etree._Element | None) -> tuple[str | None, str | None] | None:
    return None if el is None else (text(el, "Code"), text(el, "Name"))


def _invoice_address(el: etree._Element | None) -> Consignee | None:
    if el is None:
        return None
    return Consignee(
        name=text(el, "Name"),
        address=text(el, "Address"),
        address2=text(el, "Address2"),
        address3=text(el, "Address3"),
        postcode=text(el, "PostCode"),
        city=text(el, "City"),
        country_code=text(el, "CountryCode"),
        state_code=text(el, "CountryStateCode"),
        phone=text(el, "TelePhone"),
        mobile=text(el, "MobilePhone"),
        email=text(el, "Email"),
    )


def _consignee(customer: etree._Element, notification: etree._Element | None) -> Consignee:
    return Consignee(
        invoice_address=_invoice_address(child(customer, "InvoiceAddress")),
        customer_number=text(customer, "CustomerNumber"),
        name=text(customer, "Name"),
        address=text(customer, "Address"),
        address2=text(customer, "Address2"),
        address3=text(customer, "Address3"),
        postcode=text(customer, "PostCode"),
        city=text(customer, "City"),
        country_code=text(customer, "CountryCode"),
        state_code=text(customer, "CountryStateCode"),
        phone=text(customer, "TelePhone"),
        mobile=text(customer, "MobilePhone"),
        email=text(customer, "Email"),
        notify_by_email=bool(boolean(notification, "NotifyByEmail") or boolean(customer, "NotifyByEmail")),
        notify_by_sms=bool(boolean(notification, "NotifyBySms") or boolean(customer, "NotifyBySMS")),
    )


def _line(el: etree._Element) -> LineInput:
    return LineInput(
        quantity=quantity(el, "CustomerOrderLine"),
        identification=text(el, "OrderLineIdentification") or "ExternalOrderLineCode",
        code=text(el, "ExternalOrderLineCode"),
        article_number=text(el, "ArticleNumber"),
        article_name=text(el, "ArticleName"),
        comment=text(el, "OrderLineComment"),
        line_price=decimal(el, "LinePrice"),
        customer_line_price=decimal(el, "CustomerLinePrice"),
        currency=text(el, "CurrencyCode"),
        discount=decimal(el, "Discount"),
        vat_percent=decimal(el, "VatCode", "VatPercent"),
    )


# --- shared with purchase_handlers: an in-order's elements are named like an order's, `InOrder` for `Order` --------


def numbers_to_get(query: etree._Element | None, kind: str) -> tuple[str, ...] | None:
    """The `{kind}NumbersToGet` strings of a query, None when the array is missing or nil."""
    numbers = child(query, f"{kind}NumbersToGet")
    return None if numbers is None else tuple(c.text or "" for c in children(numbers, "string"))


def update_target(update: etree._Element | None, kind: str) -> tuple[str | None, int | None]:
    """The GoodsOwnerOrderNumber or the `{kind}Id` that `Update{kind}Identification` names (by its type)."""
    ident = child(update, f"Update{kind}Identification")
    by = text(ident, f"{kind}IdentificationType")
    number = text(ident, "GoodsOwnerOrderNumber") if by == "GoodsOwnerOrderNumber" else None
    system_id = integer(ident, f"{kind}Id") if by == "SystemId" else None
    return number, system_id


def quantity(line: etree._Element, name: str) -> Decimal:
    """The NumberOfItems a line named `name` must have."""
    value = decimal(line, "NumberOfItems")
    if value is None:
        raise SoapRequestError(f"{name}/NumberOfItems is required")
    return value
