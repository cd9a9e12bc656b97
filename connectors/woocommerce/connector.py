"""WooCommerceConnector: webhooks in (and the ping), reconciliation poll, status and stock out."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx
import msgspec
import structlog

from connectors._shop import ShopConnector, decode, decode_cursor, newest_targets, pull_page
from connectors._webhooks import header, required_header, verify_base64_hmac, whole_units
from connectors.base import ConnectorContext
from connectors.woocommerce.client import BATCH_LIMIT, WooClient
from connectors.woocommerce.mapping import ORDER_TOPICS, PING, decode_order, order_to_canonical
from connectors.woocommerce.models import OrderIdentity, ProductRef
from connectors.woocommerce.reporting import WooReporter
from connectors.woocommerce.settings import WooCredentials, WooSettings
from router.domain import (
    CanonicalOrder,
    Ignored,
    PulledPayload,
    PullPage,
    SourceCancellation,
    StockTarget,
    WarehouseEvent,
)
from router.errors import FatalUpstreamError, InputError

__all__ = ["SIGNATURE_HEADER", "TOPIC_HEADER", "WooCommerceConnector"]

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "X-WC-Webhook-Signature"
TOPIC_HEADER = "X-WC-Webhook-Topic"
_identity = msgspec.json.Decoder(OrderIdentity)


class _Cursor(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The poll's position: the newest `date_modified_gmt` of finished sweeps, and a sweep in progress."""

    high: dt.datetime | None = None
    since: dt.datetime | None = None
    page: int = 0
    seen: dt.datetime | None = None


