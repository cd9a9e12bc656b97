"""ShopifyConnector: webhooks in, reconciliation poll, fulfillments with tracking, paced stock levels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import ClassVar

import httpx
import msgspec
import structlog

from connectors._shop import ShopConnector, decode, decode_cursor, newest_targets, pull_page
from connectors._webhooks import header, required_header, verify_base64_hmac, whole_units
from connectors.base import ConnectorContext
from connectors.shopify.client import ShopifyClient
from connectors.shopify.fulfil import PlanError, plan_fulfillment
from connectors.shopify.mapping import ORDER_TOPICS, decode_order, order_to_canonical
from connectors.shopify.models import OrderIdentity
from connectors.shopify.pacing import LeakyBucketPacer
from connectors.shopify.settings import ShopifyCredentials, ShopifySettings
from router.domain import (
    CanonicalOrder,
    EventKind,
    Ignored,
    PulledPayload,
    PullPage,
    SourceCancellation,
    StockTarget,
    WarehouseEvent,
)
from router.errors import FatalUpstreamError, InputError

__all__ = ["HMAC_HEADER", "TOPIC_HEADER", "WEBHOOK_ID_HEADER", "ShopifyConnector"]

log = structlog.get_logger(__name__)

HMAC_HEADER = "X-Shopify-Hmac-Sha256"
TOPIC_HEADER = "X-Shopify-Topic"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
_LEVELS_PER_CALL = 50
_REJECTED_TAG = "wms-rejected"
_identity = msgspec.json.Decoder(OrderIdentity)


class _Cursor(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The poll's position: the newest change of finished sweeps, and a sweep in progress."""

    high: dt.datetime | None = None
    page_info: str | None = None
    seen: dt.datetime | None = None


