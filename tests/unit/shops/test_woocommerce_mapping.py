from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from connectors.woocommerce import WooCommerceConnector
from router.domain import CanonicalOrder, Ignored, SourceCancellation
from router.errors import InputError
from tests.support.shops import canonical, normalize


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (lambda o: o.order_number, "727"),
        (lambda o: o.currency, "EUR"),
        (lambda o: o.customer_number, "12"),
        (lambda o: o.remark, "Ring twice"),
        (lambda o: o.freight_price, Decimal("4.90")),
        (lambda o: o.way_of_delivery, "DHL"),
        (lambda o: o.created_at, dt.datetime(2026, 2, 17, 7, 23, 7, tzinfo=dt.UTC)),
        (lambda o: o.lines[0].line_id, "315"),
        (lambda o: o.lines[0].article_number, "SKU-001"),
        (lambda o: o.lines[0].quantity, Decimal(2)),
        (lambda o: o.lines[0].unit_price, Decimal(25)),
        (lambda o: o.lines[0].article_name, "Hoodie - M"),
        (lambda o: o.ship_to.name, "Erika Mustermann"),
        (lambda o: o.ship_to.address1, "Hauptstraße 5"),
        (lambda o: o.ship_to.address2, "3. OG"),
        (lambda o: o.ship_to.address3, None),
        (lambda o: o.ship_to.postcode, "10115"),
        (lambda o: o.ship_to.city, "Berlin"),
        (lambda o: o.ship_to.state_code, "BE"),
        (lambda o: o.ship_to.country_code, "DE"),
        (lambda o: o.ship_to.phone, "+49401234"),  # shipping has none: billing's
        (lambda o: o.ship_to.email, "erika@example.de"),  # only billing has an email
    ],
)
def test_every_mapped_field(
    woo_connector: WooCommerceConnector, woo_order: dict[str, Any], read: Any, expected: object
) -> None:
    assert read(canonical(woo_connector, woo_order)) == expected


@pytest.mark.parametrize(
    ("path", "value", "read", "expected"),
    [
        ("shipping.phone", "+49301111", lambda o: o.ship_to.phone, "+49301111"),
        ("shipping.company", "ACME GmbH", lambda o: o.ship_to.address3, "ACME GmbH"),
        ("shipping.address_1", "", lambda o: (o.ship_to.address1, o.ship_to.city), ("Rechnungsweg 9", "Hamburg")),
        ("shipping", ..., lambda o: o.ship_to.postcode, "20095"),
        ("customer_id", 0, lambda o: o.customer_number, None),
        ("number", 9001, lambda o: o.order_number, "9001"),
        ("number", ..., lambda o: o.order_number, "727"),
        ("line_items.0.price", "25.50", lambda o: o.lines[0].unit_price, Decimal("25.50")),
        ("shipping_lines", [], lambda o: (o.freight_price, o.way_of_delivery), (None, None)),
    ],
)
def test_fallbacks(
    *,
    woo_connector: WooCommerceConnector,
    woo_order: dict[str, Any],
    change: Any,
    path: str,
    value: object,
    read: Any,
    expected: object,
) -> None:
    assert read(canonical(woo_connector, change(woo_order, path, value))) == expected


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("line_items.0.sku", "", "line_items[0].sku"),
        ("line_items.0.sku", ..., "line_items[0].sku"),
        ("line_items.0.sku", "SKU%1", "line_items[0].sku"),
        ("line_items.0.quantity", -1, "line_items[0].quantity"),
        ("line_items.0.quantity", 2.5, "line_items[0].quantity"),
        ("line_items.0.price", "Infinity", "line_items[0].price"),
        ("line_items", [], "line_items"),
        ("line_items", ..., "line_items"),
        ("shipping.address_1", "", "billing.address_1"),  # falls back to billing, which is checked
        ("shipping.postcode", "", "shipping.postcode"),
        ("shipping.city", None, "shipping.city"),
        ("shipping.country", "Germany", "shipping.country"),
        ("shipping.first_name", 5, "shipping.first_name"),
        ("shipping", "Hauptstraße 5, 10115 Berlin", "shipping"),
        ("currency", "euro", "currency"),
        ("status", ..., "status"),
        ("id", "727", "id"),
        ("number", "", "number"),
        ("shipping_lines.0.total", "x", "shipping_lines[0].total"),
    ],
)
def test_bad_input_names_the_field(
    *, woo_connector: WooCommerceConnector, woo_order: dict[str, Any], change: Any, path: str, value: object, field: str
) -> None:
    order = change(woo_order, path, value)
    if path == "shipping.address_1":
        order["billing"]["address_1"] = ""
    with pytest.raises(InputError) as caught:
        normalize(woo_connector, order)
    assert caught.value.field == field


