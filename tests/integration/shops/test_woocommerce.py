from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

import httpx
import pytest

from router.domain import CanonicalOrder, EventKind, Ignored, StockTarget
from router.errors import AuthenticationFailed, FatalUpstreamError, RetriableUpstreamError
from simulators.woocommerce import LineSpec, WooCommerceSimulator
from tests.support.connectors import pull_all, warehouse_event

HOOK_SECRET = "woo-webhook-secret"
CONSUMER_SECRET = "cs_integration-never-logged"
event = functools.partial(warehouse_event, suffix="EU")


# --- webhooks ---------------------------------------------------------------------------------------


async def test_creating_a_webhook_pings_it_and_the_ping_is_ignored(
    site: WooCommerceSimulator, receiver: Any, make_woo: Any
) -> None:
    webhook = site.add_webhook("order.created", receiver.url, secret=HOOK_SECRET)
    [ping] = receiver.wait_for(1)
    assert ping.body == f"webhook_id={webhook.id}".encode()
    assert "x-wc-webhook-signature" not in ping.headers
    connector = make_woo()
    await connector.verify(ping.body, ping.headers)
    assert connector.normalize(ping.body, ping.headers) == Ignored(reason=f"webhook {webhook.id} ping")


async def test_a_webhook_whose_ping_does_not_get_200_is_not_saved(
    site: WooCommerceSimulator, receiver: Any, http: httpx.AsyncClient
) -> None:
    receiver.statuses.append(201)  # anything but exactly 200 fails the ping
    answer = await http.post(
        f"{site.url}/wp-json/wc/v3/webhooks",
        json={"topic": "order.created", "delivery_url": receiver.url, "secret": HOOK_SECRET},
        auth=("ck_integration", CONSUMER_SECRET),
    )
    assert answer.status_code == 400
    assert "response code: 201" in answer.json()["message"]
    assert site.webhooks.webhooks == {}


async def test_created_and_updated_deliveries_verify_normalize_and_share_a_dedup_key(
    site: WooCommerceSimulator, receiver: Any, make_woo: Any
) -> None:
    site.add_webhook("order.created", receiver.url, secret=HOOK_SECRET)
    site.add_webhook("order.updated", receiver.url, secret=HOOK_SECRET)
    shipping = {
        "first_name": "Jo",
        "last_name": "Doe",
        "address_1": "Rue 1/3",
        "postcode": "75001",
        "city": "Paris",
        "country": "FR",
    }
    order = site.create_order([LineSpec(sku="SKU-1", quantity=2)], updates_after=2, shipping=shipping)
    hooks = receiver.wait_for(5)[2:]  # after the two pings
    connector = make_woo()
    assert [h.headers["x-wc-webhook-topic"] for h in hooks] == ["order.created", "order.updated", "order.updated"]
    assert b"Rue 1\\/3" in hooks[0].body  # WordPress escapes slashes; the signature covers the exact bytes
    for hook in hooks:
        await connector.verify(hook.body, hook.headers)
        result = connector.normalize(hook.body, hook.headers)
        assert isinstance(result, CanonicalOrder)
        assert result.order_number == str(order["id"])
        assert result.ship_to.address1 == "Rue 1/3"
        assert hook.headers["x-wc-webhook-resource"] == "order"
        assert hook.headers["x-wc-webhook-source"] == f"{site.url}/"
    assert len({connector.dedup_key(h.body, h.headers) for h in hooks}) == 1


async def test_delivery_knobs(site: WooCommerceSimulator, receiver: Any, make_woo: Any) -> None:
    site.add_webhook("order.created", receiver.url, secret=HOOK_SECRET)
    site.webhooks.arm("drop")
    lost = site.create_order([LineSpec(sku="SKU-1", quantity=1)])
    site.webhooks.arm("reorder")
    first = site.create_order([LineSpec(sku="SKU-1", quantity=1)])
    second = site.create_order([LineSpec(sku="SKU-1", quantity=1)])
    site.webhooks.arm("bad_signature")
    forged = site.create_order([LineSpec(sku="SKU-1", quantity=1)])
    hooks = receiver.wait_for(4)[1:]
    site.webhooks.wait_idle()
    assert [h.headers["x-wc-webhook-topic"] for h in hooks] == ["order.created"] * 3
    connector = make_woo()
    numbers = [connector.normalize(h.body, h.headers).order_number for h in hooks]  # type: ignore[union-attr]
    assert numbers == [str(second["id"]), str(first["id"]), str(forged["id"])]
    assert str(lost["id"]) not in numbers
    await connector.verify(hooks[0].body, hooks[0].headers)
    with pytest.raises(AuthenticationFailed):
        await connector.verify(hooks[2].body, hooks[2].headers)


