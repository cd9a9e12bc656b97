from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest

from router.domain import (
    CanonicalOrder,
    EventKind,
    SourceCancellation,
    StockTarget,
)
from router.errors import AuthenticationFailed, FatalUpstreamError, RetriableUpstreamError
from simulators.shopify import LineSpec, ShopifySimulator
from tests.support.connectors import pull_all, warehouse_event

TOKEN = "shpat_integration-token-never-logged"
shipped = functools.partial(warehouse_event, suffix="SE")


# --- webhooks ---------------------------------------------------------------------------------------


async def test_an_order_webhook_verifies_and_normalizes(
    shop: ShopifySimulator, receiver: Any, make_shopify: Any
) -> None:
    shop.subscribe("orders/create", receiver.url)
    order = shop.create_order([LineSpec(sku="SKU-1", quantity=2, price="99.50"), LineSpec(sku="SKU-2", quantity=1)])
    [hook] = receiver.wait_for(1)
    connector = make_shopify()
    await connector.verify(hook.body, hook.headers)
    result = connector.normalize(hook.body, hook.headers)
    assert isinstance(result, CanonicalOrder)
    assert result.order_number == str(order["order_number"])
    assert [(line.line_id, line.article_number, line.quantity) for line in result.lines] == [
        (str(order["line_items"][0]["id"]), "SKU-1", Decimal(2)),
        (str(order["line_items"][1]["id"]), "SKU-2", Decimal(1)),
    ]
    assert hook.headers["x-shopify-topic"] == "orders/create"
    assert hook.headers["x-shopify-shop-domain"] == shop.shop_domain
    assert connector.dedup_key(hook.body, hook.headers) == f"{hook.headers['x-shopify-webhook-id']}:{order['id']}"


async def test_a_duplicate_delivery_has_the_same_dedup_key(
    shop: ShopifySimulator, receiver: Any, make_shopify: Any
) -> None:
    shop.subscribe("orders/create", receiver.url)
    shop.webhooks.arm("duplicate")
    shop.create_order([LineSpec(sku="SKU-1", quantity=1)])
    first, second = receiver.wait_for(2)
    connector = make_shopify()
    assert first.body == second.body
    assert connector.dedup_key(first.body, first.headers) == connector.dedup_key(second.body, second.headers)


async def test_reordered_topics_of_one_action_share_the_event_id(shop: ShopifySimulator, receiver: Any) -> None:
    for topic in ("orders/create", "orders/updated"):
        shop.subscribe(topic, receiver.url)
    shop.webhooks.arm("reorder")
    shop.create_order([LineSpec(sku="SKU-1", quantity=1)], topics=("orders/create", "orders/updated"))
    first, second = receiver.wait_for(2)
    assert [first.headers["x-shopify-topic"], second.headers["x-shopify-topic"]] == ["orders/updated", "orders/create"]
    assert first.headers["x-shopify-event-id"] == second.headers["x-shopify-event-id"]
    assert first.headers["x-shopify-webhook-id"] != second.headers["x-shopify-webhook-id"]


async def test_a_badly_signed_delivery_is_refused(shop: ShopifySimulator, receiver: Any, make_shopify: Any) -> None:
    shop.subscribe("orders/create", receiver.url)
    shop.webhooks.arm("bad_hmac")
    shop.create_order([LineSpec(sku="SKU-1", quantity=1)])
    [hook] = receiver.wait_for(1)
    with pytest.raises(AuthenticationFailed):
        await make_shopify().verify(hook.body, hook.headers)


async def test_a_failed_delivery_is_retried_with_the_same_id_and_original_body(
    shop: ShopifySimulator, receiver: Any
) -> None:
    shop.subscribe("orders/create", receiver.url)
    receiver.statuses.extend([500, 302])  # a redirect is a failure too
    order = shop.create_order([LineSpec(sku="SKU-1", quantity=1)])
    shop.update_order(order["id"], topics=(), note="changed after the event")
    attempts = receiver.wait_for(3)
    assert {a.headers["x-shopify-webhook-id"] for a in attempts} == {attempts[0].headers["x-shopify-webhook-id"]}
    assert {a.body for a in attempts} == {attempts[0].body}
    assert b"changed after the event" not in attempts[2].body
    outcomes = [d.outcome for d in shop.wait_until(lambda: len(shop.deliveries()) >= 3 and shop.deliveries())]
    assert outcomes == ["failed", "failed", "delivered"]


