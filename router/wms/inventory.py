"""Stock: GetInventoryByQuery and GetInventoryChanges requests, and their results as Structs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec

from router.wms._wire import decimal, field, items, text, timestamp, wire_time

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "WmsInventoryChange",
    "WmsStockLine",
    "inventory_changes_from_result",
    "inventory_changes_query",
    "inventory_query",
    "stock_line",
    "stock_lines_from_result",
]


class WmsStockLine(msgspec.Struct, frozen=True, kw_only=True):
    """One article's stock as the WMS reports it (`GetInventoryByQuery`), already off the wire.

    The SOAP API has no per-article change time; a reader that needs one uses the time its read started.
    """

    article_number: str
    article_name: str | None
    on_hand: Decimal  # physical (NumberOfItemsDecimal, else NumberOfItems)
    sellable: Decimal | None  # None when the server predates SellableNumberOfItems
    allocated: Decimal | None
    system_id: int | None = None  # Article.SystemId, the paging key
    booked: Decimal | None = None
    to_receive: Decimal | None = None
    last_in_at: dt.datetime | None = None  # LastInDate: the last goods reception


class WmsInventoryChange(msgspec.Struct, frozen=True, kw_only=True):
    """One stock adjustment outside the order flow (`GetInventoryChanges`), one per transaction."""

    article_number: str
    article_system_id: int | None
    quantity: Decimal  # signed
    at: dt.datetime | None
    inventory_id: int
    cause_code: str | None
    cause_name: str | None
    comment: str | None


def inventory_query(
    *,
    article_numbers: Sequence[str] = (),
    changed_since: dt.datetime | None = None,
    max_articles: int | None = None,
    system_id_from: int | None = None,
) -> dict[str, Any]:
    """Build the `GetInventoryQuery` argument; the paging pair is newer than the 2017 WSDL."""
    return {
        "ArticleNumbersToGet": {"string": list(article_numbers)} if article_numbers else None,
        "StockInfoChangedFrom": wire_time(changed_since),
        "MaxArticlesToGet": max_articles,
        "ArticleSystemIdFrom": system_id_from,
    }


def inventory_changes_query(
    from_time: dt.datetime | None, to_time: dt.datetime | None, *, inventory_id: int | None = None
) -> dict[str, Any]:
    """Build the `query` (InventoryChangesQuery) argument of GetInventoryChanges; unset filters are nil."""
    return {
        "FromDate": wire_time(from_time),
        "ToDate": wire_time(to_time),
        "InventoryId": inventory_id,
        "UnReported": None,
    }


def stock_line(line: Any) -> WmsStockLine:
    """One InventoryLine as a stock line; physical stock prefers the decimal field when present."""
    on_hand = decimal(field(line, "NumberOfItemsDecimal"), None)
    if on_hand is None:
        on_hand = decimal(field(line, "NumberOfItems")) or Decimal(0)
    system_id = field(line, "Article", "SystemId")
    return WmsStockLine(
        article_number=str(field(line, "Article", "ArticleNumber") or ""),
        article_name=text(field(line, "Article", "Name")),
        on_hand=on_hand,
        sellable=decimal(field(line, "SellableNumberOfItems"), None),
        allocated=decimal(field(line, "AllocatedNumberOfItems"), None),
        system_id=int(system_id) if system_id is not None else None,
        booked=decimal(field(line, "NumberOfBookedItems"), None),
        to_receive=decimal(field(line, "ToReceiveNumberOfItems"), None),
        last_in_at=timestamp(field(line, "LastInDate")),
    )


def stock_lines_from_result(result: Any) -> list[WmsStockLine]:
    """All lines of an InventoryResult."""
    return [stock_line(line) for line in items(field(result, "InventoryLines"), "InventoryLine")]


def _change(line: Any, transaction: Any) -> WmsInventoryChange:
    system_id = field(line, "Article", "SystemId")
    return WmsInventoryChange(
        article_number=str(field(line, "Article", "ArticleNumber") or ""),
        article_system_id=int(system_id) if system_id is not None else None,
        quantity=decimal(field(transaction, "InventoryChangesNumberOfItems")) or Decimal(0),
        at=timestamp(field(transaction, "InventoryTime")),
        inventory_id=int(field(transaction, "InventoryId") or 0),
        cause_code=text(field(transaction, "InventoryAdjustmentCauseCode")),
        cause_name=text(field(transaction, "InventoryAdjustmentCauseName")),
        comment=text(field(transaction, "Comment")),
    )


def inventory_changes_from_result(result: Any) -> list[WmsInventoryChange]:
    """Flatten an InventoryChangesResult to one change per transaction, in the server's order."""
    return [
        _change(line, transaction)
        for line in items(field(result, "InventoryChangeLines"), "InventoryChangeLine")
        for transaction in items(field(line, "InventoryTransactions"), "InventoryTransaction")
    ]
