"""Pure rules for changing an order: UpdateStatus, OrderLinesUpdate, PatchOrder, and the search filter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import msgspec

from simulators.omnium.wire import (
    ExternalId,
    LineItem,
    LineItemStatusPatch,
    Order,
    OrderPatch,
    Property,
    SearchRequest,
    Shipment,
    ShipmentInfo,
    UpdateStatusPatch,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "COMPLETED",
    "PARTIALLY_SHIPPED",
    "STATUSES",
    "OrderRuleError",
    "apply_lines_update",
    "apply_patch",
    "apply_update_status",
    "matches",
    "sort_key",
]

COMPLETED = "Completed"
PARTIALLY_SHIPPED = "PartiallyShipped"
STATUSES = frozenset(
    {
        "New",
        "InProgress",
        "InProgressWarehouse",
        "ReadyForShipment",
        PARTIALLY_SHIPPED,
        "InTransit",
        "ReadyForPickup",
        "PickedUp",
        COMPLETED,
        "OrderCanceled",
        "PartiallyReturned",
        "Returned",
    }
)
"""The statuses configured for every order type in the simulated tenant (a real tenant configures its own)."""

_replace = msgspec.structs.replace
ZERO = Decimal(0)


class OrderRuleError(ValueError):
    """A request the real API answers with 400 (validation)."""


def _check_status(status: str | None, field: str) -> None:
    if status is not None and status not in STATUSES:
        raise OrderRuleError(f"{field}: '{status}' is not a status of this order type")


def _merge_ids(current: Sequence[ExternalId], incoming: Iterable[ExternalId] | None) -> list[ExternalId]:
    merged = list(current)
    for item in incoming or ():
        if item not in merged:
            merged.append(item)
    return merged


def _merge_properties(current: Sequence[Property], incoming: Iterable[Property] | None) -> list[Property]:
    by_key = {p.key: p for p in current}
    for item in incoming or ():
        by_key[item.key] = item
    return list(by_key.values())


def _deliver_all(lines: Sequence[LineItem]) -> list[LineItem]:
    return [_replace(line, delivered_quantity=line.quantity - line.canceled_quantity) for line in lines]


def _shipment_status(order: Order, shipment: Shipment) -> str | None:
    return shipment.order_status or order.status


def _derive_order_status(order: Order, shipments: Sequence[Shipment], fallback: str | None) -> str | None:
    """One shared shipment status becomes the order's; otherwise PartiallyShipped once anything left."""
    statuses = {_shipment_status(order, s) for s in shipments}
    if len(statuses) == 1:
        return statuses.pop()
    if any(line.delivered_quantity > 0 for s in shipments for line in s.line_items):
        return PARTIALLY_SHIPPED
    return fallback


def _sync_form_lines(form_lines: Sequence[LineItem], shipments: Sequence[Shipment]) -> list[LineItem]:
    """The order form's delivered quantity of a line is the sum over the shipments carrying it."""
    result = []
    for line in form_lines:
        carried = [sl for s in shipments for sl in s.line_items if sl.line_item_id == line.line_item_id]
        if carried:
            line = _replace(line, delivered_quantity=sum((sl.delivered_quantity for sl in carried), ZERO))  # noqa: PLW2901
        result.append(line)
    return result


def _apply_info(shipment: Shipment, info: ShipmentInfo, status: str) -> Shipment:
    """Copy shipmentInfo onto the stored shipment (trackingNumber → shipmentTrackingNumber, ...)."""
    return _replace(
        shipment,
        prev_status=shipment.order_status,
        order_status=status,
        status=status,
        shipment_tracking_number=info.tracking_number or shipment.shipment_tracking_number,
        shipment_tracking_link=info.tracking_url or shipment.shipment_tracking_link,
        shipment_label_link=info.label_link or shipment.shipment_label_link,
        return_tracking_number=info.return_tracking_number or shipment.return_tracking_number,
        return_tracking_link=info.return_tracking_link or shipment.return_tracking_link,
        return_label_link=info.return_label_link or shipment.return_label_link,
        shipping_method_name=info.shipment_method_name or shipment.shipping_method_name,
        shipping_method_product_id=info.shipping_method_product_id or shipment.shipping_method_product_id,
        warehouse_code=info.warehouse_code or shipment.warehouse_code,
        service_point_id=info.service_point_id or shipment.service_point_id,
        packages=info.packages if info.packages is not None else shipment.packages,
        external_ids=_merge_ids(shipment.external_ids, info.external_ids),
        properties=_merge_properties(shipment.properties, info.properties),
        comment=info.comment or shipment.comment,
    )


