"""WooCommerce order JSON to CanonicalOrder (pure; every problem is an InputError naming the field)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection

import msgspec

from connectors._shop import check_currency, decode, freight_total, order_line, order_lines, remark, split_address, text
from connectors._webhooks import check_money
from connectors.woocommerce.models import WooAddress, WooOrder
from router.domain import Address, CanonicalOrder, Ignored, SourceCancellation
from router.errors import InputError

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


def decode_order(body: bytes) -> WooOrder:
    """Decode an order (a webhook body or a pulled document)."""
    return decode(_decoder, body)


def ship_to(order: WooOrder) -> Address:
    """The shipping address, or the billing address when the order has no shipping street at all.

    The person's name is `name`; a company goes to `address3` (or is the name when no person is given).
    """
    use = "shipping" if order.shipping is not None and (order.shipping.address_1 or "").strip() else "billing"
    raw: WooAddress | None = order.shipping if use == "shipping" else order.billing
    if raw is None:
        raise InputError("the order has no shipping or billing address", field="shipping")
    billing = order.billing or WooAddress()
    return split_address(
        person=(" ".join(p for p in (raw.first_name, raw.last_name) if p), f"{use}.first_name"),
        company=(raw.company, f"{use}.company"),
        address1=(raw.address_1, f"{use}.address_1"),
        address2=(raw.address_2, f"{use}.address_2"),
        postcode=(raw.postcode, f"{use}.postcode"),
        city=(raw.city, f"{use}.city"),
        country=(raw.country, f"{use}.country"),
        state=(raw.state, f"{use}.state"),
        phone=(raw.phone or billing.phone, f"{use}.phone"),
        email=(billing.email, "billing.email"),
        nameless="the address has neither a name nor a company",
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
    lines = order_lines(order.line_items, lambda item, index: order_line(item, index, name=item.name))
    check_currency(order.currency, example="EUR")
    freight = [check_money(s.total, f"shipping_lines[{i}].total") for i, s in enumerate(order.shipping_lines)]
    created = order.date_created_gmt
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)  # WooCommerce's *_gmt fields carry no offset
    return CanonicalOrder(
        order_number=number,
        lines=tuple(lines),
        ship_to=ship_to(order),
        customer_number=str(order.customer_id) if order.customer_id else None,
        currency=order.currency,
        remark=remark(order.customer_note),
        freight_price=freight_total(freight),
        way_of_delivery=text(order.shipping_lines[0].method_title, "shipping_lines[0].method_title", required=False)
        if order.shipping_lines
        else None,
        created_at=created,
    )