def test_a_subscription_that_keeps_failing_is_removed(receiver: Any) -> None:
    receiver.default = 503
    with ShopifySimulator(access_token=TOKEN, webhook_secret="s", webhook_retry_base=0.001) as shop:
        shop.subscribe("orders/create", receiver.url)
        shop.create_order([LineSpec(sku="SKU-1", quantity=1)])
        shop.wait_until(lambda: any(d.outcome == "subscription removed" for d in shop.deliveries()))
        assert len(receiver.received) == 9  # the first attempt and 8 retries
        assert shop.webhooks.subscriptions() == []


# --- reconciliation poll ----------------------------------------------------------------------------


async def test_pull_reads_every_page_then_only_changes_since_the_cursor_minus_the_overlap(
    shop: ShopifySimulator, clock: Any, make_shopify: Any
) -> None:
    early = [shop.create_order([LineSpec(sku="SKU-1", quantity=1)], topics=()) for _ in range(5)]
    clock.advance(hours=1)
    late = [shop.create_order([LineSpec(sku="SKU-1", quantity=1)], topics=()) for _ in range(2)]
    connector = make_shopify(page_size=2, pull_overlap_seconds=300)
    items, cursor, pages = await pull_all(connector, None)
    assert pages == 4
    assert [item.external_id.partition("@")[0] for item in items] == [str(o["id"]) for o in early + late]
    for item in items:
        assert isinstance(connector.normalize(item.body, item.headers), CanonicalOrder)

    clock.advance(minutes=2)
    shop.update_order(early[0]["id"], topics=(), note="edited")
    items, _, pages = await pull_all(connector, cursor)
    assert pages == 2
    assert [item.external_id.partition("@")[0] for item in items] == [str(o["id"]) for o in [*late, early[0]]]
    since = [r.query["updated_at_min"] for r in shop.requests() if "updated_at_min" in r.query]
    assert since == ["2026-02-17T09:55:00+01:00"]  # the newest change (10:00 shop time) minus 5 minutes
    assert any("page_info" in r.query for r in shop.requests())


async def test_a_pulled_cancelled_order_is_a_source_cancellation(shop: ShopifySimulator, make_shopify: Any) -> None:
    order = shop.create_order([LineSpec(sku="SKU-1", quantity=1)], topics=())
    shop.cancel_order(order["id"])
    page = await make_shopify().pull(None)
    [item] = page.items
    result = make_shopify().normalize(item.body, item.headers)
    assert result == SourceCancellation(
        order_numbers=(str(order["order_number"]),), reason="cancelled in Shopify (customer)"
    )


# --- reporting --------------------------------------------------------------------------------------


async def test_a_fulfilment_with_tracking_lands_on_exactly_that_order(
    shop: ShopifySimulator, make_shopify: Any
) -> None:
    lines = [LineSpec(sku="SKU-1", quantity=2), LineSpec(sku="SKU-2", quantity=1)]
    other, order = shop.create_order(lines, topics=()), shop.create_order(lines, topics=())
    connector = make_shopify()
    canonical = connector.normalize(msgspec.json.encode(order), {"X-Shopify-Topic": "orders/create"})
    assert isinstance(canonical, CanonicalOrder)
    first_line = canonical.lines[0].line_id

    event = shipped(
        canonical.order_number,
        "ev-1",
        lines=((first_line, 1),),
        way_bill="00370712345",
        tracking_url="https://t/1",
        transporter="PLAB",
    )
    await connector.report(event)
    await connector.report(event)  # a re-delivery changes nothing

    after = shop.order(order["id"])
    [fulfillment] = after["fulfillments"]
    assert (fulfillment["tracking_number"], fulfillment["tracking_url"], fulfillment["tracking_company"]) == (
        "00370712345",
        "https://t/1",
        "PostNord",
    )
    assert [(item["id"], item["quantity"]) for item in fulfillment["line_items"]] == [(int(first_line), 1)]
    assert after["fulfillment_status"] == "partial"
    assert shop.order(other["id"])["fulfillments"] == []
    assert shop.order(other["id"])["fulfillment_status"] is None
    [created] = [r for r in shop.requests() if r.route == "fulfillments.create"]
    assert created.status == 201

    rest = shipped(
        canonical.order_number, "ev-2", lines=((first_line, 1), (canonical.lines[1].line_id, 1)), way_bill="0037999"
    )
    await connector.report(rest)
    assert shop.order(order["id"])["fulfillment_status"] == "fulfilled"
    assert [fo["status"] for fo in shop.fulfillment_orders(order["id"])] == ["closed"]


