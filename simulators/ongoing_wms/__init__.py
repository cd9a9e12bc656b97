"""Ongoing WMS goods-owner SOAP API simulator (orders, stock, articles, purchase orders, webhooks, faults)."""

from __future__ import annotations

from simulators.ongoing_wms.faults import FaultKind, Faults
from simulators.ongoing_wms.records import (
    Article,
    InLine,
    InOrder,
    InventoryRow,
    InventoryTransaction,
    Line,
    Order,
    RecordedRequest,
)
from simulators.ongoing_wms.simulator import OngoingWmsSimulator
from simulators.ongoing_wms.webhooks import WebhookDelivery, Webhooks

__all__ = [
    "Article",
    "FaultKind",
    "Faults",
    "InLine",
    "InOrder",
    "InventoryRow",
    "InventoryTransaction",
    "Line",
    "OngoingWmsSimulator",
    "Order",
    "RecordedRequest",
    "WebhookDelivery",
    "Webhooks",
]
