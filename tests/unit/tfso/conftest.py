"""Shared helpers for the tfso unit tests: build stored order documents the way `pull` stores them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from connectors.base import ConnectorContext
from connectors.tfso import TfsoConnector
from tests.support import tfso


def base_order(**changes: Any) -> dict[str, Any]:
    """A complete Confirmed order as GetInvoices returns it (WSDL order)."""
    order: dict[str, Any] = {
        "OrderId": "10001",
        "CustomerId": "20002",
        "CustomerName": "Kunde AS",
        "CustomerDeliveryName": "Kunde AS Lager",
        "CustomerDeliveryPhone": "+47 22 00 00 00",
        "Addresses": {
            "Delivery": {
                "Street": "Storgata 1\nBygg B\nPorten til venstre",
                "State": "Oslo fylke",
                "PostalCode": "0155",
                "PostalArea": "OSLO",
                "Name": "Kunde AS Mottak",
                "Country": "NO",
            },
            "Invoice": {"Street": "Fakturaveien 2", "PostalCode": "0150", "PostalArea": "OSLO", "Country": "NO"},
        },
        "OrderStatus": "Confirmed",
        "DateOrdered": "2024-03-01T08:30:00",
        "DateChanged": "2024-03-01T09:00:00.1234567",
        "IncludeVAT": None,
        "YourReference": "Ola",
        "InvoiceTitle": "Ordre 5178",
        "InvoiceText": "Ring før levering",
        "Currency": {"Symbol": "NOK"},
        "TypeOfSaleId": "3",
        "InvoiceEmailAddress": "faktura@kunde.no",
        "InvoiceRows": [
            {
                "ProductId": "7",
                "RowId": "11",
                "VatRate": "25",
                "Price": "99.50",
                "Name": "Widget",
                "DiscountRate": "10",
                "Quantity": "2",
                "Type": "Normal",
                "ProductNo": "W-1",
            },
            {"RowId": "12", "Name": "Takk for handelen", "Type": "Text"},
        ],
        "DeliveryDate": "2024-03-05T00:00:00",
        "ReferenceNumber": "REF-77",
        "DeliveryMethod": {"Id": "4", "Description": "Bring"},
        "DeliveryAlternative": "Leveres bakdør",
    }
    order.update(changes)
    return order


def document(order: dict[str, Any] | None = None, company: dict[str, Any] | None = None) -> bytes:
    """The stored `PulledOrder` document for an order (the base order unless told) and optional Company."""
    return tfso.document(order if order is not None else base_order(), company)


def make_connector(**settings: Any) -> TfsoConnector:
    return TfsoConnector(ConnectorContext(source=tfso.erp_source(settings, has_credentials=False)))


@pytest.fixture
def connector() -> TfsoConnector:
    return make_connector(order_types={"3": "B2C"}, delivery_methods={"4": "BRING"})


@pytest.fixture
def docs() -> SimpleNamespace:
    """What the tests build documents and connectors with."""
    return SimpleNamespace(order=base_order, document=document, connector=make_connector, element=tfso.element)
