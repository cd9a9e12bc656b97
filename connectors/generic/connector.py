"""GenericConnector: canonical JSON in, validated CanonicalOrder out."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

import msgspec

from connectors.base import ConnectorContext, decode_error_to_input_error
from connectors.generic.models import OrderIn
from router.domain import Address, CanonicalOrder, Ignored, OrderLine
from router.errors import InputError
from router.naming import validate_article_number, validate_country_code

_decoder = msgspec.json.Decoder(OrderIn)
_MAX_QUANTITY = Decimal(1_000_000)
_MAX_MONEY = Decimal(100_000_000)


def _check_range(value: Decimal | None, field: str, *, low: Decimal, high: Decimal, open_low: bool = False) -> None:
    """Decimals carry no msgspec constraints, so their ranges are checked here."""
    if value is None:
        return
    if not value.is_finite():
        raise InputError("must be a finite number", field=field)
    if value < low or (open_low and value == low):
        raise InputError(f"must be {'greater than' if open_low else 'at least'} {low}", field=field)
    if value > high:
        raise InputError(f"must be at most {high}", field=field)


class GenericConnector:
    """A source that pushes orders itself (`POST /api/sources/{source}/orders`), authenticated by its key."""

    kind: ClassVar[str] = "generic"

    def __init__(self, context: ConnectorContext) -> None:
        self.context = context

    async def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """The generic push is authenticated by the source's API key in the API layer; nothing more here."""
        del body, headers

    def normalize(self, body: bytes, headers: Mapping[str, str]) -> CanonicalOrder | Ignored:
        """Decode and validate; every problem is an InputError naming its field."""
        del headers
        try:
            raw = _decoder.decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise decode_error_to_input_error(exc) from exc
        return to_canonical(raw)


def to_canonical(raw: OrderIn) -> CanonicalOrder:
    """Check what the types cannot (article characters, country codes, unique line ids) and convert."""
    lines: list[OrderLine] = []
    seen: set[str] = set()
    for index, line in enumerate(raw.lines):
        validate_article_number(line.article_number, field=f"lines[{index}].article_number")
        _check_range(line.quantity, f"lines[{index}].quantity", low=Decimal(0), high=_MAX_QUANTITY, open_low=True)
        _check_range(line.vat_percent, f"lines[{index}].vat_percent", low=Decimal(0), high=Decimal(100))
        _check_range(line.unit_price, f"lines[{index}].unit_price", low=-_MAX_MONEY, high=_MAX_MONEY)
        _check_range(line.discount, f"lines[{index}].discount", low=-_MAX_MONEY, high=_MAX_MONEY)
        line_id = line.line_id or str(index + 1)
        if line_id in seen:
            raise InputError(f"line_id {line_id!r} is used twice", field=f"lines[{index}].line_id")
        seen.add(line_id)
        lines.append(
            OrderLine(
                line_id=line_id,
                article_number=line.article_number,
                quantity=line.quantity,
                article_name=line.article_name,
                unit_price=line.unit_price,
                vat_percent=line.vat_percent,
                discount=line.discount,
                comment=line.comment,
            )
        )
    _check_range(raw.freight_price, "freight_price", low=-_MAX_MONEY, high=_MAX_MONEY)
    ship = raw.ship_to
    validate_country_code(ship.country_code, field="ship_to.country_code")
    return CanonicalOrder(
        order_number=raw.order_number,
        lines=tuple(lines),
        ship_to=Address(**msgspec.structs.asdict(ship)),
        customer_number=raw.customer_number,
        order_type=raw.order_type,
        currency=raw.currency,
        delivery_date=raw.delivery_date,
        remark=raw.remark,
        delivery_instruction=raw.delivery_instruction,
        freight_price=raw.freight_price,
        way_of_delivery=raw.way_of_delivery,
        service_point_code=raw.service_point_code,
        notify_by_email=raw.notify_by_email,
        notify_by_sms=raw.notify_by_sms,
        created_at=raw.created_at,
    )
