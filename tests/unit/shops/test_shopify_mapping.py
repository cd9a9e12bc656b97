from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from connectors.shopify import ShopifyConnector
from router.domain import CanonicalOrder, Ignored, SourceCancellation
from router.errors import InputError
from tests.support.shops import canonical, normalize


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (lambda o: o.order_number, "1001"),
        (lambda o: o.currency, "SEK"),
        (lambda o: o.customer_number, "207119551"),
        (lambda o: o.remark, "Leave at the door"),
        (lambda o: o.freight_price, Decimal("49.00")),
        (lambda o: o.way_of_delivery, "PostNord"),
        (lambda o: o.created_at, dt.datetime(2026, 2, 17, 7, 23, 7, tzinfo=dt.UTC)),
        (lambda o: o.lines[0].line_id, "466157049"),
        (lambda o: o.lines[0].article_number, "SKU-001"),
        (lambda o: o.lines[0].quantity, Decimal(2)),
        (lambda o: o.lines[0].unit_price, Decimal("499.00")),
        (lambda o: o.lines[0].article_name, "Hoodie - M"),
        (lambda o: o.ship_to.name, "Anna Svensson"),
        (lambda o: o.ship_to.address1, "Storgatan 1"),
        (lambda o: o.ship_to.address2, "lgh 1102"),
        (lambda o: o.ship_to.address3, None),
        (lambda o: o.ship_to.postcode, "11122"),
        (lambda o: o.ship_to.city, "Stockholm"),
        (lambda o: o.ship_to.country_code, "SE"),
        (lambda o: o.ship_to.phone, "+46701234567"),
        (lambda o: o.ship_to.email, "kund@example.se"),
    ],
)
def test_every_mapped_field(
    shopify_connector: ShopifyConnector, shopify_order: dict[str, Any], read: Any, expected: object
) -> None:
    assert read(canonical(shopify_connector, shopify_order)) == expected


@pytest.mark.parametrize(
    ("path", "value", "read", "expected"),
    [
        ("shipping_address.name", None, lambda o: o.ship_to.name, "Anna Svensson"),  # first + last
        ("shipping_address.company", "ACME AB", lambda o: o.ship_to.address3, "ACME AB"),
        ("shipping_address.phone", None, lambda o: o.ship_to.phone, "+46700000001"),  # the order's phone
        ("shipping_address.province_code", "AB", lambda o: o.ship_to.state_code, "AB"),
        ("email", None, lambda o: o.ship_to.email, "customer@example.se"),  # the customer's email
        ("customer", None, lambda o: o.customer_number, None),
        ("shipping_lines", [], lambda o: (o.freight_price, o.way_of_delivery), (None, None)),
        ("note", "  ", lambda o: o.remark, None),
        ("note", "x" * 5000, lambda o: len(o.remark or ""), 1000),
        ("line_items.0.name", None, lambda o: o.lines[0].article_name, "Hoodie"),  # the title
    ],
)
def test_fallbacks(
    *,
    shopify_connector: ShopifyConnector,
    shopify_order: dict[str, Any],
    change: Any,
    path: str,
    value: object,
    read: Any,
    expected: object,
) -> None:
    assert read(canonical(shopify_connector, change(shopify_order, path, value))) == expected


def test_a_company_without_a_person_is_the_name(
    shopify_connector: ShopifyConnector, shopify_order: dict[str, Any]
) -> None:
    address = shopify_order["shipping_address"]
    address.update(name=None, first_name=None, last_name=None, company="ACME AB")
    result = canonical(shopify_connector, shopify_order)
    assert (result.ship_to.name, result.ship_to.address3) == ("ACME AB", None)


def test_lines_that_need_no_shipping_are_left_out(
    shopify_connector: ShopifyConnector, shopify_order: dict[str, Any]
) -> None:
    gift_card = {"id": 1, "sku": None, "quantity": 1, "price": "100.00", "requires_shipping": False}
    shopify_order["line_items"].append(gift_card)
    assert [line.line_id for line in canonical(shopify_connector, shopify_order).lines] == ["466157049"]
    shopify_order["line_items"] = [gift_card]
    result = normalize(shopify_connector, shopify_order)
    assert isinstance(result, Ignored)
    assert "no line that requires shipping" in result.reason


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("line_items.0.sku", None, "line_items[0].sku"),
        ("line_items.0.sku", "", "line_items[0].sku"),
        ("line_items.0.sku", "SKU_1", "line_items[0].sku"),
        ("line_items.0.sku", ..., "line_items[0].sku"),
        ("line_items.0.quantity", 0, "line_items[0].quantity"),
        ("line_items.0.quantity", "2", "line_items[0].quantity"),
        ("line_items.0.price", "NaN", "line_items[0].price"),
        ("line_items.0.price", "abc", "line_items[0].price"),
        ("line_items.0.id", ..., "line_items[0].id"),
        ("line_items", [], "line_items"),
        ("line_items", ..., "line_items"),
        ("shipping_address", None, "shipping_address"),
        ("shipping_address", "Storgatan 1, 11122 Stockholm", "shipping_address"),
        ("shipping_address.address1", "", "shipping_address.address1"),
        ("shipping_address.zip", None, "shipping_address.zip"),
        ("shipping_address.city", " ", "shipping_address.city"),
        ("shipping_address.country_code", "XX", "shipping_address.country_code"),
        ("shipping_address.country_code", None, "shipping_address.country_code"),
        ("shipping_address.address1", "x" * 201, "shipping_address.address1"),
        ("currency", "kronor", "currency"),
        ("order_number", 0, "order_number"),
        ("order_number", "1001", "order_number"),
        ("id", ..., "id"),
        ("shipping_lines.0.price", "1e999", "shipping_lines[0].price"),
    ],
)
def test_bad_input_names_the_field(
    *,
    shopify_connector: ShopifyConnector,
    shopify_order: dict[str, Any],
    change: Any,
    path: str,
    value: object,
    field: str,
) -> None:
    with pytest.raises(InputError) as caught:
        normalize(shopify_connector, change(shopify_order, path, value))
    assert caught.value.field == field


