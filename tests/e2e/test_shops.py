"""Shopify and WooCommerce shops through a running router into the WMS simulator and back."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import anyio
import asyncpg
import pytest

from router.testing import RouterUnderTest
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.shopify import LineSpec as ShopLine
from simulators.shopify import ShopifySimulator
from simulators.woocommerce import LineSpec as WooLine
from simulators.woocommerce import WooCommerceSimulator

SHOP_TOKEN, SHOP_SECRET = "shpat_e2e-token", "shopify-e2e-secret"
WOO_KEY, WOO_SECRET, WOO_HOOK = "ck_e2e", "cs_e2e-secret", "woo-e2e-hook-secret"


@pytest.fixture
def shop() -> Iterator[ShopifySimulator]:
    with ShopifySimulator(
        access_token=SHOP_TOKEN, webhook_secret=SHOP_SECRET, leak_rate=80, retry_after=0.05, webhook_retry_base=0.01
    ) as sim:
        for sku in ("SKU-1", "SKU-2", "SKU-3"):
            sim.add_product(sku, available=7)
        yield sim


@pytest.fixture
def site() -> Iterator[WooCommerceSimulator]:
    with WooCommerceSimulator(consumer_key=WOO_KEY, consumer_secret=WOO_SECRET) as sim:
        for sku in ("SKU-1", "SKU-2", "SKU-3"):
            sim.add_product(sku, stock=7)
        yield sim


async def add_shops(router: RouterUnderTest, kit: Any, shop: ShopifySimulator, site: WooCommerceSimulator) -> None:
    """Register the Shopify shop as `se` and the WooCommerce site as `eu`, each with its order webhooks."""
    await kit.register(
        router,
        name="se",
        kind="shopify",
        suffix="SE",
        order_type="B2C",
        settings={
            "shop_url": shop.url,
            "location_id": shop.location_id,
            "rate_limit_per_second": 80,
            "poll_interval_seconds": 3600,
        },
        credentials={"access_token": SHOP_TOKEN, "webhook_secret": SHOP_SECRET},
    )
    for topic in ("orders/create", "orders/updated", "orders/cancelled"):
        shop.subscribe(topic, f"{router.url}/hooks/se")
    await kit.register(
        router,
        name="eu",
        kind="woocommerce",
        suffix="EU",
        order_type="B2C",
        settings={"base_url": site.url, "poll_interval_seconds": 3600},
        credentials={"consumer_key": WOO_KEY, "consumer_secret": WOO_SECRET, "webhook_secret": WOO_HOOK},
    )
    for topic in ("order.created", "order.updated", "order.deleted"):
        # Creating a webhook pings it synchronously, and the router answers on this test's event loop.
        add = functools.partial(site.add_webhook, topic, f"{router.url}/hooks/eu", secret=WOO_HOOK)
        await anyio.to_thread.run_sync(add)


@pytest.fixture
async def registered(router: RouterUnderTest, kit: Any, shop: ShopifySimulator, site: WooCommerceSimulator) -> None:
    """Both shops registered with the router."""
    await add_shops(router, kit, shop, site)


async def settle(shop: ShopifySimulator, site: WooCommerceSimulator) -> None:
    """Let the shops finish delivering webhooks (our own reports trigger some) before the router stops."""
    await anyio.to_thread.run_sync(shop.webhooks.wait_idle)
    await anyio.to_thread.run_sync(site.webhooks.wait_idle)


@pytest.mark.usefixtures("registered")
async def test_two_shops_sell_5178_and_each_shipment_goes_back_only_to_its_own_shop(
    kit: Any, wms: OngoingWmsSimulator, shop: ShopifySimulator, site: WooCommerceSimulator, db: asyncpg.Pool
) -> None:
    se = shop.create_order([ShopLine(sku="SKU-1", quantity=2), ShopLine(sku="SKU-2", quantity=1)], order_number=5178)
    eu = site.create_order([WooLine(sku="SKU-1", quantity=1)], number="5178")
    await kit.eventually(lambda: wms.order("5178-SE") and wms.order("5178-EU"), what="both orders in the WMS")
    assert {o.number for o in wms.orders()} == {"5178-SE", "5178-EU"}

    wms.pick("5178-SE")
    wms.ship("5178-SE", "WB-SE-1", tracking_url="https://track.example/WB-SE-1", transporter="PostNord")
    await kit.eventually(lambda: shop.order(se["id"])["fulfillments"], what="the fulfilment in Shopify")
    [fulfilment] = shop.order(se["id"])["fulfillments"]
    assert (fulfilment["tracking_number"], fulfilment["tracking_url"]) == ("WB-SE-1", "https://track.example/WB-SE-1")
    assert sum(item["quantity"] for item in fulfilment["line_items"]) == 3
    await kit.eventually(lambda: kit.delivered(db, "5178-SE", "shipped"), what="shipped delivered")
    assert site.order(eu["id"])["status"] == "processing"  # the other shop's 5178 is untouched

    wms.pick("5178-EU")
    wms.ship("5178-EU", "WB-EU-1", tracking_url="https://track.example/WB-EU-1", transporter="DHL")
    await kit.eventually(lambda: site.order(eu["id"])["status"] == "completed", what="completed in WooCommerce")
    meta = {m["key"]: m["value"] for m in site.order(eu["id"])["meta_data"]}
    assert meta["_wc_shipment_tracking_items"][0]["tracking_number"] == "WB-EU-1"
    assert len(shop.order(se["id"])["fulfillments"]) == 1
    await settle(shop, site)


@pytest.mark.usefixtures("registered")
async def test_the_same_webhook_delivered_three_times_makes_one_order(
    kit: Any, wms: OngoingWmsSimulator, shop: ShopifySimulator, site: WooCommerceSimulator, db: asyncpg.Pool
) -> None:
    shop.webhooks.arm("duplicate", 1)
    site.webhooks.arm("duplicate", 1)
    shop.create_order([ShopLine(sku="SKU-1", quantity=1)], order_number=6001, topics=("orders/create",))
    site.create_order([WooLine(sku="SKU-1", quantity=1)], number="6001", updates_after=1)

    await kit.eventually(lambda: wms.order("6001-SE") and wms.order("6001-EU"), what="both orders in the WMS")
    # Every delivery made (duplicates included) was answered, so stored: the router stores before it answers.
    await settle(shop, site)

    async def every_delivery_processed() -> bool:
        waiting = await db.fetchval("SELECT count(*) FROM inbox WHERE channel = 'hook' AND state = 'received'")
        return bool(waiting == 0)

    await kit.eventually(every_delivery_processed, what="every stored delivery processed")
    duplicates = await db.fetch(
        "SELECT s.name FROM inbox i JOIN sources s ON s.id = i.source_id"
        " WHERE i.state = 'ignored' AND i.error->>'detail' LIKE 'duplicate delivery%'"
    )
    assert sorted(r["name"] for r in duplicates) == ["eu", "eu", "se"]
    assert await db.fetchval("SELECT count(*) FROM orders") == 2
    sends = [r for r in wms.requests if r.operation == "ProcessOrder"]
    assert sorted(r.fields.get("number") for r in sends) == ["6001-EU", "6001-SE"]


@pytest.mark.usefixtures("registered")
async def test_a_shop_cancellation_cancels_in_the_wms_until_picking_started(
    kit: Any, wms: OngoingWmsSimulator, shop: ShopifySimulator, site: WooCommerceSimulator, db: asyncpg.Pool
) -> None:
    early = shop.create_order([ShopLine(sku="SKU-1", quantity=1)], order_number=7001)
    late = site.create_order([WooLine(sku="SKU-2", quantity=1)], number="7002")
    await kit.eventually(lambda: wms.order("7001-SE") and wms.order("7002-EU"), what="both orders in the WMS")
    wms.pick("7002-EU")

    shop.cancel_order(early["id"])
    site.update_order(late["id"], {"status": "cancelled"})

    await kit.eventually(lambda: kit.wms_status(wms, "7001-SE", 1000), what="7001-SE cancelled in the WMS")
    await kit.eventually(lambda: kit.delivered(db, "7001-SE", "cancelled"), what="Shopify told cancelled")
    await kit.eventually(lambda: kit.delivered(db, "7002-EU", "rejected"), what="WooCommerce told rejected")
    assert wms.order("7002-EU").status == 400  # type: ignore[union-attr]
    assert shop.order(early["id"])["cancelled_at"] is not None
    notes = " ".join(n["note"] for n in site.notes(late["id"]))
    assert "too late" in notes
    await settle(shop, site)


async def test_stock_changes_in_the_wms_reach_both_shops(
    stock_router: RouterUnderTest,
    kit: Any,
    wms: OngoingWmsSimulator,
    shop: ShopifySimulator,
    site: WooCommerceSimulator,
) -> None:
    await add_shops(stock_router, kit, shop, site)
    await kit.eventually(lambda: shop.available("SKU-1") == 50, what="the first figure in Shopify")
    await kit.eventually(
        lambda: (site.product("SKU-1") or {}).get("stock_quantity") == 50,
        what="the first figure in WooCommerce",
    )
    wms.adjust_stock("SKU-1", -8)
    await kit.eventually(lambda: shop.available("SKU-1") == 42, what="the change in Shopify")
    await kit.eventually(
        lambda: (site.product("SKU-1") or {}).get("stock_quantity") == 42,
        what="the change in WooCommerce",
    )
    assert shop.available("SKU-2") == 50
