"""The Ongoing WMS client (zeep over httpx) and its wire-to-domain mapping."""

from __future__ import annotations

from router.wms.client import SERVICE_BINDING, RawResponse, WmsClient
from router.wms.mapping import WmsArticle
from router.wms.results import WmsStockLine

__all__ = ["SERVICE_BINDING", "RawResponse", "WmsArticle", "WmsClient", "WmsStockLine"]
