from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from connectors.generic import GenericConnector
from router.domain import CanonicalOrder
from router.errors import InputError


def order(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "order_number": "5178",
        "lines": [{"article_number": "A-1", "quantity": 2, "unit_price": "99.50"}],
        "ship_to": {
            "name": "Anna",
            "address1": "Gatan 1",
            "postcode": "11122",
            "city": "Stockholm",
            "country_code": "SE",
        },
    }
    base.update(changes)
    return base


def normalize(payload: object) -> CanonicalOrder:
    result = GenericConnector.normalize(None, json.dumps(payload).encode(), {})  # type: ignore[arg-type]
    assert isinstance(result, CanonicalOrder)
    return result


def test_a_valid_order_becomes_canonical_with_line_ids() -> None:
    result = normalize(order())
    assert result.order_number == "5178"
    assert result.lines[0].line_id == "1"
    assert result.lines[0].quantity == Decimal(2)
    assert result.lines[0].unit_price == Decimal("99.50")
    assert result.ship_to.city == "Stockholm"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (order(ship_to="Gatan 1, 11122 Stockholm, SE"), "ship_to"),
        (order(ship_to={"name": "A", "address1": "G", "postcode": "1", "country_code": "SE"}), "ship_to.city"),
        (
            order(ship_to={"name": "A", "address1": "G", "postcode": "1", "city": "S", "country_code": "XX"}),
            "ship_to.country_code",
        ),
        (order(lines=[{"article_number": "", "quantity": 1}]), "lines[0].article_number"),
        (order(lines=[{"article_number": "A_1", "quantity": 1}]), "lines[0].article_number"),
        (order(lines=[{"article_number": "A", "quantity": 0}]), "lines[0].quantity"),
        (order(lines=[{"article_number": "A", "quantity": -1}]), "lines[0].quantity"),
        (order(lines=[{"article_number": "A", "quantity": "NaN"}]), "lines[0].quantity"),
        (order(lines=[]), "lines"),
        (
            order(
                lines=[
                    {"article_number": "A", "quantity": 1, "line_id": "x"},
                    {"article_number": "B", "quantity": 1, "line_id": "x"},
                ]
            ),
            "lines[1].line_id",
        ),
        (order(currency="kronor"), "currency"),
        ([], "body"),
    ],
)
def test_bad_input_names_the_field(payload: object, field: str) -> None:
    with pytest.raises(InputError) as err:
        normalize(payload)
    assert err.value.field == field


def test_invalid_json_is_an_input_error_on_the_body() -> None:
    with pytest.raises(InputError) as err:
        GenericConnector.normalize(None, b"{nope", {})  # type: ignore[arg-type]
    assert err.value.field == "body"