def test_no_address_at_all_names_the_shipping_address(
    woo_connector: WooCommerceConnector, woo_order: dict[str, Any]
) -> None:
    del woo_order["shipping"], woo_order["billing"]
    with pytest.raises(InputError) as caught:
        normalize(woo_connector, woo_order)
    assert caught.value.field == "shipping"


@pytest.mark.parametrize("status", ["pending", "on-hold", "completed", "checkout-draft", "custom-status"])
def test_only_configured_statuses_are_imported(
    woo_connector: WooCommerceConnector, woo_order: dict[str, Any], status: str
) -> None:
    woo_order["status"] = status
    result = normalize(woo_connector, woo_order, "order.updated")
    assert isinstance(result, Ignored)
    assert "not imported" in result.reason


def test_import_statuses_are_a_setting(make_woo: Any, woo_order: dict[str, Any]) -> None:
    woo_order["status"] = "on-hold"
    assert isinstance(normalize(make_woo(import_statuses=["processing", "on-hold"]), woo_order), CanonicalOrder)
    with pytest.raises(InputError) as caught:
        make_woo(import_statuses=[])
    assert caught.value.field == "settings.import_statuses"


@pytest.mark.parametrize("status", ["cancelled", "refunded", "failed", "trash"])
def test_cancelled_statuses_are_a_source_cancellation(
    woo_connector: WooCommerceConnector, woo_order: dict[str, Any], status: str
) -> None:
    woo_order["status"] = status
    result = normalize(woo_connector, woo_order, "order.updated")
    assert result == SourceCancellation(order_numbers=("727",), reason=f"status {status} in WooCommerce")


def test_a_deleted_order_is_a_source_cancellation(woo_connector: WooCommerceConnector) -> None:
    result = woo_connector.normalize(b'{"id":727}', {"X-WC-Webhook-Topic": "order.deleted"})
    assert result == SourceCancellation(order_numbers=("727",), reason="deleted in WooCommerce")


def test_the_creation_ping_is_ignored(woo_connector: WooCommerceConnector) -> None:
    result = woo_connector.normalize(b"webhook_id=42", {"Content-Type": "application/x-www-form-urlencoded"})
    assert result == Ignored(reason="webhook 42 ping")
    assert woo_connector.dedup_key(b"webhook_id=42", {}) == "ping:42"


@pytest.mark.parametrize("topic", ["product.updated", "customer.created", "coupon.deleted", "action.woocommerce_x"])
def test_other_topics_are_ignored(woo_connector: WooCommerceConnector, topic: str) -> None:
    result = woo_connector.normalize(b"{}", {"x-wc-webhook-topic": topic})
    assert isinstance(result, Ignored)
    assert topic in result.reason


def test_the_topic_header_is_required(woo_connector: WooCommerceConnector, woo_order: dict[str, Any]) -> None:
    with pytest.raises(InputError) as caught:
        woo_connector.normalize(msgspec.json.encode(woo_order), {})
    assert caught.value.field == "headers.X-WC-Webhook-Topic"


def test_slash_escaped_bodies_as_wordpress_sends_them_decode(
    woo_connector: WooCommerceConnector, woo_order: dict[str, Any]
) -> None:
    woo_order["shipping"]["address_2"] = "c/o Muster"
    body = msgspec.json.encode(woo_order).replace(b"/", b"\\/")
    result = woo_connector.normalize(body, {"X-WC-Webhook-Topic": "order.created"})
    assert isinstance(result, CanonicalOrder)
    assert result.ship_to.address2 == "c/o Muster"


def test_dedup_key_is_the_order_id_its_modification_time_and_the_body_digest(
    woo_connector: WooCommerceConnector, woo_order: dict[str, Any]
) -> None:
    body = msgspec.json.encode(woo_order)
    key = woo_connector.dedup_key(body, {"X-WC-Webhook-Delivery-ID": "a"})
    assert key.startswith("727:2026-02-17T07:30:00:")
    assert woo_connector.dedup_key(body, {"X-WC-Webhook-Delivery-ID": "b"}) == key  # the delivery id plays no part
    woo_order["status"] = "cancelled"  # changed within the same second: date_modified alone would not tell
    assert woo_connector.dedup_key(msgspec.json.encode(woo_order), {}) != key
    woo_order["date_modified_gmt"] = "2026-02-17T07:31:00"
    assert woo_connector.dedup_key(msgspec.json.encode(woo_order), {}) != key
    assert woo_connector.dedup_key(b'{"id":727}', {"X-WC-Webhook-Topic": "order.deleted"}) == "727:deleted"
    with pytest.raises(InputError):
        woo_connector.dedup_key(b"{}", {})


def test_credentials_stay_out_of_reprs(woo_connector: WooCommerceConnector) -> None:
    assert "cs_unit" not in repr(woo_connector)
    assert "cs_unit" not in repr(woo_connector._credentials)
