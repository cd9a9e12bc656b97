"""Shared helpers for the tfso unit tests: build stored order documents the way `pull` stores them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from lxml import etree

from connectors.base import ConnectorContext
from connectors.tfso import TfsoConnector
from connectors.tfso.document import build_document
from router.domain import Source

TNS = "http://24sevenOffice.com/webservices"


def element(name: str, value: Any) -> etree._Element:
    """`{TNS}name` from a value: dicts are children in order, lists repeat `item`, None is xsi:nil."""
    el = etree.Element(f"{{{TNS}}}{name}", nsmap={None: TNS})
    _fill(el, value)
    return el


def _fill(el: etree._Element, value: Any) -> None:
    if value is None:
        el.set("{http://www.w3.org/2001/XMLSchema-instance}nil", "true")
    elif isinstance(value, dict):
        for key, child in value.items():
            _fill(etree.SubElement(el, f"{{{TNS}}}{key}"), child)
    elif isinstance(value, list):
        item = "InvoiceRow" if etree.QName(el).localname == "InvoiceRows" else "item"
        for child in value:
            _fill(etree.SubElement(el, f"{{{TNS}}}{item}"), child)
    else:
        el.text = str(value)


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
    """The stored `PulledOrder` document for an order (and optional Company)."""
    return build_document(
        element("InvoiceOrder", order if order is not None else base_order()),
        element("Company", company) if company is not None else None,
    )


def make_connector(**settings: Any) -> TfsoConnector:
    source = Source(
        id=1,
        name="erp",
        kind="tfso",
        suffix="NO",
        order_type="B2B",
        is_article_master=False,
        enabled=True,
        settings=settings,
        has_credentials=False,
        created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    return TfsoConnector(ConnectorContext(source=source))


@pytest.fixture
def connector() -> TfsoConnector:
    return make_connector(order_types={"3": "B2C"}, delivery_methods={"4": "BRING"})


class Docs:
    """What the tests build documents and connectors with (test modules cannot import this conftest)."""

    order = staticmethod(base_order)
    document = staticmethod(document)
    connector = staticmethod(make_connector)
    element = staticmethod(element)


@pytest.fixture
def docs() -> type[Docs]:
    return Docs
