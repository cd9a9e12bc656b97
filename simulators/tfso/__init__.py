"""24SevenOffice SOAP simulator: Authenticate, InvoiceService, ProductService, CompanyService on loopback."""

from __future__ import annotations

from simulators.tfso.clock import SimClock
from simulators.tfso.operations import SESSION_FAULT
from simulators.tfso.records import (
    ORDER_STATES,
    Company,
    Invoice,
    InvoiceRow,
    PostalAddress,
    Product,
    RecordedCall,
    StatusChange,
    StockWrite,
)
from simulators.tfso.simulator import TfsoSimulator

__all__ = [
    "ORDER_STATES",
    "SESSION_FAULT",
    "Company",
    "Invoice",
    "InvoiceRow",
    "PostalAddress",
    "Product",
    "RecordedCall",
    "SimClock",
    "StatusChange",
    "StockWrite",
    "TfsoSimulator",
]
