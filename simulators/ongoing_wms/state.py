"""One goods owner's whole state: orders, warehouse moves, stock and purchase orders behind one lock."""

from __future__ import annotations

from simulators.ongoing_wms.floor import Floor
from simulators.ongoing_wms.orders import OrderDesk
from simulators.ongoing_wms.purchasing import Purchasing
from simulators.ongoing_wms.stock import StockRoom
from simulators.ongoing_wms.store import OrderEvent, Rules, StockEvent, utc_now

__all__ = ["OrderEvent", "Rules", "StockEvent", "WmsState", "utc_now"]


class WmsState(OrderDesk, Floor, StockRoom, Purchasing):
    """Every operation on one goods owner; each base class holds one responsibility, all share one lock."""
