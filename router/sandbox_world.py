"""The sandbox's world: every upstream simulator, its seed data, the sources for it, and its order stream."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import anyio
import httpx
import structlog

from router.errors import RouterError
from simulators.omnium import OmniumSimulator
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.shopify import LineSpec as ShopLine
from simulators.shopify import ShopifySimulator
from simulators.tfso import Company, PostalAddress, TfsoSimulator
from simulators.woocommerce import LineSpec as WooLine
from simulators.woocommerce import WooCommerceSimulator

__all__ = ["ARTICLES", "GOODS_OWNER", "SOURCES", "World"]

log = structlog.get_logger(__name__)

GOODS_OWNER = "SANDBOX"
ARTICLES = {"MUG-1": ("Mug", 60), "CUP-2": ("Cup", 40), "TEE-3": ("T-shirt", 25), "CAP-4": ("Cap", 12)}
SOURCES = {"se": ("shopify", "SE", "B2C"), "eu": ("woocommerce", "EU", "B2C"), "erp": ("tfso", "ERP", "B2B")}
SOURCES["om"] = ("omnium", "OM", "B2C")
CUSTOMER = 20002
SHOP_RATE = 40.0
SHIPPED = 450
PICKED = 400
LOGIN_LIMIT = 10_000
"""The router logs in to 24SevenOffice for every pull round and push (no session kept across them)."""


class World:
    """The simulators on loopback with throwaway credentials; `start()` serves them, `stop()` ends them."""

    def __init__(self) -> None:
        token = secrets.token_urlsafe(12)
        self.secrets: dict[str, str] = {
            "wms_user": "WSI-sandbox",
            "wms_password": f"wms-{token}",
            "wms_webhook": f"hook-{token}",
            "shop_token": f"shpat_{token}",
            "shop_secret": f"shop-{token}",
            "woo_key": f"ck_{token}",
            "woo_secret": f"cs_{token}",
            "woo_hook": f"woo-{token}",
            "tfso_app": "5e1f3a0c-1111-4a2b-9c3d-000000000001",
            "tfso_user": "api@sandbox.example",
            "tfso_password": f"tfso-{token}",
            "omnium_id": "cid-sandbox",
            "omnium_secret": f"om-{token}",
            "omnium_event": f"ev-{token}",
        }
        s = self.secrets
        self.wms = OngoingWmsSimulator(username=s["wms_user"], password=s["wms_password"], goods_owner_code=GOODS_OWNER)
        self.shop = ShopifySimulator(access_token=s["shop_token"], webhook_secret=s["shop_secret"], leak_rate=SHOP_RATE)
        self.site = WooCommerceSimulator(consumer_key=s["woo_key"], consumer_secret=s["woo_secret"], webhook_timeout=10)
        self.tfso = TfsoSimulator(
            application_id=s["tfso_app"], username=s["tfso_user"], password=s["tfso_password"], login_limit=LOGIN_LIMIT
        )
        self.omnium = OmniumSimulator(client_id=s["omnium_id"], client_secret=s["omnium_secret"])
        self.created: Counter[str] = Counter()
        self._random = random.Random(5178)  # noqa: S311 - sample data, not security
        self._numbers = itertools.count(1)

    @contextlib.contextmanager
    def running(self) -> Iterator[World]:
        """Serve every simulator for the duration of the block, with articles and stock seeded."""
        with contextlib.ExitStack() as stack:
            for simulator in (self.wms, self.shop, self.site, self.tfso, self.omnium):
                stack.enter_context(simulator)
            self._seed()
            yield self

    def urls(self) -> dict[str, str]:
        """Where each simulator listens (the WMS's control API is under `/_sim/`)."""
        return {
            "ongoing_wms": self.wms.base_url,
            "shopify": self.shop.url,
            "woocommerce": self.site.url,
            "tfso": self.tfso.base_url,
            "omnium": self.omnium.url,
        }

    def _seed(self) -> None:
        for sku, (name, stock) in ARTICLES.items():
            self.wms.add_article(sku, name, stock=stock)
            self.shop.add_product(sku, available=0, title=name)
            self.site.add_product(sku, stock=0, name=name)
            self.tfso.add_product(sku, name, stock=0)
        self.tfso.add_company(
            Company(id=CUSTOMER, name="Kunde AS", phone_mobile="+47 900 00 000", email_primary="post@kunde.no")
        )

    # --- sources ------------------------------------------------------------------------------------

    def source_bodies(self) -> list[dict[str, Any]]:
        """What `POST /api/sources` gets for each source: kind, suffix, order type, settings, credentials."""
        s = self.secrets
        fast = {"poll_interval_seconds": 5}
        configured: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
            "se": (
                {"shop_url": self.shop.url, "location_id": self.shop.location_id, "rate_limit_per_second": SHOP_RATE},
                {"access_token": s["shop_token"], "webhook_secret": s["shop_secret"]},
            ),
            "eu": (
                {"base_url": self.site.url},
                {"consumer_key": s["woo_key"], "consumer_secret": s["woo_secret"], "webhook_secret": s["woo_hook"]},
            ),
            "erp": (
                {"base_url": self.tfso.base_url, "timeout_seconds": 10, **fast},
                {"application_id": s["tfso_app"], "username": s["tfso_user"], "password": s["tfso_password"]},
            ),
            "om": (
                {
                    "base_url": self.omnium.url,
                    "inventory_warehouse_code": "main",
                    "order_types": {"Online": "B2C"},
                    **fast,
                },
                {"client_id": s["omnium_id"], "client_secret": s["omnium_secret"], "event_key": s["omnium_event"]},
            ),
        }
        return [
            {
                "name": name,
                "kind": kind,
                "suffix": suffix,
                "order_type": order_type,
                "is_article_master": kind == "tfso",
                "settings": configured[name][0],
                "credentials": configured[name][1],
            }
            for name, (kind, suffix, order_type) in SOURCES.items()
        ]

    async def register(self, admin: httpx.AsyncClient, router_url: str) -> None:
        """Register every source through the admin API and point the simulators' webhooks at the router."""
        existing = {s["name"] for s in (await admin.get("/api/sources")).json()}
        for body in self.source_bodies():
            if body["name"] in existing:  # a kept --data-dir: bring its settings up to date
                patch = {k: body[k] for k in ("settings", "credentials", "is_article_master")}
                response = await admin.patch(f"/api/sources/{body['name']}", json={**patch, "enabled": True})
            else:
                response = await admin.post("/api/sources", json=body)
            if response.status_code >= httpx.codes.BAD_REQUEST:
                msg = f"registering source {body['name']!r} failed: {response.text}"
                raise RouterError(msg)
        self.wms.webhooks.configure(f"{router_url}/hooks/wms", {"X-Webhook-Secret": self.secrets["wms_webhook"]})
        self.shop.subscribe("orders/create", f"{router_url}/hooks/se")
        await anyio.to_thread.run_sync(
            lambda: self.site.add_webhook("order.created", f"{router_url}/hooks/eu", secret=self.secrets["woo_hook"])
        )

    # --- the stream ---------------------------------------------------------------------------------

    async def drive_orders(self, rate: float) -> None:
        """Place orders round-robin in each upstream system, `rate` per minute, until cancelled."""
        places: list[tuple[str, Callable[[], object]]] = [
            ("se", self._shop_order),
            ("eu", self._woo_order),
            ("erp", self._erp_order),
            ("om", self._omnium_order),
        ]
        for name, place in itertools.cycle(places):
            try:
                await anyio.to_thread.run_sync(place)
                self.created[name] += 1
            except Exception:  # the sandbox keeps going; the log says what a simulator refused
                log.exception("sandbox.order_failed", source=name)
            await anyio.sleep(60.0 / rate)

    def _line(self) -> tuple[str, int]:
        return self._random.choice(list(ARTICLES)), self._random.randint(1, 2)

    def _shop_order(self) -> None:
        sku, quantity = self._line()
        self.shop.create_order([ShopLine(sku=sku, quantity=quantity, price="199.00", title=ARTICLES[sku][0])])

    def _woo_order(self) -> None:
        sku, quantity = self._line()
        self.site.create_order([WooLine(sku=sku, quantity=quantity, name=ARTICLES[sku][0])])

    def _erp_order(self) -> None:
        sku, quantity = self._line()
        self.tfso.add_order(
            customer_id=CUSTOMER,
            rows=[self.tfso.row(sku, quantity, price=Decimal("99.50"), vat_rate=Decimal(25))],
            delivery_address=PostalAddress(street="Storgata 1", postal_code="0155", postal_area="OSLO", country="NO"),
            customer_name="Kunde AS",
            customer_delivery_phone="+47 22 00 00 00",
            invoice_email="faktura@kunde.no",
            currency="NOK",
        )

    def _omnium_order(self) -> None:
        sku, quantity = self._line()
        number = f"OM{next(self._numbers):05d}"
        now = dt.datetime.now(dt.UTC).isoformat()
        line = {"lineItemId": "1", "code": sku, "quantity": quantity, "placedPrice": 100, "taxRate": 25}
        address = {"name": "Ola Nordmann", "line1": "Storgata 1", "postalCode": "0155", "city": "Oslo"}
        self.omnium.add_order(
            {
                "id": number,
                "orderNumber": number,
                "orderType": "Online",
                "status": "New",
                "marketId": "NOR",
                "storeId": "WebShop",
                "customerEmail": "ola@example.com",
                "billingCurrency": "NOK",
                "orderForm": {
                    "lineItems": [line],
                    "shipments": [
                        {
                            "shipmentId": "1",
                            "address": {**address, "countryCode": "NO"},
                            "lineItems": [line],
                            "shippingMethodName": "Bring",
                        }
                    ],
                    "shippingTotal": 79,
                },
                "created": now,
                "modified": now,
            }
        )

    async def drive_warehouse(self, tick: float) -> None:
        """The warehouse at work: each tick, pick what arrived the tick before and ship what was picked."""
        waybills = itertools.count(1)
        while True:
            await anyio.sleep(tick)
            for order in self.wms.orders():
                if order.foreign or order.status >= SHIPPED:
                    continue
                try:
                    if order.status >= PICKED:
                        n = next(waybills)
                        self.wms.ship(order.number, f"WB{n:06d}", tracking_url=f"https://tracking.example/WB{n:06d}")
                    else:
                        self.wms.pick(order.number)
                except (KeyError, ValueError) as exc:  # cancelled or changed meanwhile
                    log.info("sandbox.warehouse_skipped", order=order.number, reason=str(exc))

    def wms_orders_by_suffix(self) -> Counter[str]:
        """How many orders the WMS holds per suffix (`5178-SE` counts for SE)."""
        return Counter(o.number.rpartition("-")[2] for o in self.wms.orders() if not o.foreign)

    def shipped(self) -> int:
        """Orders the warehouse has shipped."""
        return sum(1 for o in self.wms.orders() if o.status >= SHIPPED and not o.foreign)
