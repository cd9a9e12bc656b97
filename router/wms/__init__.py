"""The Ongoing WMS client (zeep over httpx) and its wire-to-domain mapping."""

from __future__ import annotations

from router.wms.articles import WmsArticle, article_from_update
from router.wms.client import SERVICE_BINDING, OrdersPage, RawResponse, WmsClient
from router.wms.inventory import WmsInventoryChange, WmsStockLine
from router.wms.purchasing import (
    WmsInOrderLineStatus,
    WmsInOrderStatus,
    WmsPurchaseOrder,
    WmsPurchaseOrderLine,
)

__all__ = [
    "SERVICE_BINDING",
    "OrdersPage",
    "RawResponse",
    "WmsArticle",
    "WmsClient",
    "WmsInOrderLineStatus",
    "WmsInOrderStatus",
    "WmsInventoryChange",
    "WmsPurchaseOrder",
    "WmsPurchaseOrderLine",
    "WmsStockLine",
    "article_from_update",
]
