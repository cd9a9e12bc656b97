"""Stock response bodies (GetInventoryByQuery, GetInventoryChanges) in exactly the WSDL subset's shape."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from simulators.ongoing_wms.responses import write_article
from simulators.ongoing_wms.soap import envelope, serialize

if TYPE_CHECKING:
    from simulators.ongoing_wms.records import Article, InventoryRow, InventoryTransaction

__all__ = ["inventory_changes_result", "inventory_result"]


def inventory_result(rows: list[InventoryRow], goods_owner_id: int) -> bytes:
    """GetInventoryByQuery → InventoryResult, with the newer sellable and decimal stock fields."""
    root, w = envelope("GetInventoryByQuery")
    listing = w.node("InventoryLines")
    for row in rows:
        line = listing.node("InventoryLine")
        write_article(line, row.article, row.article.number, row.article.name)
        line.req("NumberOfBookedItems", int(row.booked))
        line.req("NumberOfItems", int(row.on_hand))
        line.req("NumberOfLockedItems", Decimal(0))
        line.nil("LastInDate", row.article.last_in_at)
        line.req("ToReceiveNumberOfItems", row.to_receive)
        line.opt("AllocatedNumberOfItems", row.allocated)
        line.opt("SellableNumberOfItems", row.sellable)
        line.opt("NumberOfItemsDecimal", row.on_hand)
    w.req("GoodsOwnerId", goods_owner_id)
    return serialize(root)


def inventory_changes_result(changes: list[tuple[Article, list[InventoryTransaction]]], goods_owner_id: int) -> bytes:
    """GetInventoryChanges → InventoryChangesResult: per article the summed change and its transactions."""
    root, w = envelope("GetInventoryChanges")
    w.req("GoodsOwnerId", goods_owner_id)
    listing = w.node("InventoryChangeLines")
    for article, transactions in changes:
        line = listing.node("InventoryChangeLine")
        write_article(line, article, article.number, article.name)
        line.req("InventoryChangesNumberOfItems", sum((t.quantity for t in transactions), Decimal(0)))
        items = line.node("InventoryTransactions")
        for transaction in transactions:
            t = items.node("InventoryTransaction")
            t.req("InventoryChangesNumberOfItems", transaction.quantity)
            t.req("InventoryTime", transaction.at)
            t.req("InventoryId", transaction.inventory_id)
            t.opt("Comment", transaction.comment)
            t.req("LocationIsLocked", False)  # noqa: FBT003 - an element value
            t.opt("InventoryAdjustmentCauseCode", transaction.cause_code)
            t.opt("InventoryAdjustmentCauseName", transaction.cause_name)
    return serialize(root)
