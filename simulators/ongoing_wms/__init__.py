"""Ongoing WMS goods-owner SOAP API simulator (orders, articles, stock, fault knobs)."""

from __future__ import annotations

from simulators.ongoing_wms.faults import FaultKind, Faults
from simulators.ongoing_wms.records import Article, InventoryRow, Line, Order, RecordedRequest
from simulators.ongoing_wms.simulator import OngoingWmsSimulator

__all__ = [
    "Article",
    "FaultKind",
    "Faults",
    "InventoryRow",
    "Line",
    "OngoingWmsSimulator",
    "Order",
    "RecordedRequest",
]