def test_seven_failures_in_a_row_disable_a_webhook_and_a_301_counts_as_success(
    site: WooCommerceSimulator, receiver: Any
) -> None:
    webhook = site.add_webhook("order.created", receiver.url, secret=HOOK_SECRET)
    receiver.statuses.extend([500, 500, 301])
    for _ in range(3):
        site.create_order([LineSpec(sku="SKU-1", quantity=1)])
    site.webhooks.wait_idle()
    assert webhook.failure_count == 0  # the 301 reset it
    receiver.default = 500
    for _ in range(8):
        site.create_order([LineSpec(sku="SKU-1", quantity=1)])
    site.webhooks.wait_idle()
    assert webhook.status == "disabled"
    assert len(receiver.received) == 1 + 3 + 7  # the ping, three, then seven until disabled; the 8th is not sent


# --- reconciliation poll ----------------------------------------------------------------------------


async def test_pull_reads_every_page_then_only_changes_since_the_cursor_minus_the_overlap(
    site: WooCommerceSimulator, clock: Any, make_woo: Any
) -> None:
    early = [site.create_order([LineSpec(sku="SKU-1", quantity=1)]) for _ in range(5)]
    clock.advance(hours=1)
    late = [site.create_order([LineSpec(sku="SKU-1", quantity=1)]) for _ in range(2)]
    connector = make_woo(page_size=2, pull_overlap_seconds=300)
    items, cursor, pages = await pull_all(connector, None)
    assert pages == 4
    assert [item.external_id.partition("@")[0] for item in items] == [str(o["id"]) for o in early + late]
    assert all(isinstance(connector.normalize(i.body, i.headers), CanonicalOrder) for i in items)

    clock.advance(minutes=2)
    site.update_order(early[0]["id"], {"customer_note": "edited"})
    items, _, pages = await pull_all(connector, cursor)
    assert pages == 2
    assert [item.external_id.partition("@")[0] for item in items] == [str(o["id"]) for o in [early[0], *late]]
    since = [r.query["modified_after"] for r in site.requests() if "modified_after" in r.query]
    assert set(since) == {"2026-02-17T08:55:00"}  # GMT: newest change 09:00 minus 5 minutes
    assert all(r.query["dates_are_gmt"] == "true" for r in site.requests() if "modified_after" in r.query)


# --- reporting --------------------------------------------------------------------------------------


async def test_shipments_complete_the_order_with_tracking_once_every_line_shipped(
    site: WooCommerceSimulator, make_woo: Any
) -> None:
    lines = [LineSpec(sku="SKU-1", quantity=2), LineSpec(sku="SKU-2", quantity=1)]
    other, order = site.create_order(lines), site.create_order(lines)
    first, second = (str(item["id"]) for item in order["line_items"])
    connector = make_woo()
    partial = event(
        str(order["id"]),
        "e1",
        lines=((first, 2),),
        way_bill="JJD000390",
        tracking_url="https://dhl/1",
        transporter="DHL",
    )
    await connector.report(partial)
    await connector.report(partial)
    assert site.order(order["id"])["status"] == "processing"
    [note] = site.notes(order["id"])
    assert "DHL Paket JJD000390 https://dhl/1" in note["note"]
    assert note["customer_note"] is True

    await connector.report(event(str(order["id"]), "e2", lines=((second, 1),), way_bill="JJD000391"))
    after = site.order(order["id"])
    assert after["status"] == "completed"
    tracking = next(m["value"] for m in after["meta_data"] if m["key"] == "_wc_shipment_tracking_items")
    assert [t["tracking_number"] for t in tracking] == ["JJD000390", "JJD000391"]
    assert len(site.notes(order["id"])) == 2
    assert site.order(other["id"])["status"] == "processing"
    assert site.notes(other["id"]) == []