def _shipment_index(order: Order, shipment_id: str | None) -> int | None:
    for index, shipment in enumerate(order.order_form.shipments):
        if shipment.shipment_id == shipment_id:
            return index
    return None


def _touch(order: Order, now: dt.datetime, **changes: object) -> Order:
    version = int(order.version_id or "0") + 1 if (order.version_id or "0").isdigit() else 1
    return _replace(order, modified=now, version_id=str(version), **changes)


def apply_update_status(order: Order, patch: UpdateStatusPatch, now: dt.datetime) -> Order:
    """UpdateStatus: with `shipmentInfo` the status lands on that shipment only (order status derived)."""
    _check_status(patch.status, "status")
    info = patch.shipment_info
    form = order.order_form
    if info is None:
        shipments = [
            _replace(s, prev_status=s.order_status, order_status=patch.status, status=patch.status)
            for s in form.shipments
        ]
        if patch.status == COMPLETED:
            shipments = [_replace(s, line_items=_deliver_all(s.line_items)) for s in shipments]
        new_status: str | None = patch.status
    else:
        _check_status(info.order_status, "shipmentInfo.orderStatus")
        target = info.order_status or patch.status
        shipments = list(form.shipments)
        index = _shipment_index(order, info.shipment_id)
        if index is None:  # a shipmentId that does not exist yet creates one (as OrderLinesUpdate does)
            shipments.append(Shipment(shipment_id=info.shipment_id or str(len(shipments) + 1)))
            index = len(shipments) - 1
        shipment = _apply_info(shipments[index], info, target)
        if target == COMPLETED:
            shipment = _replace(shipment, line_items=_deliver_all(shipment.line_items))
        shipments[index] = shipment
        new_status = _derive_order_status(order, shipments, fallback=order.status)
    new_form = _replace(form, shipments=shipments, line_items=_sync_form_lines(form.line_items, shipments))
    completed = now if new_status == COMPLETED else order.completed
    return _touch(order, now, order_form=new_form, status=new_status, completed=completed)


def apply_lines_update(order: Order, patch: LineItemStatusPatch, now: dt.datetime) -> Order:
    """OrderLinesUpdate: absolute delivered/cancelled quantities per line, in one shipment."""
    _check_status(patch.status, "status")
    info = patch.shipment_info or ShipmentInfo(shipment_id=None)
    form = order.order_form
    shipments = list(form.shipments)
    index = _shipment_index(order, info.shipment_id) if info.shipment_id is not None else 0
    if index is None or not shipments:  # unknown shipmentId: a new shipment carrying the updated lines
        shipments.append(Shipment(shipment_id=info.shipment_id or str(len(shipments) + 1)))
        index = len(shipments) - 1
    shipment = shipments[index]
    lines = {line.line_item_id: line for line in shipment.line_items}
    form_lines = {line.line_item_id: line for line in form.line_items}
    for position, update in enumerate(patch.line_item_updates):
        line = lines.get(update.line_item_id) or form_lines.get(update.line_item_id)
        if line is None:
            raise OrderRuleError(f"lineItemUpdates[{position}].lineItemId: no line '{update.line_item_id}'")
        delivered = line.delivered_quantity if update.delivered_quantity is None else update.delivered_quantity
        canceled = line.canceled_quantity if update.canceled_quantity is None else update.canceled_quantity
        if delivered < 0 or canceled < 0 or delivered + canceled > line.quantity:
            raise OrderRuleError(f"lineItemUpdates[{position}]: quantities exceed the line's {line.quantity}")
        lines[update.line_item_id] = _replace(line, delivered_quantity=delivered, canceled_quantity=canceled)
    status = patch.status or _shipment_status(order, shipment) or "New"
    shipment = _apply_info(_replace(shipment, line_items=list(lines.values())), info, status)
    shipments[index] = shipment
    new_status = _derive_order_status(order, shipments, fallback=order.status)
    if new_status != COMPLETED and any(line.delivered_quantity > 0 for s in shipments for line in s.line_items):
        new_status = PARTIALLY_SHIPPED
    new_form = _replace(form, shipments=shipments, line_items=_sync_form_lines(form.line_items, shipments))
    completed = now if new_status == COMPLETED else order.completed
    return _touch(order, now, order_form=new_form, status=new_status, completed=completed)


