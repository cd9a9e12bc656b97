"""Prometheus metrics of the router (one registry per process)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = [
    "DEAD_LETTERS",
    "EVENTS_CREATED",
    "EVENTS_DELIVERED",
    "FOREIGN_EVENTS_IGNORED",
    "INBOX_PAYLOADS",
    "ORDERS_INGESTED",
    "SHORT_ORDERS",
    "STOCK_PUSHES",
    "STOCK_SNAPSHOTS",
    "WMS_CALLS",
    "WMS_LATENCY",
]

ORDERS_INGESTED = Counter(
    "router_orders_ingested_total", "Orders taken in, by source and outcome.", ["source", "outcome"]
)
INBOX_PAYLOADS = Counter(
    "router_inbox_payloads_total", "Raw payloads received, by source and fate.", ["source", "fate"]
)
WMS_CALLS = Counter(
    "router_wms_dispatch_total", "Outbox jobs run against the WMS, by kind and outcome.", ["kind", "outcome"]
)
WMS_LATENCY = Histogram("router_wms_dispatch_seconds", "Time to run one WMS outbox job.", ["kind"])
DEAD_LETTERS = Counter("router_dead_letters_total", "Outbox rows that became dead letters.", ["kind"])
EVENTS_CREATED = Counter("router_events_created_total", "Warehouse events created for owning sources.", ["kind"])
EVENTS_DELIVERED = Counter("router_events_delivered_total", "Events sources accepted, by outcome.", ["kind", "outcome"])
FOREIGN_EVENTS_IGNORED = Counter(
    "router_foreign_events_ignored_total", "WMS order changes of orders the router did not create (ignored)."
)
SHORT_ORDERS = Counter(
    "router_short_orders_total", "Orders accepted with less stock available than ordered, by policy.", ["policy"]
)
STOCK_SNAPSHOTS = Counter("router_stock_snapshots_total", "WMS stock reads applied to the ledger, by kind.", ["kind"])
STOCK_PUSHES = Counter(
    "router_stock_pushes_total", "Stock pushes to sources, by outcome (pushed, unchanged, failed).", ["outcome"]
)
