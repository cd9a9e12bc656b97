"""Fuzzing fixtures: one connector of every kind (no I/O) and a valid sample payload for each."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from connectors.base import Connector, ConnectorContext
from connectors.generic import GenericConnector
from connectors.omnium import OmniumConnector
from connectors.shopify import ShopifyConnector
from connectors.tfso import TfsoConnector
from connectors.woocommerce import WooCommerceConnector
from router.domain import Source
from tests.support import tfso
from tests.support.connectors import make_source


def source(kind: str, **settings: Any) -> Source:
    return make_source(kind, settings, name=f"{kind}-fuzz", suffix="FZ")


GENERIC_ORDER: dict[str, Any] = {
    "order_number": "5178",
    "lines": [{"article_number": "A-1", "quantity": 2, "unit_price": "99.50"}],
    "ship_to": {"name": "Anna", "address1": "Gatan 1", "postcode": "11122", "city": "Stockholm", "country_code": "SE"},
    "currency": "SEK",
}

SHOPIFY_ORDER: dict[str, Any] = {
    "id": 5223452934372,
    "name": "#1001",
    "order_number": 1001,
    "email": "kund@example.se",
    "created_at": "2026-02-17T08:23:07+01:00",
    "updated_at": "2026-02-17T08:25:00+01:00",
    "cancelled_at": None,
    "currency": "SEK",
    "line_items": [
        {"id": 466157049, "sku": "SKU-001", "name": "Hoodie - M", "quantity": 2, "price": "499.00"},
    ],
    "shipping_address": {
        "first_name": "Anna",
        "last_name": "Svensson",
        "name": "Anna Svensson",
        "address1": "Storgatan 1",
        "address2": "lgh 1102",
        "zip": "11122",
        "city": "Stockholm",
        "country_code": "SE",
        "phone": "+46701234567",
    },
    "shipping_lines": [{"code": "pn", "title": "PostNord", "price": "49.00"}],
}

WOO_ORDER: dict[str, Any] = {
    "id": 727,
    "number": "727",
    "status": "processing",
    "currency": "EUR",
    "date_modified_gmt": "2026-02-17T07:30:00",
    "billing": {"first_name": "Erika", "last_name": "M", "email": "erika@example.de", "country": "DE"},
    "shipping": {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "address_1": "Hauptstraße 5",
        "address_2": "3. OG",
        "city": "Berlin",
        "postcode": "10115",
        "country": "DE",
    },
    "line_items": [{"id": 315, "name": "Hoodie - M", "quantity": 2, "sku": "SKU-001", "price": 25}],
    "shipping_lines": [{"id": 1, "method_title": "DHL", "method_id": "flat_rate", "total": "4.90"}],
    "meta_data": [],
}


def _omnium_address(**changes: Any) -> dict[str, Any]:
    return {
        "firstName": "Ola",
        "lastName": "Nordmann",
        "line1": "Storgata 1",
        "postalCode": "0155",
        "city": "Oslo",
        "countryCode": "NO",
        **changes,
    }


OMNIUM_ORDER: dict[str, Any] = {
    "id": "1001",
    "orderNumber": "1001",
    "orderType": "Online",
    "status": "New",
    "customerName": "Ola Nordmann",
    "billingCurrency": "NOK",
    "orderForm": {
        "lineItems": [{"lineItemId": "1", "code": "SKU-1", "quantity": 2, "placedPrice": 499.0}],
        "shipments": [
            {
                "shipmentId": "1",
                "shippingMethodName": "Bring_SERVICEPAKKE",
                "address": _omnium_address(),
                "lineItems": [{"lineItemId": "1", "code": "SKU-1", "quantity": 2, "placedPrice": 499.0}],
            }
        ],
    },
    "created": "2026-02-17T07:23:07Z",
    "modified": "2026-02-17T07:23:07Z",
}

TFSO_ORDER: dict[str, Any] = {
    "OrderId": "10001",
    "CustomerId": "20002",
    "CustomerName": "Kunde AS",
    "Addresses": {
        "Delivery": {
            "Street": "Storgata 1\nBygg B",
            "PostalCode": "0155",
            "PostalArea": "OSLO",
            "Name": "Kunde AS Mottak",
            "Country": "NO",
        }
    },
    "OrderStatus": "Confirmed",
    "DateOrdered": "2024-03-01T08:30:00",
    "DateChanged": "2024-03-01T09:00:00.1234567",
    "Currency": {"Symbol": "NOK"},
    "TypeOfSaleId": "3",
    "InvoiceRows": [
        {"RowId": "11", "Price": "99.50", "Name": "Widget", "Quantity": "2", "Type": "Normal", "ProductNo": "W-1"},
        {"RowId": "12", "Name": "Takk", "Type": "Text"},
    ],
    "DeliveryMethod": {"Id": "4", "Description": "Bring"},
}


def tfso_document(order: Any) -> bytes:
    """The stored `PulledOrder` document the tfso connector normalizes (any generated data made XML-legal)."""
    return tfso.document(order, lenient=True)


def json_bytes(value: Any) -> bytes:
    return msgspec.json.encode(value)


class Kind(msgspec.Struct, frozen=True, kw_only=True):
    """One connector kind under fuzzing: the connector, a valid sample, how to encode it, which headers."""

    name: str
    connector: Any
    sample: dict[str, Any]
    encode: Callable[[Any], bytes]
    headers: tuple[dict[str, str], ...]

    def fresh_sample(self) -> dict[str, Any]:
        return copy.deepcopy(self.sample)


def make_kinds() -> dict[str, Kind]:
    omnium_context = ConnectorContext(
        source=source("omnium", base_url="https://apitest.omnium.no", order_types={"Online": "B2C"}),
        credentials={"client_id": "cid", "client_secret": "cs", "event_key": "ek"},
    )
    connectors: dict[str, Connector] = {
        "generic": GenericConnector(ConnectorContext(source=source("generic"))),
        "shopify": ShopifyConnector(
            ConnectorContext(
                source=source("shopify"), credentials={"access_token": "shpat_x", "webhook_secret": "shpss_x"}
            )
        ),
        "woocommerce": WooCommerceConnector(
            ConnectorContext(
                source=source("woocommerce"),
                credentials={"consumer_key": "ck", "consumer_secret": "cs", "webhook_secret": "ws"},
            )
        ),
        "omnium": OmniumConnector(omnium_context),
        "tfso": TfsoConnector(
            ConnectorContext(source=source("tfso", order_types={"3": "B2C"}, delivery_methods={"4": "BRING"}))
        ),
    }
    samples = {
        "generic": GENERIC_ORDER,
        "shopify": SHOPIFY_ORDER,
        "woocommerce": WOO_ORDER,
        "omnium": OMNIUM_ORDER,
        "tfso": TFSO_ORDER,
    }
    headers: dict[str, tuple[dict[str, str], ...]] = {
        "shopify": ({"X-Shopify-Topic": "orders/create"}, {"X-Shopify-Topic": "orders/cancelled"}, {}),
        "woocommerce": ({"X-WC-Webhook-Topic": "order.created"}, {"X-WC-Webhook-Topic": "order.deleted"}, {}),
        "omnium": ({"x-omnium-shipment-id": "1"}, {"x-omnium-shipment-id": ""}, {}),
    }
    return {
        name: Kind(
            name=name,
            connector=connector,
            sample=samples[name],
            encode=tfso_document if name == "tfso" else json_bytes,
            headers=headers.get(name, ({},)),
        )
        for name, connector in connectors.items()
    }


KINDS = make_kinds()


@pytest.fixture(params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> Kind:
    return KINDS[str(request.param)]
