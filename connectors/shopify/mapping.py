"""Shopify order JSON to CanonicalOrder (pure; every problem is an InputError naming the field)."""

from __future__ import annotations

import re
from decimal import Decimal

import msgspec

from connectors._webhooks import check_money
from connectors.base import decode_error_to_input_error
from connectors.shopify.models import ShopifyAddress, ShopifyLineItem, ShopifyOrder
from router.domain import Address, CanonicalOrder, Ignored, OrderLine, SourceCancellation
from router.errors import InputError
from router.naming import validate_article_number, validate_country_code

__all__ = ["ORDER_TOPICS", "decode_order", "order_to_canonical", "shipping_address"]

ORDER_TOPICS = frozenset({"orders/create", "orders/updated", "orders/cancelled"})
"""Webhook topics that carry an order; any other topic is Ignored."""

_decoder = msgspec.json.Decoder(ShopifyOrder)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_MAX_QUANTITY = 1_000_000
_MAX_TEXT = 200
_MAX_REMARK = 1000


def decode_order(body: bytes) -> ShopifyOrder:
    """Decode an unwrapped REST Order (a webhook body or a pulled document)."""
    try:
        return _decoder.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise decode_error_to_input_error(exc) from exc


def _text(value: str | None, field: str, *, required: bool) -> str | None:
    """Strip a text field; enforce presence and the WMS's column width."""
    text = (value or "").strip()
    if not text:
        if required:
            raise InputError("must not be empty", field=field)
        return None
    if len(text) > _MAX_TEXT:
        raise InputError(f"must be at most {_MAX_TEXT} characters", field=field)
    return text


def shipping_address(raw: ShopifyAddress | None, *, email: str | None, phone: str | None) -> Address:
    """The split shipping address; the person's name is `name`, a company goes to `address3`."""
    if raw is None:
        raise InputError("the order has no shipping address", field="shipping_address")
    person = _text(
        raw.name or " ".join(p for p in (raw.first_name, raw.last_name) if p), "shipping_address.name", required=False
    )
    company = _text(raw.company, "shipping_address.company", required=False)
    name = person or company
    if name is None:
        raise InputError("the shipping address has neither a name nor a company", field="shipping_address.name")
    country = _text(raw.country_code, "shipping_address.country_code", required=True) or ""
    validate_country_code(country, field="shipping_address.country_code")
    return Address(
        name=name,
        address1=_text(raw.address1, "shipping_address.address1", required=True) or "",
        address2=_text(raw.address2, "shipping_address.address2", required=False),
        address3=company if person and company else None,
        postcode=_text(raw.zip, "shipping_address.zip", required=True) or "",
        city=_text(raw.city, "shipping_address.city", required=True) or "",
        country_code=country,
        state_code=_text(raw.province_code, "shipping_address.province_code", required=False),
        phone=_text(raw.phone or phone, "shipping_address.phone", required=False),
        email=_text(email, "email", required=False),
    )


def _line(item: ShopifyLineItem, index: int) -> OrderLine:
    where = f"line_items[{index}]"
    sku = item.sku
    if not sku:
        raise InputError("the line has no SKU; the warehouse stocks articles by SKU", field=f"{where}.sku")
    validate_article_number(sku, field=f"{where}.sku")
    if not 0 < item.quantity <= _MAX_QUANTITY:
        raise InputError(f"must be between 1 and {_MAX_QUANTITY}", field=f"{where}.quantity")
    return OrderLine(
        line_id=str(item.id),
        article_number=sku,
        quantity=Decimal(item.quantity),
        article_name=_text(item.name or item.title, f"{where}.name", required=False),
        unit_price=check_money(item.price, f"{where}.price"),
    )


def _freight(order: ShopifyOrder) -> Decimal | None:
    prices = [
        check_money(line.price, f"shipping_lines[{index}].price") for index, line in enumerate(order.shipping_lines)
    ]
    known = [price for price in prices if price is not None]
    return check_money(sum(known, Decimal(0)), "shipping_lines") if known else None


def order_to_canonical(order: ShopifyOrder, *, topic: str) -> CanonicalOrder | SourceCancellation | Ignored:
    """Map one order; a cancelled order (or the `orders/cancelled` topic) is a SourceCancellation."""
    if order.order_number <= 0:
        raise InputError("must be a positive integer", field="order_number")
    number = str(order.order_number)
    if order.cancelled_at is not None or topic == "orders/cancelled":
        reason = order.cancel_reason or "no reason given"
        return SourceCancellation(order_numbers=(number,), reason=f"cancelled in Shopify ({reason})")
    if not order.line_items:
        raise InputError("the order has no line items", field="line_items")
    lines: list[OrderLine] = []
    seen: set[int] = set()
    for index, item in enumerate(order.line_items):
        if item.id in seen:
            raise InputError(f"line item id {item.id} is used twice", field=f"line_items[{index}].id")
        seen.add(item.id)
        if item.requires_shipping:
            lines.append(_line(item, index))
    if not lines:
        return Ignored(reason=f"order {number} has no line that requires shipping")
    if order.currency is not None and not _CURRENCY.match(order.currency):
        raise InputError("must be an ISO 4217 code such as SEK", field="currency")
    email = order.email or (order.customer.email if order.customer else None)
    customer_id = order.customer.id if order.customer else None
    note = (order.note or "").strip()
    return CanonicalOrder(
        order_number=number,
        lines=tuple(lines),
        ship_to=shipping_address(order.shipping_address, email=email, phone=order.phone),
        customer_number=str(customer_id) if customer_id is not None else None,
        currency=order.currency,
        remark=note[:_MAX_REMARK] or None,
        freight_price=_freight(order),
        way_of_delivery=_text(order.shipping_lines[0].title, "shipping_lines[0].title", required=False)
        if order.shipping_lines
        else None,
        created_at=order.created_at,
    )