async def test_a_shipment_without_lines_fulfils_what_remains(shop: ShopifySimulator, make_shopify: Any) -> None:
    order = shop.create_order([LineSpec(sku="SKU-1", quantity=3)], topics=())
    connector = make_shopify()
    await connector.report(shipped(str(order["order_number"]), "all", way_bill="WB"))
    await connector.report(shipped(str(order["order_number"]), "all-again"))  # nothing left: no call, no error
    assert shop.order(order["id"])["fulfillment_status"] == "fulfilled"
    assert len([r for r in shop.requests() if r.route == "fulfillments.create"]) == 1


async def test_a_changed_tracking_link_updates_the_existing_fulfillment(
    shop: ShopifySimulator, make_shopify: Any
) -> None:
    order = shop.create_order([LineSpec(sku="SKU-1", quantity=1)], topics=())
    connector = make_shopify()
    await connector.report(shipped(str(order["order_number"]), "a", way_bill="WB", tracking_url="https://old"))
    await connector.report(shipped(str(order["order_number"]), "a", way_bill="WB", tracking_url="https://new"))
    [fulfillment] = shop.order(order["id"])["fulfillments"]
    assert fulfillment["tracking_url"] == "https://new"


async def test_cancelled_and_rejected_events(shop: ShopifySimulator, make_shopify: Any) -> None:
    cancelled = shop.create_order([LineSpec(sku="SKU-1", quantity=1)], topics=())
    rejected = shop.create_order([LineSpec(sku="SKU-1", quantity=1)], topics=())
    connector = make_shopify()
    for _ in range(2):
        await connector.report(shipped(str(cancelled["order_number"]), "c", kind=EventKind.CANCELLED))
        reason = "too late (picked)"
        await connector.report(shipped(str(rejected["order_number"]), "r", kind=EventKind.REJECTED, reason=reason))
    assert shop.order(cancelled["id"])["cancelled_at"] is not None
    assert len([r for r in shop.requests() if r.route == "orders.cancel"]) == 1
    after = shop.order(rejected["id"])
    assert after["tags"] == "wms-rejected"
    assert after["note"].count("too late (picked)") == 1
    assert after["cancelled_at"] is None


async def test_an_unknown_order_or_line_is_fatal(shop: ShopifySimulator, make_shopify: Any) -> None:
    order = shop.create_order([LineSpec(sku="SKU-1", quantity=1)], topics=())
    connector = make_shopify()
    with pytest.raises(FatalUpstreamError, match="no order 4711"):
        await connector.report(shipped("4711", "x"))
    with pytest.raises(FatalUpstreamError, match="not part of this order"):
        await connector.report(shipped(str(order["order_number"]), "y", lines=(("123", 1),)))


# --- stock ------------------------------------------------------------------------------------------


