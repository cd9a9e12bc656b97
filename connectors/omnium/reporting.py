"""Pure builders of the calls that tell Omnium what the warehouse did with one shipment."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from connectors.omnium.models import (
    ExternalIdOut,
    LineItemStatusPatch,
    LineItemUpdate,
    ShipmentInfo,
    UpdateStatusPatch,
)
from router.errors import FatalUpstreamError

if TYPE_CHECKING:
    from connectors.omnium.models import LineItem, Order, Shipment
    from connectors.omnium.settings import OmniumSettings
    from router.domain import WarehouseEvent

__all__ = ["already_applied", "shipment_lines", "shipped_call", "status_call"]


def already_applied(shipment: Shipment, key: str, settings: OmniumSettings) -> bool:
    """Whether the shipment already carries this event's idempotency key as an external id."""
    return any(e.provider_name == settings.idempotency_provider and e.id == key for e in shipment.external_ids)


def shipment_lines(order: Order, shipment: Shipment) -> list[LineItem]:
    """The shipment's lines (a single shipment without lines of its own ships the order form's)."""
    if not shipment.line_items and len(order.order_form.shipments) == 1:
        return list(order.order_form.line_items)
    return list(shipment.line_items)


def _transporter_name(code: str | None, settings: OmniumSettings) -> str | None:
    """The WMS transporter code back to Omnium's shipping method name where the mapping is one-to-one."""
    if code is None:
        return None
    names = [name for name, mapped in settings.transporters.items() if mapped == code]
    return names[0] if len(names) == 1 else code


def _info(shipment: Shipment, event: WarehouseEvent, settings: OmniumSettings, status: str | None) -> ShipmentInfo:
    return ShipmentInfo(
        shipment_id=shipment.shipment_id,
        order_status=status,
        shipment_method_name=_transporter_name(event.transporter, settings),
        tracking_number=event.way_bill,
        tracking_url=event.tracking_url,
        comment=event.reason,
        external_ids=[ExternalIdOut(provider_name=settings.idempotency_provider, id=event.idempotency_key)],
    )


def status_call(shipment: Shipment, event: WarehouseEvent, settings: OmniumSettings, status: str) -> UpdateStatusPatch:
    """UpdateStatus of this shipment only (`shipmentInfo.orderStatus`), carrying the event's key."""
    return UpdateStatusPatch(status=status, shipment_info=_info(shipment, event, settings, status))


def shipped_call(
    order: Order, shipment: Shipment, event: WarehouseEvent, settings: OmniumSettings
) -> UpdateStatusPatch | LineItemStatusPatch:
    """A full shipment → UpdateStatus `shipped`; a partial one → OrderLinesUpdate with absolute delivered quantities."""
    lines = shipment_lines(order, shipment)
    if not event.lines:
        return status_call(shipment, event, settings, settings.statuses.shipped)
    delivered = {line.line_item_id: line.delivered_quantity or Decimal(0) for line in lines}
    due = {line.line_item_id: line.quantity - (line.canceled_quantity or Decimal(0)) for line in lines}
    touched: list[str] = []
    for event_line in event.lines:
        line_id = event_line.line_id if event_line.line_id in due else _by_article(lines, event_line.article_number)
        if line_id is None:
            msg = f"shipment {shipment.shipment_id} has no line {event_line.line_id!r} ({event_line.article_number})"
            raise FatalUpstreamError(msg)
        delivered[line_id] = min(due[line_id], delivered[line_id] + event_line.quantity)
        if line_id not in touched:
            touched.append(line_id)
    if all(delivered[line_id] >= due[line_id] for line_id in due):
        return status_call(shipment, event, settings, settings.statuses.shipped)
    status = settings.statuses.partially_shipped
    return LineItemStatusPatch(
        status=status,
        line_item_updates=[LineItemUpdate(line_item_id=i, delivered_quantity=delivered[i]) for i in touched],
        shipment_info=_info(shipment, event, settings, status),
    )


def _by_article(lines: list[LineItem], article: str) -> str | None:
    return next((line.line_item_id for line in lines if line.code == article), None)