class WooCommerceConnector(ShopConnector[WooSettings, WooCredentials, WooClient]):
    """One WooCommerce site (see `docs/connectors/woocommerce.md` for settings, credentials and mapping)."""

    kind: ClassVar[str] = "woocommerce"
    platform: ClassVar[str] = "WooCommerce"
    settings_type: ClassVar[type[WooSettings]] = WooSettings
    client_class: ClassVar[type[WooClient]] = WooClient

    def __init__(self, context: ConnectorContext) -> None:
        super().__init__(
            context, WooSettings.from_mapping(context.source.settings), WooCredentials.from_mapping(context.credentials)
        )
        self._reporter: WooReporter | None = None
        self._products: dict[str, ProductRef] = {}

    def _make_client(self, http: httpx.AsyncClient) -> WooClient:
        if not self.settings.base_url:
            raise InputError("the site's URL is not configured", field="settings.base_url")
        key, secret = self._credentials.consumer_key, self._credentials.consumer_secret
        if key is None or secret is None:
            raise InputError("the REST API key pair is not configured", field="credentials.consumer_key")
        return self.client_class(
            http,
            base_url=self.settings.base_url,
            consumer_key=key,
            consumer_secret=secret,
            timeout=self.settings.timeout_seconds,
        )

    # --- inbound -----------------------------------------------------------------------------------

    async def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """`X-WC-Webhook-Signature` over the raw body; only the unsigned creation ping passes without one."""
        if header(headers, SIGNATURE_HEADER) is None and PING.fullmatch(body):
            return  # carries nothing but a webhook id; WooCommerce needs a 200 to save the webhook
        verify_base64_hmac(
            body, headers, header_name=SIGNATURE_HEADER, secrets=[self._credentials.webhook_secret or ""]
        )

    def normalize(self, body: bytes, headers: Mapping[str, str]) -> CanonicalOrder | SourceCancellation | Ignored:
        """An order topic's body to a CanonicalOrder, a cancelled or deleted one to a SourceCancellation.

        A deleted order's body has only its id, which is the order number unless a plugin renumbers orders.
        The creation ping and other topics are Ignored.
        """
        ping = PING.fullmatch(body)
        if ping is not None:
            return Ignored(reason=f"webhook {ping[1].decode()} ping")
        topic = required_header(headers, TOPIC_HEADER)
        if topic == "order.deleted":
            deleted = decode(_identity, body)
            return SourceCancellation(order_numbers=(str(deleted.id),), reason="deleted in WooCommerce")
        if topic not in ORDER_TOPICS:
            return Ignored(reason=f"topic {topic[:100]!r} carries no order for the router")
        return order_to_canonical(decode_order(body), import_statuses=self.settings.import_statuses)

    def dedup_key(self, body: bytes, headers: Mapping[str, str]) -> str:
        """Order id, `date_modified_gmt` and the body's digest (the delivery id is not unique); the ping: its id."""
        ping = PING.fullmatch(body)
        if ping is not None:
            return f"ping:{ping[1].decode()}"
        order = decode(_identity, body)
        if header(headers, TOPIC_HEADER) == "order.deleted":
            return f"{order.id}:deleted"
        # `date_modified` has whole seconds: two changes within one second differ in the body's digest.
        digest = hashlib.sha256(body).hexdigest()[:16]
        return f"{order.id}:{order.date_modified_gmt or order.date_modified or ''}:{digest}"

    # --- reconciliation poll -----------------------------------------------------------------------

    async def pull(self, cursor: str | None) -> PullPage:
        """One page of orders modified since the cursor's newest change minus the overlap window."""
        state = _decode_cursor(cursor)
        if state.page == 0:
            since = state.high - dt.timedelta(seconds=self.settings.pull_overlap_seconds) if state.high else None
            state = _Cursor(high=state.high, since=since, page=1, seen=state.high)
        rows, pages = await self.client.orders_page(
            modified_after=state.since, page=state.page, per_page=self.settings.page_size
        )
        seen = state.seen
        items: list[PulledPayload] = []
        for raw in rows:
            body = bytes(raw)
            try:
                order = _identity.decode(body)
                modified = dt.datetime.fromisoformat(order.date_modified_gmt) if order.date_modified_gmt else None
            except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
                raise FatalUpstreamError(f"an order in the poll is unreadable: {exc}") from None
            if modified is not None:
                modified = modified.replace(tzinfo=dt.UTC) if modified.tzinfo is None else modified
                seen = modified if seen is None or modified > seen else seen
            version = order.date_modified_gmt or ""
            items.append(
                PulledPayload(external_id=f"{order.id}@{version}", body=body, headers={TOPIC_HEADER: "order.updated"})
            )
        if state.page < pages:
            following = _Cursor(high=state.high, since=state.since, page=state.page + 1, seen=seen)
            return pull_page(items, following, more=True)
        return pull_page(items, _Cursor(high=seen), more=False)

    # --- events and stock --------------------------------------------------------------------------

    async def report(self, event: WarehouseEvent) -> None:
        """Shipped: tracking meta, a note, `completed` once every line shipped; see WooReporter."""
        if self._reporter is None:
            self._reporter = WooReporter(self.client, self.settings)
        await self._reporter.report(event)

    async def push_stock(self, targets: Sequence[StockTarget]) -> None:
        """Set `stock_quantity` (and `manage_stock`) by SKU, skipping products that already show the value."""
        newest = newest_targets(targets)
        fresh: dict[int, ProductRef] = {}
        for article in newest:
            if article not in self._products:
                for match in await self.client.products_by_sku(article):
                    self._products[article] = match
                    fresh[match.id] = match
        by_parent: dict[int, dict[int, int]] = {}
        for article, target in newest.items():
            known = self._products.get(article)
            if known is None:
                log.warning("woocommerce.stock.unknown_sku", article=article)
                continue
            by_parent.setdefault(known.parent_id, {})[known.id] = whole_units(target.available)
        for parent, wanted in by_parent.items():
            await self._push_parent(parent, wanted, fresh)

    async def _push_parent(self, parent: int, wanted: dict[int, int], fresh: dict[int, ProductRef]) -> None:
        ids = list(wanted)
        current = {pid: fresh[pid] for pid in ids if pid in fresh}
        stale = [pid for pid in ids if pid not in current]
        for start in range(0, len(stale), BATCH_LIMIT):
            for product in await self.client.stock_of(parent, stale[start : start + BATCH_LIMIT]):
                current[product.id] = product
        updates: list[dict[str, Any]] = []
        for pid, quantity in wanted.items():
            now = current.get(pid)
            if now is None:  # deleted since it was cached: look it up again next time
                self._products = {sku: p for sku, p in self._products.items() if p.id != pid}
                log.warning("woocommerce.stock.product_gone", product_id=pid)
                continue
            if now.stock_quantity != quantity or now.manage_stock is not True:
                updates.append({"id": pid, "manage_stock": True, "stock_quantity": quantity})
        for start in range(0, len(updates), BATCH_LIMIT):
            await self.client.set_stock(parent, updates[start : start + BATCH_LIMIT])


def _decode_cursor(cursor: str | None) -> _Cursor:
    return decode_cursor(cursor, _Cursor)