async def test_300_stock_changes_end_right_without_a_429(shop: ShopifySimulator, make_shopify: Any) -> None:
    skus = [f"ART-{n:03}" for n in range(300)]
    for sku in skus:
        shop.add_product(sku, available=5)
    targets = [StockTarget(article_number=sku, available=Decimal(n % 17), version=2) for n, sku in enumerate(skus)]
    stale = [StockTarget(article_number=sku, available=Decimal(999), version=1) for sku in skus[:50]]
    connector = make_shopify()
    await connector.push_stock(stale + targets)
    assert [shop.available(sku) for sku in skus] == [n % 17 for n in range(300)]
    assert shop.bucket.throttled == 0
    assert connector.client.throttled == 0
    sets = [r for r in shop.requests() if r.route == "inventory_levels.set"]
    assert len(sets) == sum(1 for n in range(300) if n % 17 != 5)  # unchanged values are skipped
    assert all(r.status == 200 for r in shop.requests())

    before = len(shop.requests())
    await connector.push_stock(targets)  # everything already right: reads only
    assert not [r for r in shop.requests()[before:] if r.route == "inventory_levels.set"]


async def test_a_pace_faster_than_the_shop_allows_draws_429s_that_are_waited_out(
    shop: ShopifySimulator, make_shopify: Any
) -> None:
    for n in range(120):
        shop.add_product(f"ART-{n}", available=0)
    connector = make_shopify(rate_limit_per_second=10_000)
    await connector.push_stock(
        [StockTarget(article_number=f"ART-{n}", available=Decimal(n), version=1) for n in range(120)]
    )
    assert [shop.available(f"ART-{n}") for n in range(120)] == list(range(120))
    assert shop.bucket.throttled > 0
    assert connector.client.throttled == shop.bucket.throttled


async def test_unknown_skus_are_skipped(shop: ShopifySimulator, make_shopify: Any) -> None:
    shop.add_product("KNOWN", available=1)
    await make_shopify().push_stock(
        [
            StockTarget(article_number="KNOWN", available=Decimal("4.7"), version=1),
            StockTarget(article_number="GONE", available=Decimal(3), version=1),
        ]
    )
    assert shop.available("KNOWN") == 4


# --- errors and credentials -------------------------------------------------------------------------


async def test_upstream_failures_are_classified(shop: ShopifySimulator, make_shopify: Any) -> None:
    with pytest.raises(FatalUpstreamError) as caught:
        await make_shopify(credentials={"access_token": "shpat_wrong"}).pull(None)
    assert caught.value.upstream_status == 401
    shop.faults.fail_next(1, status=503, operation="orders.list")
    with pytest.raises(RetriableUpstreamError) as retriable:
        await make_shopify().pull(None)
    assert retriable.value.upstream_status == 503
    assert retriable.value.retry_after == 1.0
    shop.faults.drop_next(1, operation="orders.list")
    with pytest.raises(RetriableUpstreamError):
        await make_shopify().pull(None)
    assert TOKEN not in repr(shop.requests())


async def test_the_simulator_refuses_what_shopify_refuses(shop: ShopifySimulator, http: httpx.AsyncClient) -> None:
    order = shop.create_order([LineSpec(sku="SKU-1", quantity=1)], topics=())
    [fo] = shop.fulfillment_orders(order["id"])
    base = f"{shop.url}/admin/api/2025-01"
    headers = {"X-Shopify-Access-Token": TOKEN}
    group = {
        "fulfillment_order_id": fo["id"],
        "fulfillment_order_line_items": [{"id": fo["line_items"][0]["id"], "quantity": 2}],
    }
    too_many = await http.post(
        f"{base}/fulfillments.json", json={"fulfillment": {"line_items_by_fulfillment_order": [group]}}, headers=headers
    )
    assert too_many.status_code == 422
    twice = {
        "line_items_by_fulfillment_order": [{"fulfillment_order_id": fo["id"]}, {"fulfillment_order_id": fo["id"]}]
    }
    assert (
        await http.post(f"{base}/fulfillments.json", json={"fulfillment": twice}, headers=headers)
    ).status_code == 422
    legacy = await http.post(f"{base}/orders/{order['id']}/fulfillments.json", json={}, headers=headers)
    assert legacy.status_code == 406
    assert (await http.get(f"{base}/orders.json")).status_code == 401
    answer = await http.get(f"{base}/orders.json", headers=headers)
    assert answer.headers["x-shopify-shop-api-call-limit"].endswith("/40")
    assert answer.headers["x-shopify-api-version"] == "2025-01"
