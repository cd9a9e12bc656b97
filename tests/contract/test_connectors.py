"""Every connector kind passes the same contract (tests/contract/suite.py) against its own simulator."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from connectors.generic import GenericConnector
from connectors.omnium import OmniumConnector
from connectors.shopify import ShopifyConnector
from connectors.tfso import TfsoConnector
from connectors.woocommerce import WooCommerceConnector
from router.domain import EventLine
from router.testing import order_json
from simulators.callback import CallbackReceiver
from simulators.omnium import OmniumSimulator
from simulators.shopify import LineSpec as ShopLine
from simulators.shopify import ShopifySimulator
from simulators.tfso import Company, PostalAddress, TfsoSimulator
from simulators.woocommerce import LineSpec as WooLine
from simulators.woocommerce import WooCommerceSimulator
from tests.contract.suite import Harness, connector_of, make_connector_suite


@contextlib.asynccontextmanager
async def generic() -> AsyncIterator[Any]:
    with CallbackReceiver({"contract": "cb-secret"}) as rx:
        body = json.dumps(order_json("5178")).encode()
        bad = json.dumps(order_json("5178", quantity=0)).encode()
        yield Harness(
            connector_cls=GenericConnector,
            settings={"callback_url": rx.url_for("contract")},
            credentials={"callback_secret": "cb-secret"},
            payload=(body, {"content-type": "application/json"}),
            source_order_number="5178",
            bad_payloads=[(bad, {}, "lines[0].quantity"), (b"{", {}, "body")],
            stock_writes=lambda: len(rx.deliveries("contract", "stock")),
            article="A-1",
            event_lines=(EventLine(line_id="1", article_number="A-1", quantity=Decimal(1)),),
        )


@contextlib.asynccontextmanager
async def tfso() -> AsyncIterator[Any]:
    app, user, password = "00000000-0000-0000-0000-0000000000c7", "api@contract.no", "tfso-contract-pw"
    with TfsoSimulator(application_id=app, username=user, password=password) as sim:
        sim.add_company(Company(id=20002, name="Kunde AS"))
        sim.add_product("SKU-1", stock=1)
        order = sim.add_order(
            customer_id=20002,
            rows=[sim.row("SKU-1", 2)],
            delivery_address=PostalAddress(street="Storgata 1", postal_code="0155", postal_area="OSLO", country="NO"),
            customer_name="Kunde AS",
        )
        settings: dict[str, object] = {"base_url": sim.base_url, "timeout_seconds": 5}
        credentials = {"application_id": app, "username": user, "password": password}
        pulled = await _pull_first(TfsoConnector, settings, credentials)
        yield Harness(
            connector_cls=TfsoConnector,
            settings=settings,
            credentials=credentials,
            payload=pulled,
            source_order_number=str(order.order_id),
            bad_payloads=[(b"<not-a-document", {}, "body")],
            stock_writes=lambda: len(sim.stock_writes()),
            article="SKU-1",
            event_lines=(EventLine(line_id="1", article_number="SKU-1", quantity=Decimal(2)),),
        )


async def _pull_first(cls: type[Any], settings: dict[str, object], credentials: dict[str, str]) -> Any:
    async with connector_of(
        Harness(
            connector_cls=cls,
            settings=settings,
            credentials=credentials,
            payload=(b"", {}),
            source_order_number="",
            bad_payloads=[],
            stock_writes=lambda: 0,
            article="",
            event_lines=(),
        )
    ) as connector:
        page = await connector.pull(None)
    return page.items[0].body, page.items[0].headers


@contextlib.asynccontextmanager
async def omnium() -> AsyncIterator[Any]:
    with OmniumSimulator(client_id="cid", client_secret="cs-contract") as sim:
        address = {"name": "Ola", "line1": "Storgata 1", "postalCode": "0155", "city": "Oslo", "countryCode": "NO"}
        line = {"lineItemId": "1", "code": "SKU-1", "quantity": 2, "placedPrice": 100}
        doc: dict[str, Any] = {
            "id": "1001",
            "orderNumber": "1001",
            "status": "New",
            "orderForm": {
                "lineItems": [line],
                "shipments": [{"shipmentId": "1", "address": address, "lineItems": [line]}],
            },
        }
        sim.add_order(doc)
        headers = {"x-omnium-shipment-id": "1"}
        no_address = json.loads(json.dumps(doc))
        del no_address["orderForm"]["shipments"][0]["address"]
        yield Harness(
            connector_cls=OmniumConnector,
            settings={"base_url": sim.url, "inventory_warehouse_code": "WH1"},
            credentials={"client_id": "cid", "client_secret": "cs-contract", "event_key": "ek-contract"},
            payload=(json.dumps(doc).encode(), headers),
            source_order_number="1001-1",
            bad_payloads=[(json.dumps(no_address).encode(), headers, "orderForm.shipments[0].address")],
            stock_writes=lambda: sum(r.path == "/api/Inventory/UpdateMany" for r in sim.requests),
            article="SKU-1",
            event_lines=(EventLine(line_id="1", article_number="SKU-1", quantity=Decimal(2)),),
        )


@contextlib.asynccontextmanager
async def shopify() -> AsyncIterator[Any]:
    with ShopifySimulator(access_token="shpat_contract", webhook_secret="shop-contract", leak_rate=80) as shop:
        shop.add_product("SKU-1", available=3)
        order = shop.create_order([ShopLine(sku="SKU-1", quantity=2)], topics=())
        headers = {"X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "wh-1"}
        yield Harness(
            connector_cls=ShopifyConnector,
            settings={"shop_url": shop.url, "location_id": shop.location_id, "rate_limit_per_second": 80},
            credentials={"access_token": "shpat_contract", "webhook_secret": "shop-contract"},
            payload=(json.dumps(order).encode(), headers),
            source_order_number=str(order["order_number"]),
            bad_payloads=[(json.dumps({**order, "line_items": []}).encode(), headers, "line_items")],
            stock_writes=lambda: sum("inventory_levels/set" in r.path for r in shop.requests()),
            article="SKU-1",
            event_lines=(
                EventLine(line_id=str(order["line_items"][0]["id"]), article_number="SKU-1", quantity=Decimal(2)),
            ),
        )


@contextlib.asynccontextmanager
async def woocommerce() -> AsyncIterator[Any]:
    with WooCommerceSimulator(consumer_key="ck_contract", consumer_secret="cs_contract") as site:
        site.add_product("SKU-1", stock=3)
        order = site.create_order([WooLine(sku="SKU-1", quantity=2)])
        headers = {"X-WC-Webhook-Topic": "order.created"}
        yield Harness(
            connector_cls=WooCommerceConnector,
            settings={"base_url": site.url},
            credentials={"consumer_key": "ck_contract", "consumer_secret": "cs_contract", "webhook_secret": "wh"},
            payload=(json.dumps(order).encode(), headers),
            source_order_number=str(order.get("number") or order["id"]),
            bad_payloads=[(json.dumps({**order, "line_items": []}).encode(), headers, "line_items")],
            stock_writes=lambda: sum(r.method != "GET" and "products" in r.path for r in site.requests()),
            article="SKU-1",
            event_lines=(
                EventLine(line_id=str(order["line_items"][0]["id"]), article_number="SKU-1", quantity=Decimal(2)),
            ),
        )


TestGeneric = make_connector_suite("generic", generic)
TestTfso = make_connector_suite("tfso", tfso)
TestOmnium = make_connector_suite("omnium", omnium)
TestShopify = make_connector_suite("shopify", shopify)
TestWooCommerce = make_connector_suite("woocommerce", woocommerce)
