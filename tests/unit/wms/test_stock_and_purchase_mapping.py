"""Pure tests of the article, stock and purchase-order mapping for Ongoing WMS (no network)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import msgspec
from lxml import etree

from router.domain import ArticleUpdate
from router.wms import mapping

TNS = "{http://ongoingsystems.se/WSI}"

ns = SimpleNamespace  # a zeep result object, as far as the mapping can tell


def test_article_update_maps_to_the_wms_article_and_deactivation_clears_the_barcode() -> None:
    update = ArticleUpdate(
        article_number="A9",
        name="Teapot",
        barcode="7350000000011",
        country_of_origin="JP",
        statistics_number="73239100",
        weight=Decimal("1.2"),
    )
    active = mapping.article_from_update(update)
    assert (active.number, active.name, active.barcode, active.is_obsolete) == ("A9", "Teapot", "7350000000011", False)
    art = mapping.article_definition(active)
    assert (art["CountryOfOriginCode"], art["StatisticsNumber"], art["Weight"]) == ("JP", "73239100", Decimal("1.2"))

    gone = mapping.article_from_update(ArticleUpdate(article_number="A9", barcode="7350000000011", active=False))
    assert (gone.barcode, gone.is_obsolete, gone.name) == ("", True, None)


def test_inventory_query_carries_the_newer_paging_pair() -> None:
    query = mapping.inventory_query(max_articles=100, system_id_from=501)
    assert (query["MaxArticlesToGet"], query["ArticleSystemIdFrom"], query["ArticleNumbersToGet"]) == (100, 501, None)
    assert mapping.inventory_changes_query(None, None) == dict.fromkeys(
        ("FromDate", "ToDate", "InventoryId", "UnReported")
    )


def test_stock_line_carries_system_id_and_reception_figures() -> None:
    line = ns(
        Article=ns(ArticleNumber="A1", Name="Mug", SystemId=7),
        NumberOfItems=4,
        NumberOfBookedItems=3,
        ToReceiveNumberOfItems=Decimal(20),
        LastInDate=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        AllocatedNumberOfItems=Decimal(0),
    )
    stock = mapping.stock_line(line)
    assert (stock.system_id, stock.booked, stock.to_receive) == (7, Decimal(3), Decimal(20))
    assert stock.last_in_at == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def test_inventory_changes_flatten_to_one_change_per_transaction() -> None:
    at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)

    def transaction(qty: int, inventory_id: int) -> SimpleNamespace:
        return ns(
            InventoryChangesNumberOfItems=Decimal(qty),
            InventoryTime=at,
            InventoryId=inventory_id,
            Comment=None,
            InventoryAdjustmentCauseCode="counted",
            InventoryAdjustmentCauseName="Stocktaking",
        )

    result = ns(
        GoodsOwnerId=1,
        InventoryChangeLines=ns(
            InventoryChangeLine=[
                ns(
                    Article=ns(ArticleNumber="A1", SystemId=1),
                    InventoryChangesNumberOfItems=Decimal(1),
                    InventoryTransactions=ns(InventoryTransaction=[transaction(3, 1), None, transaction(-2, 2)]),
                ),
                ns(Article=ns(ArticleNumber="A2", SystemId=2), InventoryTransactions=None),
            ]
        ),
    )
    changes = mapping.inventory_changes_from_result(result)
    assert [(c.article_number, c.quantity, c.inventory_id, c.cause_code) for c in changes] == [
        ("A1", Decimal(3), 1, "counted"),
        ("A1", Decimal(-2), 2, "counted"),
    ]


def test_in_order_identifies_the_supplier_and_the_expected_date() -> None:
    po = mapping.WmsPurchaseOrder(
        number="PO-1-SE",
        lines=(mapping.WmsPurchaseOrderLine(line_id="1", article_number="A1", quantity=Decimal(5)),),
        supplier="S-1",
        expected_date=dt.date(2030, 2, 1),
    )
    co = mapping.in_order(po)
    assert co["InOrderInfo"]["InDate"] == dt.datetime(2030, 2, 1)  # noqa: DTZ001 - a calendar date
    assert co["InOrderSupplier"]["InOrderSupplierOperation"] == "Find"  # no name: only look the supplier up
    assert co["InOrderLines"]["InOrderLine"][0]["ExternalOrderLineCode"] == "1"
    named = mapping.in_order(msgspec.structs.replace(po, supplier_name="Kettle AB", supplier=None))
    assert (
        named["InOrderSupplier"]["InOrderSupplierIdentificationType"],
        named["InOrderSupplier"]["InOrderSupplierOperation"],
    ) == (
        "SupplierName",
        "CreateOrUpdate",
    )
    assert mapping.in_order(msgspec.structs.replace(po, supplier=None))["InOrderSupplier"] is None


def test_in_order_filters_leave_unset_filters_nil_and_name_the_unreported_filter() -> None:
    unset = mapping.in_order_filters()
    assert len(unset) == 11  # every element of InOrderFilters
    assert all(value is None for value in unset.values())
    special = mapping.in_order_filters(only_unreported=True)["InOrderSpecialFilters"]
    assert special == {"OnlyGetUnDeclaredInOrders": False, "OnlyWithInOrderLinesWithDiffingReceviedToReported": True}


def test_in_orders_from_result_maps_lines() -> None:
    received = ns(
        InOrderInfo=ns(
            InOrderId=5,
            GoodsOwnerOrderNumber="PO-1-SE",
            InOrderStatusNumber=300,
            InOrderStatusText="Partly received",
            LastReceivedTime=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        ),
        InOrderSupplier=ns(SupplierNumber="S-1"),
        ReceivedInOrderLines=ns(
            ReceivedInOrderLine=[
                ns(
                    ExternalOrderLineCode="1",
                    Article=ns(ArticleNumber="A1"),
                    AdvisedNumberOfItems=Decimal(5),
                    ReceivedNumberOfItems=Decimal(2),
                    ReportedNumberOfItems=None,
                    InOrderLineId=9,
                )
            ]
        ),
    )
    [status] = mapping.in_orders_from_result(ns(InOrders=ns(ReceivedInOrder=[received, None])))
    assert (status.in_order_id, status.number, status.status_number, status.supplier) == (5, "PO-1-SE", 300, "S-1")
    assert [(x.line_id, x.advised, x.received, x.reported, x.line_system_id) for x in status.lines] == [
        ("1", Decimal(5), Decimal(2), None, 9)
    ]
    assert mapping.in_orders_from_result(None) == []


def test_new_requests_build_against_the_projects_wsdl(message: Callable[..., etree._Element]) -> None:
    """zeep (strict) accepts every new request, and puts the newer fields where the subset declares them."""
    po = mapping.WmsPurchaseOrder(
        number="PO-1",
        lines=(mapping.WmsPurchaseOrderLine(line_id="1", article_number="A1", quantity=Decimal(5)),),
        supplier="S",
    )
    returned = message(
        "UpdateOrderLines", UpdateOrderLines=mapping.update_order_lines("1", reported_returned={"L1": Decimal(1)})
    )
    paged = message("GetInventoryByQuery", GetInventoryQuery=mapping.inventory_query(max_articles=5, system_id_from=3))
    messages = [
        message("ProcessInOrder", co=mapping.in_order(po)),
        message("ProcessInOrder", co=mapping.remove_in_order("PO-1")),
        message("GetInOrdersByQuery", query=mapping.in_order_filters(only_unreported=True)),
        message("UpdateInOrderLines", UpdateInOrderLines=mapping.update_in_order_lines("PO-1", {"1": Decimal(2)})),
        message("GetInventoryChanges", query=mapping.inventory_changes_query(None, None)),
        message(
            "ProcessArticle",
            art=mapping.article_definition(
                mapping.article_from_update(ArticleUpdate(article_number="A", active=False))
            ),
        ),
    ]
    assert returned.findtext(f".//{TNS}UpdateOrderLine/{TNS}ReportedReturnedNumberOfItems") == "1"
    assert returned.find(f".//{TNS}UpdateReportedNumberOfItems") is None
    assert [paged.findtext(f".//{TNS}MaxArticlesToGet"), paged.findtext(f".//{TNS}ArticleSystemIdFrom")] == ["5", "3"]
    assert [etree.QName(m[0][0]).localname for m in messages] == [
        "ProcessInOrder",
        "ProcessInOrder",
        "GetInOrdersByQuery",
        "UpdateInOrderLines",
        "GetInventoryChanges",
        "ProcessArticle",
    ]
    assert messages[5].findtext(f".//{TNS}BarCode") == ""
    assert messages[5].findtext(f".//{TNS}IsObsolete") == "true"