async def test_cancelled_rejected_and_returned_events(site: WooCommerceSimulator, make_woo: Any) -> None:
    cancelled = site.create_order([LineSpec(sku="SKU-1", quantity=1)])
    rejected = site.create_order([LineSpec(sku="SKU-1", quantity=1)])
    connector = make_woo()
    for _ in range(2):
        await connector.report(event(str(cancelled["id"]), "c", EventKind.CANCELLED, reason="out of stock"))
        await connector.report(event(str(rejected["id"]), "r", EventKind.REJECTED, reason="too late (picked)"))
    assert site.order(cancelled["id"])["status"] == "cancelled"
    assert len(site.notes(cancelled["id"])) == 1
    assert site.order(rejected["id"])["status"] == "processing"
    [note] = site.notes(rejected["id"])
    assert "too late (picked)" in note["note"]
    assert note["customer_note"] is False
    with pytest.raises(FatalUpstreamError, match="no order 999999"):
        await connector.report(event("999999", "x"))


# --- stock ------------------------------------------------------------------------------------------


async def test_stock_is_set_by_sku_skipping_unchanged_values(site: WooCommerceSimulator, make_woo: Any) -> None:
    site.add_product("SIMPLE-1", stock=4)
    site.add_product("SIMPLE-2", stock=9)
    site.add_product("UNMANAGED", stock=None, manage_stock=False)
    site.add_variation("HOODIE", "HOODIE-M", stock=1)
    connector = make_woo()
    targets = {"SIMPLE-1": 4, "SIMPLE-2": 3, "UNMANAGED": 6, "HOODIE-M": 8, "NOT-SOLD-HERE": 2}
    await connector.push_stock(
        [StockTarget(article_number=a, available=Decimal(q), version=1) for a, q in targets.items()]
    )
    assert [site.product(a)["stock_quantity"] for a in ("SIMPLE-1", "SIMPLE-2", "UNMANAGED", "HOODIE-M")] == [
        4,
        3,
        6,
        8,
    ]
    assert site.product("UNMANAGED")["manage_stock"] is True
    batches = [r for r in site.requests() if r.route.endswith(".batch")]
    assert [(r.route, [u["id"] for u in r.body["update"]]) for r in batches] == [
        ("products.batch", [site.product("SIMPLE-2")["id"], site.product("UNMANAGED")["id"]]),
        ("variations.batch", [site.product("HOODIE-M")["id"]]),
    ]
    before = len(site.requests())
    await connector.push_stock(
        [StockTarget(article_number=a, available=Decimal(q), version=1) for a, q in targets.items()]
    )
    assert not [r for r in site.requests()[before:] if r.route.endswith(".batch")]
    await connector.push_stock([StockTarget(article_number="SIMPLE-1", available=Decimal(-2), version=2)])
    assert site.product("SIMPLE-1")["stock_quantity"] == 0


# --- errors and credentials -------------------------------------------------------------------------


async def test_upstream_failures_are_classified_and_credentials_never_recorded(
    site: WooCommerceSimulator, make_woo: Any, http: httpx.AsyncClient
) -> None:
    with pytest.raises(FatalUpstreamError) as caught:
        await make_woo(credentials={"consumer_key": "ck_integration", "consumer_secret": "cs_wrong"}).pull(None)
    assert caught.value.upstream_status == 401
    assert "woocommerce_rest_authentication_error" in (caught.value.body or "")
    site.faults.fail_next(1, status=503, operation="orders.list")
    with pytest.raises(RetriableUpstreamError) as retriable:
        await make_woo().pull(None)
    assert retriable.value.retry_after == 1.0
    fallback = await http.get(
        f"{site.url}/wp-json/wc/v3/orders",
        params={"consumer_key": "ck_integration", "consumer_secret": CONSUMER_SECRET},
    )
    assert fallback.status_code == 200
    assert fallback.headers["x-wp-total"] == "0"
    recorded = repr(site.requests())
    assert CONSUMER_SECRET not in recorded
    assert "cs_wrong" not in recorded
    bad_status = await http.put(
        f"{site.url}/wp-json/wc/v3/orders/1", json={"status": "shipped"}, auth=("ck_integration", CONSUMER_SECRET)
    )
    assert bad_status.status_code == 404
    order = site.create_order([LineSpec(sku="SKU-1", quantity=1)])
    bad_status = await http.put(
        f"{site.url}/wp-json/wc/v3/orders/{order['id']}",
        json={"status": "shipped"},
        auth=("ck_integration", CONSUMER_SECRET),
    )
    assert bad_status.status_code == 400
    assert bad_status.json()["code"] == "rest_invalid_param"
