"""Handlers of the stock and article operations: GetInventoryByQuery, GetInventoryChanges, ProcessArticle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators.ongoing_wms import responses, stock_responses
from simulators.ongoing_wms.inputs import ArticleInput, ChangesQuery, InventoryQuery
from simulators.ongoing_wms.outcome import Outcome, read_outcome, write_outcome
from simulators.ongoing_wms.soap import boolean, child, children, datetime, decimal, integer, text

if TYPE_CHECKING:
    from lxml import etree

    from simulators.ongoing_wms.operations import Operations

__all__ = ["get_inventory", "get_inventory_changes", "process_article"]


def get_inventory(ops: Operations, el: etree._Element) -> Outcome:
    """GetInventoryByQuery → InventoryResult (ArticleNumbersToGet, StockInfoChangedFrom, newer paging)."""
    q = child(el, "GetInventoryQuery")
    numbers_el = child(q, "ArticleNumbersToGet")
    query = InventoryQuery(
        numbers=None if numbers_el is None else tuple(c.text or "" for c in children(numbers_el, "string")),
        changed_from=datetime(q, "StockInfoChangedFrom"),
        max_articles=integer(q, "MaxArticlesToGet"),
        system_id_from=integer(q, "ArticleSystemIdFrom"),
    )
    rows = ops.state.inventory(query)
    fields: dict[str, object] = {
        "articles": None if query.numbers is None else list(query.numbers),
        "changed_from": query.changed_from.isoformat() if query.changed_from else None,
        "max_articles": query.max_articles,
        "system_id_from": query.system_id_from,
        "found": [row.article.number for row in rows],
    }
    return read_outcome(stock_responses.inventory_result(rows, ops.goods_owner_id), fields)


def get_inventory_changes(ops: Operations, el: etree._Element) -> Outcome:
    """GetInventoryChanges → InventoryChangesResult (adjustments only, not the order flow)."""
    q = child(el, "query")
    query = ChangesQuery(
        from_date=datetime(q, "FromDate"),
        to_date=datetime(q, "ToDate"),
        inventory_id=integer(q, "InventoryId"),
        unreported=boolean(q, "UnReported"),
    )
    changes = ops.state.inventory_changes(query)
    fields: dict[str, object] = {
        "from": query.from_date.isoformat() if query.from_date else None,
        "to": query.to_date.isoformat() if query.to_date else None,
        "found": [article.number for article, _ in changes],
    }
    return read_outcome(stock_responses.inventory_changes_result(changes, ops.goods_owner_id), fields)


def process_article(ops: Operations, el: etree._Element) -> Outcome:
    """ProcessArticle → FileResultClass; an empty BarCode clears the barcode."""
    art = child(el, "art")
    request = ArticleInput(
        identification=text(art, "ArticleIdentification") or "",
        number=text(art, "ArticleNumber"),
        name=text(art, "ArticleName"),
        product_code=text(art, "ProductCode"),
        barcode=text(art, "BarCode"),
        description=text(art, "ArticleDescription"),
        unit_code=text(art, "ArticleUnitCode"),
        country_of_origin=text(art, "CountryOfOriginCode"),
        statistics_number=text(art, "StatisticsNumber"),
        weight=decimal(art, "Weight"),
        volume=decimal(art, "Volume"),
        length=decimal(art, "Length"),
        width=decimal(art, "Width"),
        height=decimal(art, "Height"),
        price=decimal(art, "Price"),
        purchase_price=decimal(art, "PurchasePrice"),
        is_stock_article=boolean(art, "IsStockArticle"),
        is_obsolete=boolean(art, "IsObsolete"),
    )
    result = ops.state.process_article(request)
    fields: dict[str, object] = {
        "article_number": request.number,
        "name": request.name,
        "barcode": request.barcode,
        "is_obsolete": request.is_obsolete,
    }
    return write_outcome(responses.file_result("ProcessArticle", result), result, fields)
