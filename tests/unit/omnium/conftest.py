"""Builders for the Omnium unit tests: a source, a connector without I/O, and order documents."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from connectors.base import ConnectorContext
from connectors.omnium import OmniumConnector
from router.domain import Source

SECRET = "cs-Omn1um-never-in-logs"
EVENT_KEY = "ek-hook-Zz9"


def make_source(**settings: Any) -> Source:
    return Source(
        id=7,
        name="omnium-no",
        kind="omnium",
        suffix="OM",
        order_type="B2C",
        is_article_master=False,
        enabled=True,
        settings={"base_url": "https://apitest.omnium.no", **settings},
        has_credentials=True,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def make_connector(**settings: Any) -> OmniumConnector:
    context = ConnectorContext(
        source=make_source(**settings),
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


class Builders:
    """The builders above, handed to tests as a fixture (test modules cannot import each other)."""

    secret = SECRET
    event_key = EVENT_KEY
    source = staticmethod(make_source)
    connector = staticmethod(make_connector)
    address = staticmethod(address)
    line = staticmethod(line)
    order = staticmethod(omnium_order)
    with_shipment = staticmethod(with_shipment)
    encode = staticmethod(encode)


@pytest.fixture
def om() -> type[Builders]:
    return Builders


@pytest.fixture
def connector() -> OmniumConnector:
    return make_connector(
        transporters={"Bring_SERVICEPAKKE": "BRING"},
        service_points={"SP-123": "BRING-SP-123"},
        order_types={"Online": "B2C"},
    )
