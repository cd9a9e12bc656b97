from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.shopify.fulfil import PlanError, plan_fulfillment
from connectors.shopify.models import FulfillmentOrder, FulfillmentOrderLine
from router.domain import EventLine


def fo(fo_id: int, status: str, *lines: tuple[int, int, int, int]) -> FulfillmentOrder:
    """lines: (fo line id, order line item id, quantity, fulfillable)."""
    return FulfillmentOrder(
        id=fo_id,
        status=status,
        line_items=[
            FulfillmentOrderLine(id=i, line_item_id=li, quantity=q, fulfillable_quantity=f) for i, li, q, f in lines
        ],
    )


def line(line_id: str, quantity: int | str) -> EventLine:
    return EventLine(line_id=line_id, article_number="A", quantity=Decimal(quantity))


ORDERS = [
    fo(1, "open", (11, 100, 2, 2), (12, 200, 1, 1)),
    fo(2, "in_progress", (21, 100, 3, 1)),  # the same order line, partly at another location
    fo(3, "closed", (31, 300, 1, 0)),
]


def test_no_lines_fulfils_every_open_fulfillment_order_in_full() -> None:
    plan = plan_fulfillment(ORDERS, [])
    assert plan.by_fulfillment_order == [{"fulfillment_order_id": 1}, {"fulfillment_order_id": 2}]


def test_lines_map_to_fulfillment_order_lines_by_line_item_id() -> None:
    plan = plan_fulfillment(ORDERS, [line("200", 1), line("100", 1)])
    assert plan.by_fulfillment_order == [
        {
            "fulfillment_order_id": 1,
            "fulfillment_order_line_items": [{"id": 12, "quantity": 1}, {"id": 11, "quantity": 1}],
        }
    ]
    assert plan.already_fulfilled == {}


def test_a_line_spread_over_two_fulfillment_orders_takes_from_both() -> None:
    plan = plan_fulfillment(ORDERS, [line("100", 3)])
    assert plan.by_fulfillment_order == [
        {"fulfillment_order_id": 1, "fulfillment_order_line_items": [{"id": 11, "quantity": 2}]},
        {"fulfillment_order_id": 2, "fulfillment_order_line_items": [{"id": 21, "quantity": 1}]},
    ]


def test_more_than_is_fulfillable_is_clamped_and_reported() -> None:
    plan = plan_fulfillment(ORDERS, [line("100", 5), line("300", 1)])
    assert plan.already_fulfilled == {"100": 2, "300": 1}
    assert sum(i["quantity"] for g in plan.by_fulfillment_order for i in g["fulfillment_order_line_items"]) == 3


@pytest.mark.parametrize("bad", [line("999", 1), line("abc", 1), line("100", "1.5"), line("100", 0)])
def test_unknown_lines_and_fractions_are_plan_errors(bad: EventLine) -> None:
    with pytest.raises(PlanError):
        plan_fulfillment(ORDERS, [bad])
