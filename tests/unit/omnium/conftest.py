"""Builders for the Omnium unit tests: a source, a connector without I/O, and order documents."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace
from typing import Any

import pytest

from connectors.base import ConnectorContext
from connectors.omnium import OmniumConnector
from router.domain import Source
from tests.support.connectors import make_source
from tests.support.omnium import EVENT_KEY, SECRET


def omnium_source(**settings: Any) -> Source:
    configured = {"base_url": "https://apitest.omnium.no", **settings}
    return make_source("omnium", configured, source_id=7, name="omnium-no", suffix="OM")


def make_connector(**settings: Any) -> OmniumConnector:
    context = ConnectorContext(
        source=omnium_source(**settings),
        credentials={"client_id": "cid-1", "client_secret": SECRET, "event_key": EVENT_KEY},
    )
    return OmniumConnector(context)


def address(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "firstName": "Ola",
        "lastName": "Nordmann",
        "line1": "Storgata 1",
        "line2": "Oppgang B",
        "postalCode": "0155",
        "city": "Oslo",
        "countryCode": "NO",
        "regionCode": "03",
        "phone": "+4722000000",
        "email": "ship@example.com",
    }
    base.update(changes)
    return base


def line(line_id: str = "1", code: str = "SKU-1", quantity: Any = 2, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "lineItemId": line_id,
        "code": code,
        "displayName": f"Product {code}",
        "quantity": quantity,
        "placedPrice": 499.0,
        "taxRate": 25,
    }
    base.update(changes)
    return base


def omnium_order(**changes: Any) -> dict[str, Any]:
    """Order 1001 with two shipments: shipment 1 (SKU-1 x2) to Oslo, shipment 2 (SKU-2 x1) to Bergen."""
    base: dict[str, Any] = {
        "id": "1001",
        "orderNumber": "1001",
        "orderType": "Online",
        "status": "New",
        "marketId": "NOR",
        "storeId": "WebShop",
        "customerId": "C-42",
        "customerName": "Ola Nordmann",
        "customerEmail": "ola@example.com",
        "customerPhone": "+4740000000",
        "billingCurrency": "NOK",
        "comment": "Leave at the door",
        "orderForm": {
            "lineItems": [line("1", "SKU-1", 2), line("2", "SKU-2", 1)],
            "shipments": [
                {
                    "shipmentId": "1",
                    "shippingMethodName": "Bring_SERVICEPAKKE",
                    "servicePointId": "SP-123",
                    "shippingTotal": 79.0,
                    "address": address(),
                    "lineItems": [line("1", "SKU-1", 2)],
                },
                {
                    "shipmentId": "2",
                    "shippingMethodName": "PostNord_MyPack",
                    "address": address(
                        firstName="Kari", lastName="Nordmann", line1="Bryggen 5", postalCode="5003", city="Bergen"
                    ),
                    "lineItems": [line("2", "SKU-2", 1)],
                },
            ],
            "shippingTotal": 99.0,
        },
        "created": "2026-02-17T07:23:07Z",
        "modified": "2026-02-17T07:23:07Z",
    }
    base.update(changes)
    return base


def with_shipment(doc: dict[str, Any], index: int = 0, **changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(doc)
    result["orderForm"]["shipments"][index].update(changes)
    return result


def encode(doc: object) -> bytes:
    return json.dumps(doc).encode()


BUILDERS: dict[str, Any] = {
    "secret": SECRET,
    "event_key": EVENT_KEY,
    "source": omnium_source,
    "connector": make_connector,
    "address": address,
    "line": line,
    "order": omnium_order,
    "with_shipment": with_shipment,
    "encode": encode,
}


@pytest.fixture
def om() -> SimpleNamespace:
    """The builders above, handed to tests as one object (`om.order(...)`)."""
    return SimpleNamespace(**BUILDERS)


@pytest.fixture
def connector() -> OmniumConnector:
    return make_connector(
        transporters={"Bring_SERVICEPAKKE": "BRING"},
        service_points={"SP-123": "BRING-SP-123"},
        order_types={"Online": "B2C"},
    )
