"""OmniumConnector: events and `Orders/Search` in, one WMS order per shipment, statuses and stock back out."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import ClassVar

import msgspec

from connectors.base import ConnectorContext, decode_error_to_input_error
from connectors.omnium import reporting
from connectors.omnium.client import OmniumClient
from connectors.omnium.mapping import split_source_order_number, to_canonical
from connectors.omnium.models import (
    Event,
    ExternalIdOut,
    InventoryItem,
    LineItemStatusPatch,
    Order,
    OrderFormPatch,
    OrderHead,
    PatchOrder,
    PropertyOut,
    RawSearchResult,
    SearchRequest,
    SearchResult,
    Shipment,
    ShipmentInfo,
    ShipmentPatch,
    UpdateStatusPatch,
    WorkflowResult,
)
from connectors.omnium.pulling import SHIPMENT_HEADER, decode_cursor, next_page, payloads, search_request
from connectors.omnium.settings import parse_credentials, parse_settings
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
from router.errors import AuthenticationFailed, FatalUpstreamError, InputError

__all__ = ["OmniumConnector"]

_order_decoder = msgspec.json.Decoder(Order)
_event_decoder = msgspec.json.Decoder(Event)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


class OmniumConnector:
    """An Omnium OMS tenant as a source (see docs/connectors/omnium.md for settings and field mapping).

    Settings (`source.settings`): `base_url`; optional `market_ids`, `store_ids`, `import_statuses`,
    `statuses` (names set back), `poll_interval_seconds`, `overlap_seconds`, `initial_modified_from`,
    `page_size`, `transporters`, `service_points`, `order_types`, `inventory_warehouse_code`,
    `inventory_batch_size`, `event_header`, `wms_provider`, `idempotency_provider`, `max_concurrency`,
    `batch_concurrency`, `timeout_seconds`, `retry_attempts`, `max_retry_after_seconds`.
    Credentials: `client_id` and `client_secret` (for `POST /api/Token`), `event_key` (the value of the
    custom header configured on the event subscription).
    """

    kind: ClassVar[str] = "omnium"
    wants_placed: ClassVar[bool] = True
    """The router sends a `placed` event once a shipment's WMS order exists: `mark_in_warehouse`."""

    @classmethod
    def check_settings(cls, settings: Mapping[str, object]) -> None:
        """Validate `source.settings` before the source is saved (InputError naming `settings.<field>`)."""
        parse_settings(settings)

    def __init__(self, context: ConnectorContext, *, sleep: Callable[[float], Awaitable[None]] | None = None) -> None:
        self.source = context.source
        self.settings = parse_settings(context.source.settings)
        self._credentials = parse_credentials(context.credentials)
        s = self.settings
        self.client = OmniumClient(
            base_url=s.base_url,
            client_id=self._credentials.client_id,
            client_secret=self._credentials.client_secret,
            http=context.http,
            timeout=s.timeout_seconds,
            max_concurrency=s.max_concurrency,
            batch_concurrency=s.batch_concurrency,
            attempts=s.retry_attempts,
            max_retry_after=s.max_retry_after_seconds,
            sleep=sleep,
        )
        self._pushed: dict[str, StockTarget] = {}

    def __repr__(self) -> str:
        return f"OmniumConnector(source={self.source.name!r}, base_url={self.settings.base_url!r})"

    async def aclose(self) -> None:
        """Release the HTTP client if the connector made its own."""
        await self.client.aclose()

    @property
    def poll_interval(self) -> float:
        """Seconds between pulls (`settings.poll_interval_seconds`)."""
        return self.settings.poll_interval_seconds

    # --- inbound ----------------------------------------------------------------------------------

    async def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Omnium signs nothing: the configured custom header must carry `event_key` (constant-time compare)."""
        del body
        expected = self._credentials.event_key
        given = _header(headers, self.settings.event_header)
        if not expected or given is None or not hmac.compare_digest(given.encode(), expected.encode()):
            raise AuthenticationFailed

    def normalize(self, body: bytes, headers: Mapping[str, str]) -> CanonicalOrder | SourceCancellation | Ignored:
        """A stored order document + its shipment header → one canonical order (or its cancellation).

        An event body (metadata only) → Ignored: the router fetches the order it refers to (`references`).
        """
        shipment_id = _header(headers, SHIPMENT_HEADER)
        if shipment_id is None:
            event = self._event(body)
            if event.class_name is not None and event.class_name != "Order":
                return Ignored(reason=f"{event.class_name} events carry no orders")
            return Ignored(reason=f"event {event.category or ''} for order {event.object_id}: the order is fetched")
        try:
            order = _order_decoder.decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise decode_error_to_input_error(exc) from exc
        if not shipment_id:
            raise InputError("the order has no shipment to send", field="orderForm.shipments")
        return to_canonical(order, shipment_id, self.settings)

    def references(self, body: bytes, headers: Mapping[str, str]) -> tuple[str, ...]:
        """The order an event refers to (fetched by the router in the source's lane); none for other classes."""
        del headers
        order_id = self.event_order_id(body)
        return (order_id,) if order_id else ()

    async def fetch(self, reference: str) -> tuple[PulledPayload, ...]:
        """The order an event referred to, one payload per shipment (`fetch_order`)."""
        return await self.fetch_order(reference)

    def event_order_id(self, body: bytes) -> str | None:
        """The order an event is about (`objectId`), or None for events of other classes. Pure."""
        event = self._event(body)
        return event.object_id if event.class_name in {None, "Order"} else None

    @staticmethod
    def _event(body: bytes) -> Event:
        try:
            event = _event_decoder.decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise decode_error_to_input_error(exc) from exc
        if event.class_name in {None, "Order"} and not (event.object_id or "").strip():
            raise InputError("an order event must name its order", field="objectId")
        return event

    async def fetch_order(self, order_id: str) -> tuple[PulledPayload, ...]:
        """`GET /api/Orders/{id}` as raw payloads, one per shipment (the event path)."""
        raw = await self.client.call("GET", f"/api/Orders/{order_id}", type_=msgspec.Raw)
        try:
            head = msgspec.json.decode(raw, type=OrderHead)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise FatalUpstreamError(f"GET /api/Orders/{order_id}: unexpected response ({exc})") from None
        return payloads(bytes(raw), head)

    async def pull(self, cursor: str | None) -> PullPage:
        """One page of `Orders/Search` changed since the cursor (with overlap), each order once per version."""
        position = decode_cursor(cursor, self.settings)
        query = search_request(position, self.settings)
        result = await self.client.call(
            "POST", "/api/Orders/Search", json=query, type_=RawSearchResult, idempotent=True
        )
        return next_page(position, result, self.settings)

    # --- outbound ---------------------------------------------------------------------------------

    async def _shipment(self, source_order_number: str) -> tuple[Order, Shipment]:
        try:
            number, shipment_id = split_source_order_number(source_order_number)
        except ValueError as exc:
            raise FatalUpstreamError(str(exc)) from None
        query = SearchRequest(take=2, order_number=number, disable_facets=True)
        found = await self.client.call("POST", "/api/Orders/Search", json=query, type_=SearchResult, idempotent=True)
        order = next((o for o in found.result if (o.order_number or o.id) == number), None)
        if order is None:
            raise FatalUpstreamError(f"Omnium has no order {number}", upstream_status=404)
        shipment = next((s for s in order.order_form.shipments if s.shipment_id == shipment_id), None)
        if shipment is None:
            raise FatalUpstreamError(f"Omnium order {number} has no shipment {shipment_id}", upstream_status=404)
        return order, shipment

    async def _run(self, order: Order, call: UpdateStatusPatch | LineItemStatusPatch) -> None:
        action = "UpdateStatus" if isinstance(call, UpdateStatusPatch) else "OrderLinesUpdate"
        path = f"/api/Orders/{order.id}/{action}"
        result = await self.client.call("POST", path, json=call, type_=WorkflowResult)
        if result.is_aborted:
            reasons = "; ".join(r.error_reason for r in result.order_action_execution_results if r.error_reason)
            raise FatalUpstreamError(f"{action} of order {order.id}: the workflow aborted ({reasons or 'no reason'})")

    async def report(self, event: WarehouseEvent) -> None:
        """Tell Omnium about one shipment; a shipment that already carries the event's key is left alone."""
        order, shipment = await self._shipment(event.source_order_number)
        if reporting.already_applied(shipment, event.idempotency_key, self.settings):
            return
        names = self.settings.statuses
        match event.kind:
            case EventKind.SHIPPED:
                await self._run(order, reporting.shipped_call(order, shipment, event, self.settings))
            case EventKind.CANCELLED | EventKind.PICKED | EventKind.RETURNED:
                status = {EventKind.CANCELLED: names.cancelled, EventKind.PICKED: names.picked}.get(
                    event.kind, names.returned
                )
                if status is not None:
                    await self._run(order, reporting.status_call(shipment, event, self.settings, status))
            case EventKind.REJECTED:
                await self._reject(order, shipment, event)
            case EventKind.PLACED:
                if event.wms_order_id is None:
                    raise FatalUpstreamError("a placed event without the WMS order id")
                await self._mark_in_warehouse(order, shipment, event.wms_order_id)
            case EventKind.RECEIVED:  # goods received on a purchase order: Omnium sends the router none
                return

    async def _reject(self, order: Order, shipment: Shipment, event: WarehouseEvent) -> None:
        status = self.settings.statuses.rejected
        if status is not None:
            await self._run(order, reporting.status_call(shipment, event, self.settings, status))
            return
        key = f"routerRejected{shipment.shipment_id}"
        patch = PatchOrder(properties=[PropertyOut(key=key, value=event.reason or "rejected by the warehouse")])
        await self.client.call("PATCH", f"/api/Orders/{order.id}/PatchOrder", json=patch, type_=object)

    async def mark_in_warehouse(self, source_order_number: str, wms_order_id: int) -> None:
        """The shipment's WMS order exists: store its id on the shipment (PatchOrder), set `in_warehouse`."""
        order, shipment = await self._shipment(source_order_number)
        await self._mark_in_warehouse(order, shipment, wms_order_id)

    async def _mark_in_warehouse(self, order: Order, shipment: Shipment, wms_order_id: int) -> None:
        reference = ExternalIdOut(provider_name=self.settings.wms_provider, id=str(wms_order_id))
        if not any(e.provider_name == reference.provider_name and e.id == reference.id for e in shipment.external_ids):
            shipments = [ShipmentPatch(shipment_id=shipment.shipment_id, external_ids=[reference])]
            patch = PatchOrder(order_form=OrderFormPatch(shipments=shipments))
            await self.client.call("PATCH", f"/api/Orders/{order.id}/PatchOrder", json=patch, type_=object)
        status = self.settings.statuses.in_warehouse
        current = shipment.order_status or order.status
        if status is None or current == status or current not in self.settings.import_statuses:
            return  # already there, or further along (shipped, cancelled): never move a shipment backwards
        info = ShipmentInfo(shipment_id=shipment.shipment_id, order_status=status)
        await self._run(order, UpdateStatusPatch(status=status, shipment_info=info))

    async def push_stock(self, targets: Sequence[StockTarget]) -> None:
        """`PUT /api/Inventory/UpdateMany` in batches; older versions and values already sent are skipped."""
        warehouse = self.settings.inventory_warehouse_code
        if warehouse is None:
            raise FatalUpstreamError("settings.inventory_warehouse_code is required to push stock to Omnium")
        newest: dict[str, StockTarget] = {}
        for target in targets:
            if target.article_number not in newest or target.version > newest[target.article_number].version:
                newest[target.article_number] = target
        due: list[StockTarget] = []
        for target in newest.values():
            pushed = self._pushed.get(target.article_number)
            if pushed is not None and target.version <= pushed.version:
                continue
            if pushed is not None and target.available == pushed.available:
                self._pushed[target.article_number] = target
                continue
            due.append(target)
        size = self.settings.inventory_batch_size
        for start in range(0, len(due), size):
            batch = due[start : start + size]
            items = [
                InventoryItem(sku=t.article_number, warehouse_code=warehouse, inventory=t.available) for t in batch
            ]
            params = {"isReservedInventoryOverwritten": "false"}
            await self.client.call(
                "PUT", "/api/Inventory/UpdateMany", json=items, params=params, type_=object, batch=True
            )
            self._pushed.update({t.article_number: t for t in batch})