def test_a_person_less_address_without_company_names_the_name(
    shopify_connector: ShopifyConnector, shopify_order: dict[str, Any]
) -> None:
    shopify_order["shipping_address"].update(name="", first_name=None, last_name=None, company=None)
    with pytest.raises(InputError) as caught:
        normalize(shopify_connector, shopify_order)
    assert caught.value.field == "shipping_address.name"


def test_a_line_item_id_used_twice_is_refused(
    shopify_connector: ShopifyConnector, shopify_order: dict[str, Any]
) -> None:
    shopify_order["line_items"].append(dict(shopify_order["line_items"][0]))
    with pytest.raises(InputError) as caught:
        normalize(shopify_connector, shopify_order)
    assert caught.value.field == "line_items[1].id"


@pytest.mark.parametrize("topic", ["orders/create", "orders/updated"])
def test_a_cancelled_order_is_a_source_cancellation(
    shopify_connector: ShopifyConnector, shopify_order: dict[str, Any], topic: str
) -> None:
    shopify_order.update(cancelled_at="2026-02-17T09:00:00+01:00", cancel_reason="customer")
    result = normalize(shopify_connector, shopify_order, topic)
    assert isinstance(result, SourceCancellation)
    assert result.order_numbers == ("1001",)
    assert "customer" in (result.reason or "")


def test_the_cancelled_topic_is_a_cancellation_even_before_cancelled_at_shows(
    shopify_connector: ShopifyConnector, shopify_order: dict[str, Any]
) -> None:
    result = normalize(shopify_connector, shopify_order, "orders/cancelled")
    assert result == SourceCancellation(order_numbers=("1001",), reason="cancelled in Shopify (no reason given)")


@pytest.mark.parametrize("topic", ["orders/paid", "products/update", "app/uninstalled"])
def test_other_topics_are_ignored_without_reading_the_body(shopify_connector: ShopifyConnector, topic: str) -> None:
    result = shopify_connector.normalize(b"not even json", {"X-Shopify-Topic": topic})
    assert isinstance(result, Ignored)
    assert topic in result.reason


def test_the_topic_header_is_required_and_found_in_any_letter_case(
    shopify_connector: ShopifyConnector, shopify_order: dict[str, Any]
) -> None:
    body = msgspec.json.encode(shopify_order)
    with pytest.raises(InputError) as caught:
        shopify_connector.normalize(body, {})
    assert caught.value.field == "headers.X-Shopify-Topic"
    assert isinstance(shopify_connector.normalize(body, {"x-shopify-topic": "orders/create"}), CanonicalOrder)


def test_dedup_key_is_the_webhook_id_and_the_order_id(
    shopify_connector: ShopifyConnector, shopify_order: dict[str, Any]
) -> None:
    body = msgspec.json.encode(shopify_order)
    key = shopify_connector.dedup_key(body, {"X-Shopify-Webhook-Id": "b54557e4-bdd9"})
    assert key == "b54557e4-bdd9:5223452934372"
    assert shopify_connector.dedup_key(body, {"x-shopify-webhook-id": "other"}) != key
    pulled = shopify_connector.dedup_key(body, {})
    assert pulled.startswith("pull:5223452934372:")
    assert shopify_connector.dedup_key(body, {}) == pulled
    with pytest.raises(InputError):
        shopify_connector.dedup_key(b"[]", {})


def test_settings_are_validated_naming_the_field(make_shopify: Any) -> None:
    with pytest.raises(InputError) as caught:
        make_shopify(api_version="latest")
    assert caught.value.field == "settings.api_version"
    with pytest.raises(InputError) as caught:
        make_shopify(rate_limit_per_second=0)
    assert caught.value.field == "settings.rate_limit_per_second"


def test_credentials_stay_out_of_reprs(shopify_connector: ShopifyConnector) -> None:
    assert "shpat_unit-token" not in repr(shopify_connector)
    assert "shpss" not in repr(shopify_connector._credentials)
