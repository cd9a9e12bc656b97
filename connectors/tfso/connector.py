"""`TfsoConnector`: pull confirmed orders from 24SevenOffice, report shipping back, push stock.

Settings (`source.settings`, all optional; see `TfsoSettings` and docs/connectors/tfso.md): `base_url`,
`poll_interval_seconds`, `overlap_seconds`, `page_size`, `pull_states` (default Confirmed), `shipped_state`
(default OrderState_Sent), `event_states` (other events; none by default), `import_state` (off by default),
`order_types`, `delivery_methods`, `default_country`, `company_fallback`, `timeout_seconds`,
`session_check_seconds`, `session_fault_pattern`.

Credentials (`context.credentials`): `application_id` (the integration's ApplicationId GUID), `username`
(the API user's e-mail), `password`, optional `identity_id`. They go into Login only; the session id then
travels as the `ASP.NET_SessionId` cookie. Neither ever appears in an exception, a log line or a repr.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import ClassVar

import structlog
from lxml import etree

from connectors.base import ConnectorContext
from connectors.tfso import api
from connectors.tfso.client import TfsoClient
from connectors.tfso.cursor import Cursor, Phase
from connectors.tfso.document import build_document, read_document
from connectors.tfso.mapping import to_canonical
from connectors.tfso.settings import TfsoCredentials, TfsoSettings
from router.domain import (
    CanonicalOrder,
    EventKind,
    Ignored,
    PulledPayload,
    PullPage,
    StockTarget,
    WarehouseEvent,
)
from router.errors import FatalUpstreamError, InputError

__all__ = ["TfsoConnector"]

log = structlog.get_logger(__name__)
_UNCHANGEABLE = frozenset({"Invoiced", "InvoicedCashAccount", "InvoicedPack"})


class TfsoConnector:
    """A 24SevenOffice client (company) as a pull source of B2B orders; also a Reporter and StockPusher."""

    kind: ClassVar[str] = "tfso"

    @classmethod
    def check_settings(cls, settings: Mapping[str, object]) -> None:
        """Validate `source.settings` before the source is saved (InputError naming `settings.<field>`)."""
        TfsoSettings.from_mapping(settings)

    def __init__(self, context: ConnectorContext) -> None:
        self.context = context
        self.settings = TfsoSettings.from_mapping(context.source.settings)
        self._client: TfsoClient | None = None
        self._product_ids: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"TfsoConnector(source={self.context.source.name!r}, base_url={self.settings.base_url!r})"

    @property
    def client(self) -> TfsoClient:
        """The SOAP client, made on first use (credentials are checked then, not for `normalize`)."""
        if self._client is None:
            credentials = TfsoCredentials.from_mapping(self.context.credentials)
            self._client = TfsoClient(self.settings, credentials, self.context.http)
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP clients the connector made."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """No-op: 24SevenOffice never calls the router; everything is pulled."""
        del body, headers

    def normalize(self, body: bytes, headers: Mapping[str, str]) -> CanonicalOrder | Ignored:
        """A stored `PulledOrder` document to a CanonicalOrder; pure, raises only InputError."""
        del headers
        try:
            return to_canonical(read_document(body), self.settings)
        except InputError:
            raise
        except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:  # a safety net for odd input
            raise InputError(f"unreadable order document ({type(exc).__name__})", field="body") from None

    # --- pull -------------------------------------------------------------------------------------

    async def pull(self, cursor: str | None) -> PullPage:
        """The next page: the full sync by OrderId first (cursor None), then orders changed since.

        The cursor advances only past what this page returns; a failed page is pulled again from the old
        cursor. `ChangedAfter` is the watermark minus `overlap_seconds`, so pages overlap and the router
        de-duplicates (each item's `external_id` is `OrderId@DateChanged`).
        """
        state = Cursor.decode(cursor)
        await self._acknowledge(state.ack)
        if state.phase is Phase.SYNC:
            orders, next_state, more = await self._sync_page(state)
        else:
            orders, next_state = await self._changed_page(state)
            more = False
        items = await self._payloads(orders)
        if self.settings.import_state is not None:
            next_state = Cursor(
                phase=next_state.phase,
                since=next_state.since,
                after_id=next_state.after_id,
                ack=tuple(sorted({api.order_id(o) for o in orders})),
            )
        log.info("tfso.pulled", phase=state.phase.value, items=len(items), more=more)
        return PullPage(items=items, cursor=next_state.encode(), more=more)

    async def _sync_page(self, state: Cursor) -> tuple[list[etree._Element], Cursor, bool]:
        ids = await api.order_sync_list(self.client)
        todo = [i for i in ids if state.after_id is None or i > state.after_id]
        batch = todo[: self.settings.page_size]
        found = await api.invoices(self.client, order_ids=batch) if batch else []
        # Frozen at the first batch that returned anything: every later change is newer than that read.
        since = state.since or _latest(found)
        wanted = [o for o in found if (o.findtext(f"{{{api.TNS}}}OrderStatus") or "") in self.settings.pull_states]
        more = len(todo) > len(batch)
        after = batch[-1] if batch else state.after_id
        return _unique(wanted), Cursor(phase=Phase.SYNC if more else Phase.CHANGED, since=since, after_id=after), more

    async def _changed_page(self, state: Cursor) -> tuple[list[etree._Element], Cursor]:
        overlap = dt.timedelta(seconds=self.settings.overlap_seconds)
        changed_after = state.since - overlap if state.since is not None else None
        found = await api.invoices(self.client, changed_after=changed_after, states=self.settings.pull_states)
        latest = _latest(found)
        since = max(filter(None, (state.since, latest)), default=None)
        return _unique(found), Cursor(phase=Phase.CHANGED, since=since)

    async def _payloads(self, orders: list[etree._Element]) -> tuple[PulledPayload, ...]:
        lacking = {
            int(customer)
            for o in orders
            if (customer := (o.findtext(f"{{{api.TNS}}}CustomerId") or "").strip()).lstrip("-").isdigit()
            and (_blank(o, "CustomerDeliveryPhone") or _blank(o, "InvoiceEmailAddress"))
        }
        found = await api.companies(self.client, lacking) if self.settings.company_fallback and lacking else {}
        items = []
        for order in orders:
            customer = (order.findtext(f"{{{api.TNS}}}CustomerId") or "").strip()
            company = found.get(int(customer)) if customer.lstrip("-").isdigit() else None
            changed = api.date_changed(order)
            order_id = api.order_id(order)
            headers = {"content-type": "application/xml", "x-tfso-order-id": str(order_id)}
            if changed is not None:
                headers["x-tfso-date-changed"] = changed.isoformat()
            items.append(
                PulledPayload(
                    external_id=f"{order_id}@{changed.isoformat() if changed else '-'}",
                    body=build_document(order, company),
                    headers=headers,
                )
            )
        return tuple(items)

    async def _acknowledge(self, ids: Sequence[int]) -> None:
        """Move the previous page's orders to `import_state` (only those still in a pulled state)."""
        target = self.settings.import_state
        if target is None or not ids:
            return
        states = await api.order_states(self.client, ids)
        for order_id, state in sorted(states.items()):
            if state not in self.settings.pull_states:
                continue
            try:
                await api.save_status(self.client, order_id, target)
            except FatalUpstreamError as exc:  # one refused order must not block the pull
                log.warning("tfso.import_state_refused", order_id=order_id, error=exc.message)

    # --- report and push_stock --------------------------------------------------------------------

    async def report(self, event: WarehouseEvent) -> None:
        """Write the event's OrderStatus to exactly this order (shipped: OrderState_Sent by default).

        Events without a configured state (cancelled, rejected, picked, returned by default) change nothing.
        Idempotent: an order already in the target state is not written again.
        """
        target = self.settings.shipped_state if event.kind is EventKind.SHIPPED else None
        target = target or self.settings.event_states.get(event.kind.value)
        if target is None:
            log.info("tfso.report_skipped", kind=event.kind.value, order=event.source_order_number)
            return
        try:
            order_id = int(event.source_order_number)
        except ValueError:
            raise FatalUpstreamError(f"{event.source_order_number!r} is not a 24SevenOffice OrderId") from None
        current = (await api.order_states(self.client, [order_id])).get(order_id)
        if current is None:
            raise FatalUpstreamError(f"24SevenOffice has no order {order_id}", upstream_status=200)
        if current == target or current in _UNCHANGEABLE:
            log.info("tfso.report_unchanged", order_id=order_id, state=current, key=event.idempotency_key)
            return
        await api.save_status(self.client, order_id, target)
        log.info("tfso.reported", order_id=order_id, state=target, key=event.idempotency_key)

    async def push_stock(self, targets: Sequence[StockTarget]) -> None:
        """SetStockQuantity for every article whose 24SevenOffice Stock differs (read with GetProducts first)."""
        newest: dict[str, StockTarget] = {}
        for target in targets:
            if target.article_number not in newest or target.version > newest[target.article_number].version:
                newest[target.article_number] = target
        if not newest:
            return
        if all(number in self._product_ids for number in newest):
            current = await api.products(self.client, [self._product_ids[n] for n in newest])
        else:
            current = await api.products(self.client)  # an unknown number: list every product once
        self._product_ids.update({p.no: p.id for p in current if p.no})
        by_number = {p.no: p for p in current}
        failed: list[str] = []
        for number, target in sorted(newest.items()):
            product = by_number.get(number)
            if product is None:
                log.info("tfso.stock_unknown_article", article=number)
                continue
            if product.stock is not None and product.stock == target.available:
                continue
            try:
                await api.set_stock(self.client, product.id, target.available)
            except FatalUpstreamError as exc:
                failed.append(f"{number}: {exc.message}")
        if failed:
            raise FatalUpstreamError(f"24SevenOffice refused stock for {len(failed)} article(s): {'; '.join(failed)}")


def _latest(orders: list[etree._Element]) -> dt.datetime | None:
    return max(filter(None, (api.date_changed(o) for o in orders)), default=None)


def _unique(orders: list[etree._Element]) -> list[etree._Element]:
    """One element per (OrderId, DateChanged), first seen kept."""
    seen: set[tuple[int, dt.datetime | None]] = set()
    unique = []
    for order in orders:
        key = (api.order_id(order), api.date_changed(order))
        if key not in seen:
            seen.add(key)
            unique.append(order)
    return unique


def _blank(order: etree._Element, name: str) -> bool:
    return not (order.findtext(f"{{{api.TNS}}}{name}") or "").strip()