def apply_patch(order: Order, patch: OrderPatch, now: dt.datetime) -> tuple[Order, bool]:
    """PatchOrder: merge external ids, properties, tags, and per-shipment external ids and properties."""
    form = order.order_form
    shipments = list(form.shipments)
    for shipment_patch in (patch.order_form.shipments if patch.order_form else None) or ():
        index = _shipment_index(order, shipment_patch.shipment_id)
        if index is None:
            raise OrderRuleError(f"orderForm.shipments: no shipment '{shipment_patch.shipment_id}'")
        shipments[index] = _replace(
            shipments[index],
            external_ids=_merge_ids(shipments[index].external_ids, shipment_patch.external_ids),
            properties=_merge_properties(shipments[index].properties, shipment_patch.properties),
        )
    changed = _replace(
        order,
        external_ids=_merge_ids(order.external_ids, patch.external_ids),
        properties=_merge_properties(order.properties, patch.properties),
        tags=sorted(set(order.tags) | set(patch.tags or ())),
        order_form=_replace(form, shipments=shipments),
    )
    if changed == order:
        return order, False
    return _touch(changed, now), True


def matches(order: Order, query: SearchRequest) -> bool:
    """Whether an order passes the search filters (`modifiedFrom` inclusive)."""
    checks = (
        query.modified_from is None or (order.modified is not None and order.modified >= query.modified_from),
        query.modified_to is None or (order.modified is not None and order.modified <= query.modified_to),
        query.created_from is None or (order.created is not None and order.created >= query.created_from),
        query.created_to is None or (order.created is not None and order.created <= query.created_to),
        not query.selected_statuses or order.status in query.selected_statuses,
        not query.excluded_statuses or order.status not in query.excluded_statuses,
        not query.selected_stores or order.store_id in query.selected_stores,
        not query.selected_markets or order.market_id in query.selected_markets,
        query.order_type is None or order.order_type == query.order_type,
        query.order_number is None or order.order_number == query.order_number,
        not query.external_ids or any(e.id in query.external_ids for e in order.external_ids),
    )
    return all(checks)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
SortKey = Callable[[Order], tuple[dt.datetime, str]]
SORTS: dict[str, tuple[SortKey, bool]] = {
    "CreatedAscending": (lambda o: (o.created or _EPOCH, o.id), False),
    "CreatedDescending": (lambda o: (o.created or _EPOCH, o.id), True),
    "ModifiedAscending": (lambda o: (o.modified or _EPOCH, o.id), False),
    "ModifiedDescending": (lambda o: (o.modified or _EPOCH, o.id), True),
    "DocumentId": (lambda o: (_EPOCH, o.id), False),
}


def sort_key(sort_order: str | None) -> tuple[SortKey, bool]:
    """The key function and direction of a `sortOrder` (default CreatedDescending)."""
    name = sort_order or "CreatedDescending"
    if name not in SORTS:
        raise OrderRuleError(f"sortOrder: unknown value '{name}'")
    return SORTS[name]
