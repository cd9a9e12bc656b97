"""Shopify order JSON to CanonicalOrder (pure; every problem is an InputError naming the field)."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from connectors._shop import check_currency, decode, freight_total, order_line, order_lines, remark, split_address, text
from connectors._webhooks import check_money
from connectors.shopify.models import ShopifyAddress, ShopifyLineItem, ShopifyOrder
from router.domain import Address, CanonicalOrder, Ignored, OrderLine, SourceCancellation
from router.errors import InputError

__all__ = ["ORDER_TOPICS", "decode_order", "order_to_canonical", "shipping_address"]

ORDER_TOPICS = frozenset({"orders/create", "orders/updated", "orders/cancelled"})
"""Webhook topics that carry an order; any other topic is Ignored."""

_decoder = msgspec.json.Decoder(ShopifyOrder)


def decode_order(body: bytes) -> ShopifyOrder:
    """Decode an unwrapped REST Order (a webhook body or a pulled document)."""
    return decode(_decoder, body)


def shipping_address(raw: ShopifyAddress | None, *, email: str | None, phone: str | None) -> Address:
    """The split shipping address; the person's name is `name`, a company goes to `address3`."""
    if raw is None:
        raise InputError("the order has no shipping address", field="shipping_address")
    return split_address(
        person=(raw.name or " ".join(p for p in (raw.first_name, raw.last_name) if p), "shipping_address.name"),
        company=(raw.company, "shipping_address.company"),
        address1=(raw.address1, "shipping_address.address1"),
        address2=(raw.address2, "shipping_address.address2"),
        postcode=(raw.zip, "shipping_address.zip"),
        city=(raw.city, "shipping_address.city"),
        country=(raw.country_code, "shipping_address.country_code"),
        state=(raw.province_code, "shipping_address.province_code"),
        phone=(raw.phone or phone, "shipping_address.phone"),
        email=(email, "email"),
        nameless="the shipping address has neither a name nor a company",
    )


def _line(item: ShopifyLineItem, index: int) -> OrderLine | None:
    """The line, or None for one that requires no shipping."""
    return order_line(item, index, name=item.name or item.title) if item.requires_shipping else None


def _freight(order: ShopifyOrder) -> Decimal | None:
    return freight_total(
        [check_money(line.price, f"shipping_lines[{index}].price") for index, line in enumerate(order.shipping_lines)]
    )


def order_to_canonical(order: ShopifyOrder, *, topic: str) -> CanonicalOrder | SourceCancellation | Ignored:
    """Map one order; a cancelled order (or the `orders/cancelled` topic) is a SourceCancellation."""
    if order.order_number <= 0:
        raise InputError("must be a positive integer", field="order_number")
    number = str(order.order_number)
    if order.cancelled_at is not None or topic == "orders/cancelled":
        reason = order.cancel_reason or "no reason given"
        return SourceCancellation(order_numbers=(number,), reason=f"cancelled in Shopify ({reason})")
    lines = order_lines(order.line_items, _line)
    if not lines:
        return Ignored(reason=f"order {number} has no line that requires shipping")
    check_currency(order.currency, example="SEK")
    email = order.email or (order.customer.email if order.customer else None)
    customer_id = order.customer.id if order.customer else None
    return CanonicalOrder(
        order_number=number,
        lines=tuple(lines),
        ship_to=shipping_address(order.shipping_address, email=email, phone=order.phone),
        customer_number=str(customer_id) if customer_id is not None else None,
        currency=order.currency,
        remark=remark(order.note),
        freight_price=_freight(order),
        way_of_delivery=text(order.shipping_lines[0].title, "shipping_lines[0].title", required=False)
        if order.shipping_lines
        else None,
        created_at=order.created_at,
    )
