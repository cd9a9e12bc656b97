"""Warehouse events to WooCommerce: completed with tracking meta and notes, cancelled, rejected, returned."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import structlog

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.models import OrderState
from connectors.woocommerce.settings import WooSettings
from router.domain import EventKind, WarehouseEvent
from router.errors import FatalUpstreamError

__all__ = ["SHIPMENTS_META_KEY", "WooReporter"]

log = structlog.get_logger(__name__)

SHIPMENTS_META_KEY = "_order_router_shipments"
"""Order meta the router keeps: one entry per applied shipped event (key, waybill, quantities per line)."""
_CLOSED = frozenset({"cancelled", "refunded", "trash"})


class _Shipment(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    way_bill: str | None = None
    lines: dict[str, int] = msgspec.field(default_factory=dict)


class WooReporter:
    """Applies events idempotently: shipments are recorded in order meta, notes carry `[router:<key>]`."""

    def __init__(self, client: WooClient, settings: WooSettings) -> None:
        self.client = client
        self.settings = settings
        self._order_ids: dict[str, int] = {}

    async def report(self, event: WarehouseEvent) -> None:
        """Apply one event to the order it belongs to."""
        match event.kind:
            case EventKind.SHIPPED:
                await self._shipped(event)
            case EventKind.CANCELLED:
                await self._cancelled(event)
            case EventKind.REJECTED:
                reason = event.reason or "the change came too late"
                await self._note(await self._order(event), event, f"Warehouse: {reason}", customer=False)
            case EventKind.RETURNED:
                returned = ", ".join(f"{line.article_number} x {line.quantity}" for line in event.lines) or "goods"
                await self._note(
                    await self._order(event), event, f"Returned to the warehouse: {returned}", customer=False
                )
            case EventKind.PLACED | EventKind.PICKED | EventKind.RECEIVED:
                log.info("woocommerce.report.not_applicable", kind=event.kind.value, order=event.source_order_number)

    async def _order(self, event: WarehouseEvent) -> OrderState:
        number = event.source_order_number
        order_id = self._order_ids.get(number)
        if order_id is not None:
            return await self.client.order(order_id)
        found = await self.client.find_order(number)
        if found is None:
            raise FatalUpstreamError(f"WooCommerce has no order {number}", upstream_status=404)
        self._order_ids[number] = found.id
        return found

    async def _note(self, order: OrderState, event: WarehouseEvent, text: str, *, customer: bool) -> None:
        """Add a note once: a note already carrying this event's marker is not added again."""
        marker = f"[router:{event.idempotency_key}]"
        if any(marker in note.note for note in await self.client.notes(order.id)):
            return
        await self.client.add_note(order.id, f"{text} {marker}", customer_note=customer)

    async def _cancelled(self, event: WarehouseEvent) -> None:
        order = await self._order(event)
        if order.status not in _CLOSED:
            await self.client.update_order(order.id, {"status": "cancelled"})
        reason = f": {event.reason}" if event.reason else ""
        await self._note(order, event, f"Cancelled by the warehouse{reason}", customer=False)

    async def _shipped(self, event: WarehouseEvent) -> None:
        order = await self._order(event)
        shipments = _shipments(order.meta(SHIPMENTS_META_KEY))
        if any(shipment.key == event.idempotency_key for shipment in shipments):
            return
        company = event.transporter and self.settings.tracking_companies.get(event.transporter, event.transporter)
        if self.settings.tracking_note:
            parts = [p for p in ("Shipped:", company, event.way_bill, event.tracking_url) if p]
            await self._note(order, event, " ".join(parts), customer=self.settings.tracking_note_to_customer)
        shipment = _Shipment(
            key=event.idempotency_key,
            way_bill=event.way_bill,
            lines={line.line_id: int(line.quantity) for line in event.lines},
        )
        shipments.append(shipment)
        meta: list[dict[str, Any]] = [{"key": SHIPMENTS_META_KEY, "value": msgspec.to_builtins(shipments)}]
        if event.way_bill:
            items = order.meta(self.settings.tracking_meta_key)
            tracking = list(items) if isinstance(items, list) else []
            tracking.append(
                {
                    "tracking_provider": "",
                    "custom_tracking_provider": company or "",
                    "custom_tracking_link": event.tracking_url or "",
                    "tracking_number": event.way_bill,
                    "date_shipped": str(int(event.occurred_at.timestamp())),
                }
            )
            meta.append({"key": self.settings.tracking_meta_key, "value": tracking})
        changes: dict[str, Any] = {"meta_data": meta}
        if order.status != "completed" and _all_shipped(order, shipments):
            changes["status"] = "completed"
        await self.client.update_order(order.id, changes)


def _shipments(value: object) -> list[_Shipment]:
    try:
        return msgspec.convert(value or [], list[_Shipment])
    except msgspec.ValidationError:
        log.warning("woocommerce.report.unreadable_shipments_meta")
        return []


def _all_shipped(order: OrderState, shipments: list[_Shipment]) -> bool:
    """An event without lines ships everything; otherwise every line's quantities must be covered."""
    if any(not shipment.lines for shipment in shipments):
        return True
    shipped: dict[str, Decimal] = {}
    for shipment in shipments:
        for line_id, quantity in shipment.lines.items():
            shipped[line_id] = shipped.get(line_id, Decimal(0)) + quantity
    return all(shipped.get(str(line.id), Decimal(0)) >= line.quantity for line in order.line_items)
