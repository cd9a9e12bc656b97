"""Purchase-order response bodies (GetInOrdersByQuery) in exactly the WSDL subset's shape."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from simulators.ongoing_wms.responses import write_article
from simulators.ongoing_wms.soap import envelope, serialize

if TYPE_CHECKING:
    from simulators.ongoing_wms.records import Article, InOrder

__all__ = ["in_orders_result"]


def in_orders_result(
    in_orders: list[InOrder], articles: dict[str, Article], goods_owner: str, goods_owner_id: int
) -> bytes:
    """GetInOrdersByQuery → GetInOrdersResult; no match is an empty `<InOrders/>`."""
    root, w = envelope("GetInOrdersByQuery")
    listing = w.node("InOrders")
    for in_order in in_orders:
        r = listing.node("ReceivedInOrder")
        info = r.node("InOrderInfo")
        info.req("InOrderId", in_order.in_order_id)
        info.opt("GoodsOwnerOrderNumber", in_order.number)
        info.nil("InDate", in_order.in_date)
        info.nil("OrderDate", in_order.created_at)
        info.nil("BatchDate", None)
        info.nil("ReceivedDate", in_order.received_at)
        info.nil("LastReceivedTime", in_order.received_at)
        info.opt("Comment", in_order.remark)
        info.req("InOrderIsReturnType", False)  # noqa: FBT003 - an element value
        info.req("InOrderStatusNumber", in_order.status)
        info.opt("InOrderStatusText", in_order.status_text)
        info.req("AdvisedNumberOfItems", sum((line.advised for line in in_order.lines), Decimal(0)))
        info.req("ReceivedNumberOfItems", sum((line.received for line in in_order.lines), Decimal(0)))
        supplier = r.node("InOrderSupplier")
        supplier.opt("SupplierName", in_order.supplier_name)
        supplier.opt("SupplierNumber", in_order.supplier_number)
        owner = r.node("GoodsOwner")
        owner.req("GoodsOwnerIdentification", "GoodsOwnerCode")
        owner.opt("GoodsOwnerCode", goods_owner)
        owner.req("GoodsOwnerId", goods_owner_id)
        lines = r.node("ReceivedInOrderLines")
        for line in in_order.lines:
            item = lines.node("ReceivedInOrderLine")
            write_article(item, articles.get(line.article_number), line.article_number, None)
            item.opt("ExternalOrderLineCode", line.code)
            item.nil("InDate", line.received_at)
            item.opt("Comment", line.comment)
            item.req("AdvisedNumberOfItems", line.advised)
            item.req("ReceivedNumberOfItems", line.received)
            item.req("CreatedNumberOfItems", line.advised)
            item.nil("ShipmentNumberOfItems", None)
            item.nil("SupplierNumberOfItems", None)
            item.nil("ReportedNumberOfItems", line.reported)
            item.nil("RowPrice", None)
            item.req("InOrderLineId", line.system_id)
            item.nil("ParentInOrderLineId", None)
    return serialize(root)
