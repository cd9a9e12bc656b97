"""Order response bodies in exactly the shape of the project's WSDL, every schema-required element included."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from simulators.ongoing_wms.soap import MIN_DATETIME, Writer, envelope, serialize

if TYPE_CHECKING:
    from simulators.ongoing_wms.records import Article, Line, Order, WriteResult

__all__ = ["TRACKING_URL_FIELD", "file_result", "orders_result", "update_lines_result", "write_article"]

# Where the tracking URL travels: the newer OrderInfo/Tracking object is not in the WSDL subset (its
# shape is undocumented), so the simulator puts the URL in OrderInfoType's FreeText3, and the router's
# mapping reads it from there (router/wms/results.py). A project convention, not Ongoing's.
TRACKING_URL_FIELD = "FreeText3"

_EU = frozenset(
    (
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    )
)


def file_result(operation: str, result: WriteResult) -> bytes:
    """ProcessOrder / ProcessArticle / ProcessInOrder → FileResultClass."""
    root, w = envelope(operation)
    w.opt("ErrorMessage", result.error)
    w.opt("GoodsOwnerOrderNumber", result.number)
    w.req("OrderId", result.order_id)
    w.req("InOrderId", result.in_order_id)
    w.nil("ArticleDefId", result.article_id)
    w.req("Success", result.success)
    w.opt("Message", result.error)
    return serialize(root)


def update_lines_result(result: WriteResult, operation: str = "UpdateOrderLines") -> bytes:
    """UpdateOrderLines → UpdateOrderLinesResult; UpdateInOrderLines → UpdateInOrderLinesResult."""
    root, w = envelope(operation)
    w.req("Success", result.success)
    w.opt("Message", result.error)
    if operation == "UpdateInOrderLines":
        w.nil("InOrderId", result.in_order_id or None)
    else:
        w.nil("OrderId", result.order_id or None)
    return serialize(root)


def write_article(w: Writer, article: Article | None, number: str, name: str | None) -> None:
    """Write an ArticleClass; an order line whose article is unknown still reports number and name."""
    a = w.node("Article")
    a.nil("SystemId", article.system_id if article else None)
    a.opt("Name", article.name if article and article.name else name)
    a.opt("ArticleNumber", number)
    if article is not None:
        a.opt("ProductCode", article.product_code)
        a.opt("BarCode", article.barcode)
        a.opt("Description", article.description)
        a.opt("StatisticsNumber", article.statistics_number)
        a.opt("CountryOfOriginCode", article.country_of_origin)
    a.req("IsStockArticle", article.is_stock_article if article else True)
    a.opt("ArticleUnitCode", article.unit_code if article else None)
    a.nil("VatPercent", None)
    a.nil("Length", article.length if article else None)
    a.nil("Width", article.width if article else None)
    a.nil("Height", article.height if article else None)
    a.nil("Price", article.price if article else None)
    a.nil("CustomerPrice", None)
    a.nil("PurchasePrice", article.purchase_price if article else None)
    a.nil("Weight", article.weight if article else None)
    a.nil("NetWeight", None)
    a.nil("Volume", article.volume if article else None)
    a.nil("QuantityPerPallet", None)
    a.nil("QuantityPerPackage", None)
    a.nil("ExternalNumberOfItems", None)


def _consignee(w: Writer, order: Order) -> None:
    c = order.consignee
    n = w.node("Consignee")
    n.req("Id", order.order_id)
    n.opt("Name", c.name)
    n.opt("Address", c.address)
    n.opt("Address2", c.address2)
    n.opt("Address3", c.address3)
    n.opt("PostCode", c.postcode)
    n.opt("City", c.city)
    n.opt("CountryCode", c.country_code)
    n.opt("CountryStateCode", c.state_code)
    n.req("IsEuCountry", (c.country_code or "").upper() in _EU)
    n.opt("TelePhone", c.phone)
    n.opt("MobilePhone", c.mobile)
    n.opt("Email", c.email)
    n.req("NotifyByEmail", c.notify_by_email)
    n.req("NotifyBySms", c.notify_by_sms)
    n.nil("NotifyByTelephone", False)  # noqa: FBT003 - an element value
    n.opt("CustomerNumber", c.customer_number)
    n.nil("AddressId", None)


def _order_info(w: Writer, order: Order, goods_owner: str) -> None:
    i = w.node("OrderInfo")
    i.req("OrderId", order.order_id)
    i.opt("ReferenceNumber", order.reference_number)
    i.opt("GoodsOwnerName", goods_owner)
    i.opt("GoodsOwnerOrderNumber", order.number)
    i.opt("SalesCode", order.sales_code)
    i.opt("OrderRemark", order.remark)
    i.opt("DeliveryInstruction", order.delivery_instruction)
    i.opt("WayOfDelivery", order.way_of_delivery)
    code, name = order.way_of_delivery_type or (None, None)
    i.opt("WayOfDeliveryTypeCode", code)
    i.opt("WayOfDeliveryTypeName", name)
    i.opt("OrderTypeCode", order.order_type)
    i.opt("OrderTypeName", order.order_type)
    i.req("PickUpDate", MIN_DATETIME)
    i.req("DeliveryDate", order.delivery_date or MIN_DATETIME)
    i.req("CreatedDate", order.created_at)
    i.req("ShippedTime", order.shipped_at or MIN_DATETIME)
    i.req("ArrivalDate", MIN_DATETIME)
    i.req("ArrivalDateFrom", MIN_DATETIME)
    i.req("PrintedTime", MIN_DATETIME)
    i.opt("WayBill", order.way_bill)
    i.nil("CustomerPrice", None)
    i.nil("FreightPrice", order.freight_price)
    i.req("OrderStatusNumber", order.status)
    i.opt("OrderStatusText", order.status_text)
    i.nil("TransporterServicePointId", None)
    i.opt("OrderServicePointCode", order.service_point_code)
    i.req("PickedNumberOfItems", sum((line.picked for line in order.lines), Decimal(0)))
    i.req("OrderedNumberOfItems", sum((line.ordered for line in order.lines), Decimal(0)))
    for element, flag, value in (
        ("EmailNotification", order.consignee.notify_by_email, order.consignee.email),
        ("TelephoneNotification", False, order.consignee.phone),
        ("SMSNotification", order.consignee.notify_by_sms, order.consignee.mobile),
    ):
        notify = i.node(element)
        notify.nil("ToBeNotified", flag)
        notify.opt("Value", value)
    i.nil("PickingPriority", None)
    i.nil("BackOrderForOrderId", None)
    i.opt(TRACKING_URL_FIELD, order.tracking_url)


def _line(w: Writer, order: Order, line: Line, articles: dict[str, Article]) -> None:
    p = w.node("PickedOrderLine")
    write_article(p, articles.get(line.article_number), line.article_number, line.article_name)
    p.req("OrderLineSystemId", line.system_id)
    p.nil("DeliveryDate", order.delivery_date)
    p.nil("LastPickingTime", order.picked_at if line.picked else None)
    p.nil("StartPickingTime", order.picked_at if line.picked else None)
    p.opt("OrderLineComment", line.comment)
    p.req("OrderedNumberOfItems", line.ordered)
    p.req("PickedNumberOfItems", line.picked)
    p.opt("ExternalOrderLineCode", line.code)
    p.nil("ParentOrderLineId", None)
    p.req("IsParentLine", False)  # noqa: FBT003 - an element value
    p.req("DoPick", True)  # noqa: FBT003 - an element value
    p.nil("RowPrice", line.customer_line_price)
    p.nil("LinePrice", line.line_price)
    p.nil("Discount", line.discount)
    p.nil("Length", None)
    p.nil("Width", None)
    p.nil("Height", None)
    p.opt("CurrencyCode", line.currency)
    p.nil("ReportedNumberOfItems", line.reported)
    p.req("AllocatedNumberOfItems", line.allocated)
    p.nil("AcknowledgedNumberOfItems", None)
    p.nil("ReportedReturnedNumberOfItems", line.reported_returned)  # newer than the 2017 WSDL
    p.nil("ReturnedNumberOfItems", line.returned)  # newer than the 2017 WSDL (name inferred)


def orders_result(orders: list[Order], articles: dict[str, Article], goods_owner: str, goods_owner_id: int) -> bytes:
    """GetOrdersByQuery → GetOrdersResult; no match is an empty `<Orders/>`, not a fault."""
    root, w = envelope("GetOrdersByQuery")
    listing = w.node("Orders")
    for order in orders:
        o = listing.node("Order")
        _consignee(o, order)
        owner = o.node("GoodsOwnerInfo")
        owner.req("Id", goods_owner_id)
        owner.opt("Name", goods_owner)
        owner.req("CountryId", 0)
        goods = o.node("GoodsInfo")
        for name in ("NumberOfGoodsItems", "NumberOfPackages", "SummedGoodsItemParcels"):
            goods.req(name, 0)
        for name in (
            "SummedGoodsItemWeight",
            "SummedGoodsItemVolume",
            "SummedGoodsItemLoadMeters",
            "SummedGoodsItemArea",
            "SummedArticleItemWeight",
            "SummedArticleItemVolume",
        ):
            goods.req(name, Decimal(0))
        _order_info(o, order, goods_owner)
        o.req("Success", True)  # noqa: FBT003 - an element value
        lines = o.node("PickedOrderLines")
        for line in order.lines:
            _line(lines, order, line, articles)
        if order.transporter_name or order.transporter_code:
            transporter = o.node("Transporter")
            transporter.opt("Name", order.transporter_name)
            transporter.opt("Code", order.transporter_code)
            transporter.req("Id", 1)
        o.req("ExternalSystemId", 0)
    return serialize(root)
