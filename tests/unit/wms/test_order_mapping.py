"""Pure tests of the order mapping for Ongoing WMS, both ways, and the fan-back fields (no network)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from lxml import etree

from router.domain import Address, CanonicalOrder, OrderLine, RoutedOrder, WmsOrderLineStatus
from router.wms import mapping

TNS = "{http://ongoingsystems.se/WSI}"


def routed(**changes: Any) -> RoutedOrder:
    lines = changes.pop(
        "lines",
        (
            OrderLine(
                line_id="L1",
                article_number="A1",
                quantity=Decimal(3),
                article_name="Mug",
                unit_price=Decimal("10.50"),
                vat_percent=Decimal(25),
                discount=Decimal(5),
                comment="gift wrap",
            ),
            OrderLine(line_id="L2", article_number="A2", quantity=Decimal("1.5")),
        ),
    )
    ship_to = Address(
        name="Ada Lovelace",
        address1="Storgatan 1",
        address2="c/o Babbage",
        address3="Floor 3",
        postcode="111 22",
        city="Stockholm",
        country_code="SE",
        state_code="AB",
        phone="+4681234",
        mobile="+46700000000",
        email="ada@example.com",
    )
    order = CanonicalOrder(order_number="5178", lines=lines, ship_to=ship_to, currency="SEK", **changes)
    return RoutedOrder(wms_order_number="5178-SE", order_type="B2C", order=order)


def test_order_info_carries_number_operation_type_and_notification() -> None:
    co = mapping.customer_order(
        routed(remark="ring twice", freight_price=Decimal(49), notify_by_sms=True, service_point_code="SP1"),
        operation="Create",
    )
    info = co["OrderInfo"]

    assert (info["OrderIdentification"], info["OrderOperation"]) == ("GoodsOwnerOrderNumber", "Create")
    assert info["GoodsOwnerOrderNumber"] == "5178-SE"
    assert info["OrderType"] == {
        "OrderTypeOperation": "CreateOrFind",
        "OrderTypeIdentification": "OrderTypeCode",
        "OrderTypeCode": "B2C",
    }
    assert (info["OrderRemark"], info["FreightPrice"], info["OrderServicePointCode"]) == (
        "ring twice",
        Decimal(49),
        "SP1",
    )
    assert info["OrderNotification"] == {
        "Telephone": "+4681234",
        "MobilePhone": "+46700000000",
        "Email": "ada@example.com",
        "NotifyByEmail": False,
        "NotifyBySms": True,
        "NotifyByTelephone": False,
    }


def test_delivery_date_defaults_to_the_dotnet_minimum() -> None:
    assert mapping.customer_order(routed())["OrderInfo"]["DeliveryDate"] == dt.datetime(1, 1, 1)  # noqa: DTZ001
    dated = mapping.customer_order(routed(delivery_date=dt.date(2030, 5, 17)))
    assert dated["OrderInfo"]["DeliveryDate"] == dt.datetime(2030, 5, 17)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("customer_number", "identification"),
    [("C-42", "CustomerNumber"), (None, "FullNameAndAddress")],
)
def test_customer_is_split_and_identified(customer_number: str | None, identification: str) -> None:
    customer = mapping.customer_order(routed(customer_number=customer_number, notify_by_email=True))["Customer"]

    assert (customer["CustomerOperation"], customer["CustomerIdentification"]) == (
        "CreateOrUpdate",
        identification,
    )
    assert customer["CustomerNumber"] == customer_number
    assert [customer[k] for k in ("Name", "Address", "Address2", "Address3", "PostCode", "City")] == [
        "Ada Lovelace",
        "Storgatan 1",
        "c/o Babbage",
        "Floor 3",
        "111 22",
        "Stockholm",
    ]
    assert [customer[k] for k in ("CountryCode", "CountryStateCode", "TelePhone", "MobilePhone", "Email")] == [
        "SE",
        "AB",
        "+4681234",
        "+46700000000",
        "ada@example.com",
    ]
    assert [customer[k] for k in ("CustomerId", "DeliveryAddressId", "InvoiceAddressId")] == [
        None,
        None,
        None,
    ]
    assert [customer[k] for k in ("IsVisible", "NotifyBySMS", "NotifyByEmail", "NotifyByTelephone")] == [
        True,
        False,
        True,
        False,
    ]


def test_lines_carry_code_article_quantity_prices_and_vat() -> None:
    first, second = mapping.customer_order(routed())["CustomerOrderLines"]["CustomerOrderLine"]

    assert first == {
        "OrderLineIdentification": "ExternalOrderLineCode",
        "ArticleIdentification": "ArticleNumber",
        "SubOrderLineSpecification": None,
        "ExternalOrderLineCode": "L1",
        "OrderLineComment": "gift wrap",
        "ArticleNumber": "A1",
        "ArticleName": "Mug",
        "CustomerLinePrice": Decimal("31.50"),
        "LinePrice": Decimal("31.50"),
        "NumberOfItems": Decimal(3),
        "CurrencyCode": "SEK",
        "Discount": Decimal(5),
        "VatCode": {
            "VatCodeOperation": "Find",
            "VatCodeIdentification": "VatPercent",
            "VatPercent": Decimal(25),
        },
    }
    assert (second["NumberOfItems"], second["LinePrice"], second["CurrencyCode"], second["VatCode"]) == (
        Decimal("1.5"),
        None,
        None,
        None,
    )


def test_remove_sends_only_the_key_and_the_required_date() -> None:
    assert mapping.remove_order("9-SE") == {
        "OrderInfo": {
            "OrderIdentification": "GoodsOwnerOrderNumber",
            "OrderOperation": "Remove",
            "GoodsOwnerOrderNumber": "9-SE",
            "DeliveryDate": mapping.DOTNET_MIN_DATETIME,
        }
    }


def test_order_filters_leave_unset_filters_nil() -> None:
    since = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    filters = mapping.order_filters(numbers=["1-SE"], changed_since=since, status_from=300, only_lines_to_report=True)

    assert filters["OrderNumbersToGet"] == {"string": ["1-SE"]}
    assert (filters["LastUpdatedFrom"], filters["OrderStatusFrom"], filters["OrderStatusTo"]) == (
        since,
        300,
        None,
    )
    assert filters["OrderSpecialFilters"] == {"OnlyOrdersWithOrderLinesToReport": True}
    assert filters["OrderIdsToGet"] is None
    unset = mapping.order_filters()
    assert all(value is None for value in unset.values())
    assert len(unset) == 17  # every element of OrderFilters the subset declares


def test_update_order_lines_reports_per_line_code() -> None:
    argument = mapping.update_order_lines("1-SE", {"L1": Decimal(2), "L2": Decimal(0)})

    assert argument["UpdateOrderIdentification"]["GoodsOwnerOrderNumber"] == "1-SE"
    lines = argument["OrderLines"]["UpdateOrderLine"]
    assert [
        (line["UpdateOrderLineIdentification"]["ExternalOrderLineCode"], line["UpdateReportedNumberOfItems"])
        for line in lines
    ] == [("L1", {"ReportedNumberOfItems": Decimal(2)}), ("L2", {"ReportedNumberOfItems": Decimal(0)})]


def test_article_definition_is_keyed_on_the_number() -> None:
    art = mapping.article_definition(mapping.WmsArticle(number="A9", name="Teapot", barcode="", is_obsolete=True))

    assert (art["ArticleOperation"], art["ArticleIdentification"], art["ArticleNumber"]) == (
        "CreateOrUpdate",
        "ArticleNumber",
        "A9",
    )
    assert (art["ArticleName"], art["BarCode"], art["IsObsolete"], art["ArticleSystemId"]) == (
        "Teapot",
        "",
        True,
        None,
    )


def test_requests_build_against_the_projects_wsdl(message: Callable[..., etree._Element]) -> None:
    """zeep (strict) accepts every request the mapping builds: required elements present, names right."""
    messages = [
        message("ProcessOrder", co=mapping.customer_order(routed())),
        message("ProcessOrder", co=mapping.remove_order("1-SE")),
        message("GetOrdersByQuery", query=mapping.order_filters()),
        message("UpdateOrderLines", UpdateOrderLines=mapping.update_order_lines("1", {"L1": Decimal(1)})),
        message("GetInventoryByQuery", GetInventoryQuery=mapping.inventory_query()),
        message("ProcessArticle", art=mapping.article_definition(mapping.WmsArticle(number="A"))),
    ]
    first = messages[0]
    assert first.findtext(f".//{TNS}DeliveryDate") == "0001-01-01T00:00:00"
    assert (
        first.find(f".//{TNS}SubOrderLineSpecification").get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"
    )
    assert len(messages) == 6
    assert all(
        etree.QName(m[0][0]).localname
        in {"ProcessOrder", "GetOrdersByQuery", "UpdateOrderLines", "GetInventoryByQuery", "ProcessArticle"}
        for m in messages
    )


# --- wire -> domain ---------------------------------------------------------------------------------


def ns(**fields: Any) -> SimpleNamespace:
    return SimpleNamespace(**fields)


def wire_order(**info: Any) -> SimpleNamespace:
    line = ns(
        ExternalOrderLineCode="L1",
        Article=ns(ArticleNumber="A1"),
        OrderedNumberOfItems=Decimal(3),
        PickedNumberOfItems=Decimal(2),
        AllocatedNumberOfItems=Decimal(1),
        ReportedNumberOfItems=None,
    )
    defaults = {
        "OrderId": 1001,
        "GoodsOwnerOrderNumber": "5178-SE",
        "OrderStatusNumber": 400,
        "OrderStatusText": "Picked",
        "OrderTypeCode": "B2C",
        "WayBill": "",
    }
    return ns(OrderInfo=ns(**(defaults | info)), PickedOrderLines=ns(PickedOrderLine=[line, None]))


def test_order_status_maps_info_and_lines() -> None:
    status = mapping.order_status(wire_order(WayBill="WB-1"))

    assert (status.order_id, status.order_number, status.status_number, status.status_text) == (
        1001,
        "5178-SE",
        400,
        "Picked",
    )
    assert (status.order_type, status.way_bill) == ("B2C", "WB-1")
    assert status.lines == (
        WmsOrderLineStatus(
            line_id="L1",
            article_number="A1",
            ordered=Decimal(3),
            picked=Decimal(2),
            allocated=Decimal(1),
            reported=None,
        ),
    )


def test_empty_strings_become_none() -> None:
    status = mapping.order_status(wire_order(WayBill="", OrderTypeCode=None, OrderStatusText=""))
    assert (status.way_bill, status.order_type, status.status_text) == (None, None, None)


def test_orders_from_result_accepts_either_wrapping_level_and_nothing() -> None:
    array = ns(Order=[wire_order(), None])

    assert [o.order_id for o in mapping.orders_from_result(array)] == [1001]
    assert [o.order_id for o in mapping.orders_from_result(ns(Orders=array))] == [1001]
    assert mapping.orders_from_result(None) == []
    assert mapping.orders_from_result(ns(Orders=None)) == []


def test_stock_line_prefers_the_decimal_count_and_keeps_sellable_optional() -> None:
    newer = ns(
        Article=ns(ArticleNumber="A1", Name="Mug"),
        NumberOfItems=4,
        NumberOfItemsDecimal=Decimal("4.5"),
        SellableNumberOfItems=Decimal(-1),
        AllocatedNumberOfItems=Decimal(2),
    )
    older = ns(Article=ns(ArticleNumber="A2", Name=None), NumberOfItems=7, AllocatedNumberOfItems=None)

    lines = mapping.stock_lines_from_result(ns(InventoryLines=ns(InventoryLine=[newer, older]), GoodsOwnerId=1))

    assert [(s.article_number, s.article_name, s.on_hand, s.sellable, s.allocated) for s in lines] == [
        ("A1", "Mug", Decimal("4.5"), Decimal(-1), Decimal(2)),
        ("A2", None, Decimal(7), None, None),
    ]


# --- fan-back fields --------------------------------------------------------------------------------


def test_order_status_maps_returns_tracking_transporter_and_shipped_time() -> None:
    order = wire_order(
        WayBill="WB-1",
        FreeText3="https://track.example/WB-1",
        ShippedTime=dt.datetime(2030, 1, 2, 3, 4, 5),  # noqa: DTZ001 - zone-less on the wire: read as UTC
    )
    order.Transporter = ns(Name="PostNord", Code="PN")
    line = order.PickedOrderLines.PickedOrderLine[0]
    line.ReturnedNumberOfItems = Decimal(1)
    line.ReportedReturnedNumberOfItems = Decimal(0)

    status = mapping.order_status(order)

    assert (status.tracking_url, status.transporter, status.way_bill) == (
        "https://track.example/WB-1",
        "PostNord",
        "WB-1",
    )
    assert status.shipped_at == dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert (status.lines[0].returned, status.lines[0].reported_returned) == (Decimal(1), Decimal(0))
    assert status.updated_at is None  # OrderInfoType has no LastUpdated


@pytest.mark.parametrize("free_text", ["Leave at the door", "ftp://x/y", "https://", "", None])
def test_only_an_http_url_in_free_text_3_is_a_tracking_url(free_text: str | None) -> None:
    assert mapping.order_status(wire_order(FreeText3=free_text)).tracking_url is None


def test_unshipped_orders_and_older_servers_leave_the_new_fields_empty() -> None:
    status = mapping.order_status(wire_order(ShippedTime=dt.datetime(1, 1, 1)))  # noqa: DTZ001 - .NET MinValue
    assert (status.shipped_at, status.transporter, status.tracking_url) == (None, None, None)
    assert (status.lines[0].returned, status.lines[0].reported_returned) == (Decimal(0), None)
    code_only = wire_order()
    code_only.Transporter = ns(Name=None, Code="DHL")
    assert mapping.order_status(code_only).transporter == "DHL"


def test_update_order_lines_reports_returns_as_the_newer_field() -> None:
    both = mapping.update_order_lines(
        "1-SE", {"L1": Decimal(2)}, reported_returned={"L1": Decimal(1), "L2": Decimal(3)}
    )
    lines = both["OrderLines"]["UpdateOrderLine"]
    assert [line["UpdateOrderLineIdentification"]["ExternalOrderLineCode"] for line in lines] == ["L1", "L2"]
    assert lines[0]["UpdateReportedNumberOfItems"] == {"ReportedNumberOfItems": Decimal(2)}
    assert (lines[0]["ReportedReturnedNumberOfItems"], lines[1]["ReportedReturnedNumberOfItems"]) == (1, 3)
    assert "UpdateReportedNumberOfItems" not in lines[1]


def test_order_filters_send_aware_utc_bounds() -> None:
    naive = dt.datetime(2030, 1, 1, 12)  # noqa: DTZ001 - the mapping must take it as UTC
    stockholm = dt.datetime(2030, 1, 1, 14, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    filters = mapping.order_filters(changed_since=naive, changed_until=stockholm)
    assert filters["LastUpdatedFrom"] == dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
    assert filters["LastUpdatedTo"] == dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
    assert filters["LastUpdatedTo"].utcoffset() == dt.timedelta(0)
