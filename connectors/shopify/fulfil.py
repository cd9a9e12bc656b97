"""Plan a Shopify fulfillment from a shipped event: which fulfillment-order lines, how many (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import msgspec

from connectors.shopify.models import FulfillmentOrder
from router.domain import EventLine

__all__ = ["FULFILLABLE_STATUSES", "FulfillmentPlan", "PlanError", "plan_fulfillment"]

FULFILLABLE_STATUSES = frozenset({"open", "in_progress"})
"""Fulfillment orders that can still take a fulfillment."""


class PlanError(ValueError):
    """The event cannot be applied to this order (an unknown line, a fractional quantity)."""


class FulfillmentPlan(msgspec.Struct, frozen=True, kw_only=True):
    """`line_items_by_fulfillment_order` for one `POST fulfillments.json`, plus what did not fit."""

    by_fulfillment_order: list[dict[str, Any]]
    already_fulfilled: dict[str, int]
    """Event line id to the quantity that had nothing left to fulfil (a repeat of an applied event)."""


def _whole(quantity: Decimal, line_id: str) -> int:
    if quantity != quantity.to_integral_value() or quantity <= 0:
        raise PlanError(f"line {line_id}: Shopify fulfils whole positive quantities, not {quantity}")
    return int(quantity)


def plan_fulfillment(orders: Sequence[FulfillmentOrder], lines: Sequence[EventLine]) -> FulfillmentPlan:
    """Map event lines (line id = Shopify line item id) onto open fulfillment-order lines.

    No lines means the whole remaining order: every open fulfillment order without a line list.
    A quantity beyond what is still fulfillable is clamped and reported in `already_fulfilled`: the
    usual cause is the repeat of an event that was applied before the router recorded it.
    """
    open_orders = [fo for fo in orders if fo.status in FULFILLABLE_STATUSES]
    if not lines:
        whole = [
            {"fulfillment_order_id": fo.id}
            for fo in open_orders
            if any(line.fulfillable_quantity > 0 for line in fo.line_items)
        ]
        return FulfillmentPlan(by_fulfillment_order=whole, already_fulfilled={})
    known = {line.line_item_id for fo in orders for line in fo.line_items}
    wanted: dict[int, list[dict[str, int]]] = {}
    left_over: dict[str, int] = {}
    remaining_by_fo_line = {line.id: line.fulfillable_quantity for fo in open_orders for line in fo.line_items}
    for event_line in lines:
        try:
            line_item_id = int(event_line.line_id)
        except ValueError:
            raise PlanError(f"line id {event_line.line_id!r} is not a Shopify line item id") from None
        if line_item_id not in known:
            raise PlanError(f"line item {line_item_id} is not part of this order")
        remaining = _whole(event_line.quantity, event_line.line_id)
        for fo in open_orders:
            for line in fo.line_items:
                take = min(remaining, remaining_by_fo_line[line.id]) if line.line_item_id == line_item_id else 0
                if take > 0:
                    remaining -= take
                    remaining_by_fo_line[line.id] -= take
                    _add(wanted.setdefault(fo.id, []), line.id, take)
        if remaining:
            left_over[event_line.line_id] = remaining
    plan = [{"fulfillment_order_id": fo_id, "fulfillment_order_line_items": items} for fo_id, items in wanted.items()]
    return FulfillmentPlan(by_fulfillment_order=plan, already_fulfilled=left_over)


def _add(items: list[dict[str, int]], line_id: int, quantity: int) -> None:
    for item in items:
        if item["id"] == line_id:
            item["quantity"] += quantity
            return
    items.append({"id": line_id, "quantity": quantity})