class ShopifyConnector(ShopConnector[ShopifySettings, ShopifyCredentials, ShopifyClient]):
    """One Shopify store (see `docs/connectors/shopify.md` for settings, credentials and the mapping)."""

    kind: ClassVar[str] = "shopify"
    platform: ClassVar[str] = "Shopify"
    settings_type: ClassVar[type[ShopifySettings]] = ShopifySettings
    client_class: ClassVar[type[ShopifyClient]] = ShopifyClient

    def __init__(self, context: ConnectorContext) -> None:
        super().__init__(
            context,
            ShopifySettings.from_mapping(context.source.settings),
            ShopifyCredentials.from_mapping(context.credentials),
        )
        self._order_ids: dict[str, int] = {}
        self._inventory_items: dict[str, int] = {}

    def _make_client(self, http: httpx.AsyncClient) -> ShopifyClient:
        if not self.settings.shop_url:
            raise InputError("the shop's URL is not configured", field="settings.shop_url")
        if self._credentials.access_token is None:
            raise InputError("the Admin API access token is not configured", field="credentials.access_token")
        pacer = LeakyBucketPacer(
            leak_rate=self.settings.rate_limit_per_second, headroom=self.settings.rate_limit_headroom
        )
        return self.client_class(
            http,
            shop_url=self.settings.shop_url,
            api_version=self.settings.api_version,
            access_token=self._credentials.access_token,
            pacer=pacer,
            timeout=self.settings.timeout_seconds,
        )

    # --- inbound -----------------------------------------------------------------------------------

    async def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """`X-Shopify-Hmac-Sha256` over the raw body; the previous secret also counts during a rotation."""
        secrets = (self._credentials.webhook_secret or "", self._credentials.previous_webhook_secret or "")
        verify_base64_hmac(body, headers, header_name=HMAC_HEADER, secrets=secrets)

    def normalize(self, body: bytes, headers: Mapping[str, str]) -> CanonicalOrder | SourceCancellation | Ignored:
        """An order topic's body to a CanonicalOrder (a cancelled one to a SourceCancellation); others Ignored."""
        topic = required_header(headers, TOPIC_HEADER)
        if topic not in ORDER_TOPICS:
            return Ignored(reason=f"topic {topic[:100]!r} carries no order for the router")
        return order_to_canonical(decode_order(body), topic=topic)

    def dedup_key(self, body: bytes, headers: Mapping[str, str]) -> str:
        """`X-Shopify-Webhook-Id` plus the order id; a pulled document: its id and `updated_at`."""
        order = decode(_identity, body)
        webhook_id = header(headers, WEBHOOK_ID_HEADER)
        if webhook_id:
            return f"{webhook_id}:{order.id}"
        changed = order.updated_at.isoformat() if order.updated_at else ""
        return f"pull:{order.id}:{changed}"

    # --- reconciliation poll -----------------------------------------------------------------------

    async def pull(self, cursor: str | None) -> PullPage:
        """One page of orders changed since the cursor's newest change minus the overlap window."""
        state = _decode_cursor(cursor)
        since = None
        if state.page_info is None and state.high is not None:
            since = state.high - dt.timedelta(seconds=self.settings.pull_overlap_seconds)
        raws, next_page = await self.client.orders_page(
            updated_at_min=since, page_info=state.page_info, limit=self.settings.page_size
        )
        seen = state.seen if state.page_info is not None else state.high
        items: list[PulledPayload] = []
        for raw in raws:
            body = bytes(raw)
            try:
                order = _identity.decode(body)
            except (msgspec.ValidationError, msgspec.DecodeError) as exc:
                raise FatalUpstreamError(f"an order in the poll is unreadable: {exc}") from None
            if order.updated_at is not None and (seen is None or order.updated_at > seen):
                seen = order.updated_at
            version = order.updated_at.isoformat() if order.updated_at else ""
            items.append(
                PulledPayload(external_id=f"{order.id}@{version}", body=body, headers={TOPIC_HEADER: "orders/updated"})
            )
        if next_page is not None:
            return pull_page(items, _Cursor(high=state.high, page_info=next_page, seen=seen), more=True)
        return pull_page(items, _Cursor(high=seen), more=False)

    # --- events back to the shop -------------------------------------------------------------------

    async def report(self, event: WarehouseEvent) -> None:
        """Shipped: a fulfillment with tracking; cancelled: cancel the order; rejected: tag and note it."""
        match event.kind:
            case EventKind.SHIPPED:
                await self._report_shipped(event)
            case EventKind.CANCELLED:
                await self._report_cancelled(event)
            case EventKind.REJECTED:
                await self._report_rejected(event)
            case EventKind.PLACED | EventKind.PICKED | EventKind.RETURNED | EventKind.RECEIVED:
                log.info("shopify.report.not_applicable", kind=event.kind.value, order=event.source_order_number)

    async def _order_id(self, number: str) -> int:
        cached = self._order_ids.get(number)
        if cached is not None:
            return cached
        found = await self.client.find_order(number)
        if found is None:
            raise FatalUpstreamError(f"Shopify has no order {number}", upstream_status=404)
        self._order_ids[number] = found.id
        return found.id

    async def _report_shipped(self, event: WarehouseEvent) -> None:
        order_id = await self._order_id(event.source_order_number)
        tracking = self._tracking_info(event)
        if event.way_bill:
            for existing in await self.client.fulfillments(order_id):
                if event.way_bill in (existing.tracking_number, *existing.tracking_numbers):
                    current = {"url": existing.tracking_url, "company": existing.tracking_company}
                    if any(tracking.get(key) not in (None, value) for key, value in current.items()):
                        await self.client.update_tracking(existing.id, tracking)
                    log.info(
                        "shopify.report.already_fulfilled", order=event.source_order_number, fulfillment=existing.id
                    )
                    return
        try:
            plan = plan_fulfillment(await self.client.fulfillment_orders(order_id), event.lines)
        except PlanError as exc:
            raise FatalUpstreamError(f"order {event.source_order_number}: {exc}") from None
        if plan.already_fulfilled:
            log.warning("shopify.report.nothing_left", order=event.source_order_number, lines=plan.already_fulfilled)
        if not plan.by_fulfillment_order:
            return
        fulfillment: dict[str, object] = {
            "message": f"Shipped by the warehouse ({event.wms_order_number})",
            "notify_customer": self.settings.notify_customer,
            "line_items_by_fulfillment_order": plan.by_fulfillment_order,
        }
        if tracking:
            fulfillment["tracking_info"] = tracking
        await self.client.create_fulfillment(fulfillment)

    def _tracking_info(self, event: WarehouseEvent) -> dict[str, str]:
        company = event.transporter and self.settings.tracking_companies.get(event.transporter, event.transporter)
        info = {"number": event.way_bill, "url": event.tracking_url, "company": company}
        return {key: value for key, value in info.items() if value}

    async def _report_cancelled(self, event: WarehouseEvent) -> None:
        order_id = await self._order_id(event.source_order_number)
        if (await self.client.order(order_id)).cancelled_at is not None:
            return
        await self.client.cancel_order(order_id, reason="other")

    async def _report_rejected(self, event: WarehouseEvent) -> None:
        order_id = await self._order_id(event.source_order_number)
        order = await self.client.order(order_id)
        marker = f"[{event.idempotency_key}]"
        if marker in (order.note or ""):
            return
        line = f"Warehouse: {event.reason or 'the change came too late'} {marker}"
        tags = [tag.strip() for tag in order.tags.split(",") if tag.strip()]
        if _REJECTED_TAG not in tags:
            tags.append(_REJECTED_TAG)
        note = f"{order.note}\n{line}" if order.note else line
        await self.client.update_order(order_id, {"note": note, "tags": ", ".join(tags)})

    # --- stock -------------------------------------------------------------------------------------

    async def push_stock(self, targets: Sequence[StockTarget]) -> None:
        """Set `available` at the configured location for each article whose value differs."""
        location = self.settings.location_id
        if location is None:
            raise InputError("the Shopify location for stock is not configured", field="settings.location_id")
        wanted = await self._wanted_levels(targets)
        items = list(wanted)
        current: dict[int, int | None] = {}
        for start in range(0, len(items), _LEVELS_PER_CALL):
            for level in await self.client.inventory_levels(items[start : start + _LEVELS_PER_CALL], location):
                current[level.inventory_item_id] = level.available
        for item, available in wanted.items():
            if current.get(item) != available:
                await self.client.set_inventory(item, location, available)

    async def _wanted_levels(self, targets: Sequence[StockTarget]) -> dict[int, int]:
        """Inventory item id to whole units: the newest target per article, SKUs resolved (cached)."""
        newest = newest_targets(targets)
        if any(article not in self._inventory_items for article in newest):
            self._inventory_items.update(await self.client.sku_map())
        wanted: dict[int, int] = {}
        for article, target in newest.items():
            item = self._inventory_items.get(article)
            if item is None:
                log.warning("shopify.stock.unknown_sku", article=article)
                continue
            wanted[item] = whole_units(target.available)
        return wanted


def _decode_cursor(cursor: str | None) -> _Cursor:
    return decode_cursor(cursor, _Cursor)
