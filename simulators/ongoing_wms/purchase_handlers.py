"""Handlers of the purchase-order operations: ProcessInOrder, GetInOrdersByQuery, UpdateInOrderLines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators.ongoing_wms import purchase_responses, responses
from simulators.ongoing_wms.inputs import InLineInput, InOrderInput, InOrderQuery
from simulators.ongoing_wms.order_handlers import numbers_to_get, quantity, update_target
from simulators.ongoing_wms.outcome import Outcome, read_outcome, write_outcome
from simulators.ongoing_wms.soap import boolean, child, children, datetime, decimal, integer, text

if TYPE_CHECKING:
    from lxml import etree

    from simulators.ongoing_wms.operations import Operations

__all__ = ["get_in_orders", "process_in_order", "update_in_order_lines"]


def process_in_order(ops: Operations, el: etree._Element) -> Outcome:
    """ProcessInOrder → FileResultClass (InOrderId set)."""
    co = child(el, "co")
    info = child(co, "InOrderInfo")
    supplier = child(co, "InOrderSupplier")
    lines_el = child(co, "InOrderLines")
    request = InOrderInput(
        operation=text(info, "InOrderOperation") or "",
        identification=text(info, "InOrderIdentification") or "",
        number=text(info, "GoodsOwnerOrderNumber"),
        supplier_number=text(supplier, "SupplierNumber"),
        supplier_name=text(supplier, "SupplierName"),
        in_date=datetime(info, "InDate"),
        remark=text(info, "OrderRemark"),
        lines=None if lines_el is None else tuple(_line(c) for c in children(lines_el, "InOrderLine")),
    )
    result = ops.state.process_in_order(request)
    fields: dict[str, object] = {
        "number": request.number,
        "operation": request.operation,
        "supplier": request.supplier_number,
        "articles": [line.article_number for line in request.lines or ()],
    }
    return write_outcome(responses.file_result("ProcessInOrder", result), result, fields)


def get_in_orders(ops: Operations, el: etree._Element) -> Outcome:
    """GetInOrdersByQuery → GetInOrdersResult."""
    q = child(el, "query")
    query = InOrderQuery(
        numbers=numbers_to_get(q, "InOrder"),
        status_from=integer(q, "InOrderStatusFrom"),
        status_to=integer(q, "InOrderStatusTo"),
        updated_from=datetime(q, "LastUpdatedFrom"),
        updated_to=datetime(q, "LastUpdatedTo"),
        received_from=datetime(q, "LastReceiveTimeFrom"),
        received_to=datetime(q, "LastReceiveTimeTo"),
        # [INF] "diffing received to reported": lines whose received count differs from the reported one.
        only_unreported=bool(boolean(q, "InOrderSpecialFilters", "OnlyWithInOrderLinesWithDiffingReceviedToReported")),
    )
    found = ops.state.query_in_orders(query)
    articles = {a.number: a for a in ops.state.articles()}
    body = purchase_responses.in_orders_result(found, articles, ops.goods_owner, ops.goods_owner_id)
    fields: dict[str, object] = {
        "numbers": list(query.numbers or ()),
        "only_unreported": query.only_unreported,
        "found": [o.number for o in found],
    }
    return read_outcome(body, fields)


def update_in_order_lines(ops: Operations, el: etree._Element) -> Outcome:
    """UpdateInOrderLines → UpdateInOrderLinesResult (reported received counters)."""
    update = child(el, "UpdateInOrderLines")
    number, in_order_id = update_target(update, "InOrder")
    reported = [
        (
            text(line, "UpdateInOrderLineIdentification", "ExternalOrderLineCode"),
            decimal(line, "UpdateReportedNumberOfItems", "ReportedNumberOfItems"),
        )
        for line in children(child(update, "InOrderLines"), "UpdateInOrderLine")
        if child(line, "UpdateReportedNumberOfItems") is not None
    ]
    result = ops.state.update_in_order_lines(number, in_order_id, reported)
    fields: dict[str, object] = {
        "number": number,
        "reported": {code: str(qty) if qty is not None else None for code, qty in reported},
    }
    return write_outcome(responses.update_lines_result(result, "UpdateInOrderLines"), result, fields)


def _line(el: etree._Element) -> InLineInput:
    return InLineInput(
        quantity=quantity(el, "InOrderLine"),
        code=text(el, "ExternalOrderLineCode"),
        article_number=text(el, "ArticleNumber"),
        comment=text(el, "OrderLineComment"),
    )
