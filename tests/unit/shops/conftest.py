"""Builders for the shop connectors' unit tests: sources, connectors without HTTP, order payloads."""

from __future__ import annotations

import copy
from typing import Any

import msgspec
import pytest

from connectors.base import ConnectorContext
from connectors.shopify import ShopifyConnector
from connectors.woocommerce import WooCommerceConnector
from tests.support.connectors import make_source

SHOPIFY_SECRET = "shpss_unit-secret"
WOO_SECRET = "woo-unit-secret"


def shopify(**settings: Any) -> ShopifyConnector:
    credentials = {"access_token": "shpat_unit-token", "webhook_secret": SHOPIFY_SECRET}
    return ShopifyConnector(ConnectorContext(source=make_source("shopify", settings), credentials=credentials))


def woo(**settings: Any) -> WooCommerceConnector:
    credentials = {"consumer_key": "ck_unit", "consumer_secret": "cs_unit", "webhook_secret": WOO_SECRET}
    return WooCommerceConnector(ConnectorContext(source=make_source("woocommerce", settings), credentials=credentials))


SHOPIFY_ORDER: dict[str, Any] = {
    "id": 5223452934372,
    "admin_graphql_api_id": "gid://shopify/Order/5223452934372",
    "name": "#1001",
    "order_number": 1001,
    "email": "kund@example.se",
    "phone": "+46700000001",
    "created_at": "2026-02-17T08:23:07+01:00",
    "updated_at": "2026-02-17T08:25:00+01:00",
    "cancelled_at": None,
    "cancel_reason": None,
    "currency": "SEK",
    "total_price": "1047.00",
    "note": "Leave at the door",
    "line_items": [
        {
            "id": 466157049,
            "variant_id": 39072856,
            "sku": "SKU-001",
            "title": "Hoodie",
            "name": "Hoodie - M",
            "quantity": 2,
            "price": "499.00",
            "requires_shipping": True,
        }
    ],
    "shipping_address": {
        "first_name": "Anna",
        "last_name": "Svensson",
        "name": "Anna Svensson",
        "company": None,
        "address1": "Storgatan 1",
        "address2": "lgh 1102",
        "zip": "11122",
        "city": "Stockholm",
        "province_code": None,
        "country_code": "SE",
        "phone": "+46701234567",
    },
    "customer": {"id": 207119551, "email": "customer@example.se"},
    "shipping_lines": [{"code": "pn", "title": "PostNord", "price": "49.00"}],
}

WOO_ORDER: dict[str, Any] = {
    "id": 727,
    "number": "727",
    "status": "processing",
    "currency": "EUR",
    "date_created": "2026-02-17T08:23:07",
    "date_created_gmt": "2026-02-17T07:23:07",
    "date_modified": "2026-02-17T08:30:00",
    "date_modified_gmt": "2026-02-17T07:30:00",
    "customer_id": 12,
    "customer_note": "Ring twice",
    "billing": {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "company": "",
        "address_1": "Rechnungsweg 9",
        "address_2": "",
        "city": "Hamburg",
        "state": "",
        "postcode": "20095",
        "country": "DE",
        "email": "erika@example.de",
        "phone": "+49401234",
    },
    "shipping": {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "company": "",
        "address_1": "Hauptstraße 5",
        "address_2": "3. OG",
        "city": "Berlin",
        "state": "BE",
        "postcode": "10115",
        "country": "DE",
        "phone": "",
    },
    "line_items": [
        {
            "id": 315,
            "name": "Hoodie - M",
            "product_id": 93,
            "variation_id": 0,
            "quantity": 2,
            "sku": "SKU-001",
            "price": 25,
        }
    ],
    "shipping_lines": [{"id": 1, "method_title": "DHL", "method_id": "flat_rate", "total": "4.90"}],
    "meta_data": [],
}


def changed(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `base` with the dotted `path` (list indexes as numbers) set; `...` deletes it."""
    result = copy.deepcopy(base)
    *parents, last = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return result


def encode(payload: object) -> bytes:
    return msgspec.json.encode(payload)


@pytest.fixture
def shopify_connector() -> ShopifyConnector:
    return shopify()


@pytest.fixture
def woo_connector() -> WooCommerceConnector:
    return woo()


@pytest.fixture(params=["shopify", "woocommerce"])
def kind(request: pytest.FixtureRequest) -> str:
    """Each shop kind in turn."""
    return str(request.param)


@pytest.fixture
def connector(kind: str, shopify_connector: ShopifyConnector, woo_connector: WooCommerceConnector) -> Any:
    """The connector of `kind`."""
    return shopify_connector if kind == "shopify" else woo_connector


@pytest.fixture
def make_shopify() -> Any:
    """Build a Shopify connector with these settings."""
    return shopify


@pytest.fixture
def make_woo() -> Any:
    """Build a WooCommerce connector with these settings."""
    return woo


@pytest.fixture
def shopify_order() -> dict[str, Any]:
    return copy.deepcopy(SHOPIFY_ORDER)


@pytest.fixture
def woo_order() -> dict[str, Any]:
    return copy.deepcopy(WOO_ORDER)


@pytest.fixture
def change() -> Any:
    """`change(base, "a.0.b", value)`: a changed deep copy (`...` deletes the key)."""
    return changed


@pytest.fixture
def secrets() -> dict[str, str]:
    return {"shopify": SHOPIFY_SECRET, "woocommerce": WOO_SECRET}
