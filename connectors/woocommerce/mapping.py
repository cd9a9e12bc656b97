"""WooCommerce order JSON to CanonicalOrder (pure; every problem is an InputError naming the field)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from decimal import Decimal

import msgspec

from connectors._webhooks import check_money
from connectors.base import decode_error_to_input_error
from connectors.woocommerce.models import WooAddress, WooLineItem, WooOrder
from router.domain import Address, CanonicalOrder, Ignored, OrderLine, SourceCancellation
from router.errors import InputError
from router.naming import validate_article_number, validate_country_code

__all__ = [
    "CANCELLED_STATUSES",
    "ORDER_TOPICS",
    "PING",
    "decode_order",
    "order_to_canonical",
    "ship_to",
]

ORDER_TOPICS = frozenset({"order.created", "order.updated", "order.restored"})
"""Webhook topics whose body is an order; `order.deleted` is the cancellation marker, others are Ignored."""
CANCELLED_STATUSES = frozenset({"cancelled", "refunded", "failed", "trash"})
"""Statuses that cancel the order in the warehouse (a SourceCancellation) rather than plain 'not imported'."""
PING = re.compile(rb"webhook_id=(\d{1,18})")
"""The form body of WooCommerce's creation ping (sent without a signature); use `fullmatch`."""

_decoder = msgspec.json.Decoder(WooOrder)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_MAX_QUANTITY = 1_000_000
_MAX_TEXT = 200
_MAX_REMARK = 1000


def decode_order(body: bytes) -> WooOrder:
    """Decode an order (a webhook body or a pulled document)."""
    try:
        return _decoder.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise decode_error_to_input_error(exc) from exc


def _text(value: str | None, field: str, *, required: bool) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InputError("must not be empty", field=field)
        return None
    if len(text) > _MAX_TEXT:
        raise InputError(f"must be at most {_MAX_TEXT} characters", field=field)
    return text


def ship_to(order: WooOrder) -> Address:
    """The shipping address, or the billing address when the order has no shipping street at all.

    The person's name is `name`; a company goes to `address3` (or is the name when no person is given).
    """
    use = "shipping" if order.shipping is not None and (order.shipping.address_1 or "").strip() else "billing"
    raw: WooAddress | None = order.shipping if use == "shipping" else order.billing
    if raw is None:
        raise InputError("the order has no shipping or billing address", field="shipping")
    billing = order.billing or WooAddress()
    person = _text(" ".join(p for p in (raw.first_name, raw.last_name) if p), f"{use}.first_name", required=False)
    company = _text(raw.company, f"{use}.company", required=False)
    name = person or company
    if name is None:
        raise InputError("the address has neither a name nor a company", field=f"{use}.first_name")
    country = _text(raw.country, f"{use}.country", required=True) or ""
    validate_country_code(country, field=f"{use}.country")
    return Address(
        name=name,
        address1=_text(raw.address_1, f"{use}.address_1", required=True) or "",
        address2=_text(raw.address_2, f"{use}.address_2", required=False),
        address3=company if person and company else None,
        postcode=_text(raw.postcode, f"{use}.postcode", required=True) or "",
        city=_text(raw.city, f"{use}.city", required=True) or "",
        country_code=country,
        state_code=_text(raw.state, f"{use}.state", required=False),
        phone=_text(raw.phone or billing.phone, f"{use}.phone", required=False),
        email=_text(billing.email, "billing.email", required=False),
    )


def _line(item: WooLineItem, index: int) -> OrderLine:
    where = f"line_items[{index}]"
    if not item.sku:
        raise InputError("the line has no SKU; the warehouse stocks articles by SKU", field=f"{where}.sku")
    validate_article_number(item.sku, field=f"{where}.sku")
    if not 0 < item.quantity <= _MAX_QUANTITY:
        raise InputError(f"must be between 1 and {_MAX_QUANTITY}", field=f"{where}.quantity")
    return OrderLine(
        line_id=str(item.id),
        article_number=item.sku,
        quantity=Decimal(item.quantity),
        article_name=_text(item.name, f"{where}.name", required=False),
        unit_price=check_money(item.price, f"{where}.price"),
    )


def _number(order: WooOrder) -> str:
    number = str(order.number if order.number is not None else order.id).strip()
    if not number or len(number) > 40:  # noqa: PLR2004 - leaves room for the suffix in the WMS's 50
        raise InputError("must be 1 to 40 characters", field="number")
    return number


def order_to_canonical(
    order: WooOrder, *, import_statuses: Collection[str]
) -> CanonicalOrder | SourceCancellation | Ignored:
    """Map one order whose status is imported; a cancelled status gives a SourceCancellation."""
    number = _number(order)
    if order.status in CANCELLED_STATUSES:
        return SourceCancellation(order_numbers=(number,), reason=f"status {order.status} in WooCommerce")
    if order.status not in import_statuses:
        return Ignored(reason=f"order {number} has status {order.status[:40]!r}, which is not imported")
    if not order.line_items:
        raise InputError("the order has no line items", field="line_items")
    seen: set[int] = set()
    lines: list[OrderLine] = []
    for index, item in enumerate(order.line_items):
        if item.id in seen:
            raise InputError(f"line item id {item.id} is used twice", field=f"line_items[{index}].id")
        seen.add(item.id)
        lines.append(_line(item, index))
    if order.currency is not None and not _CURRENCY.match(order.currency):
        raise InputError("must be an ISO 4217 code such as EUR", field="currency")
    freight = [check_money(s.total, f"shipping_lines[{i}].total") for i, s in enumerate(order.shipping_lines)]
    known = [amount for amount in freight if amount is not None]
    created = order.date_created_gmt
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)  # WooCommerce's *_gmt fields carry no offset
    note = (order.customer_note or "").strip()
    return CanonicalOrder(
        order_number=number,
        lines=tuple(lines),
        ship_to=ship_to(order),
        customer_number=str(order.customer_id) if order.customer_id else None,
        currency=order.currency,
        remark=note[:_MAX_REMARK] or None,
        freight_price=check_money(sum(known, Decimal(0)), "shipping_lines") if known else None,
        way_of_delivery=_text(order.shipping_lines[0].method_title, "shipping_lines[0].method_title", required=False)
        if order.shipping_lines
        else None,
        created_at=created,
    )
