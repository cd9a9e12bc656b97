"""Omnium OMS REST API simulator (orders, shipments, inventory, events, rate limits, fault knobs)."""

from __future__ import annotations

from simulators.omnium.clock import Clock, ManualClock, SystemClock
from simulators.omnium.events import Delivery, Subscription
from simulators.omnium.limits import RateLimits
from simulators.omnium.simulator import OmniumSimulator
from simulators.omnium.state import RecordedRequest
from simulators.omnium.wire import Address, Event, ExternalId, InventoryItem, LineItem, Order, OrderForm, Shipment

__all__ = [
    "Address",
    "Clock",
    "Delivery",
    "Event",
    "ExternalId",
    "InventoryItem",
    "LineItem",
    "ManualClock",
    "OmniumSimulator",
    "Order",
    "OrderForm",
    "RateLimits",
    "RecordedRequest",
    "Shipment",
    "Subscription",
    "SystemClock",
]
