"""Pure mapping of one shipment of an Omnium order to a canonical order (one WMS order per shipment)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from router.domain import Address, CanonicalOrder, Ignored, OrderLine, SourceCancellation
from router.errors import InputError
from router.naming import validate_article_number, validate_country_code

if TYPE_CHECKING:
    from connectors.omnium.models import Address as OmniumAddress
    from connectors.omnium.models import LineItem, Order, Shipment
    from connectors.omnium.settings import OmniumSettings

__all__ = ["shipment_index", "source_order_number", "split_source_order_number", "to_canonical"]

_MAX_QUANTITY = Decimal(1_000_000)
_MAX_MONEY = Decimal(100_000_000)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SHIPMENT_ID = re.compile(r"^[^\s-]{1,20}$")


def source_order_number(order_number: str, shipment_id: str) -> str:
    """`{orderNumber}-{shipmentId}`: the router appends the source suffix (`1001-2-OM`)."""
    return f"{order_number}-{shipment_id}"


def split_source_order_number(number: str) -> tuple[str, str]:
    """Invert `source_order_number` (shipment ids never contain `-`; order numbers may)."""
    order_number, dash, shipment_id = number.rpartition("-")
    if not dash or not order_number or not shipment_id:
        raise ValueError(f"{number!r} is not an Omnium order number with a shipment id")
    return order_number, shipment_id


def shipment_index(order: Order, shipment_id: str) -> int:
    """Position of the shipment in `orderForm.shipments`; InputError naming the list when it is not there."""
    for index, shipment in enumerate(order.order_form.shipments):
        if shipment.shipment_id == shipment_id:
            return index
    raise InputError(f"the order has no shipment {shipment_id!r}", field="orderForm.shipments")


def _text(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _decimal(value: Decimal | None, field: str, *, low: Decimal, high: Decimal) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or not low <= value <= high:
        raise InputError(f"must be a finite number between {low} and {high}", field=field)
    return value


def _consignee(order: Order, address: OmniumAddress, field: str) -> Address:
    person = _text(address.name) or _text(" ".join(filter(None, [address.first_name, address.last_name])))
    organization = _text(address.organization)
    name = organization or person or _text(order.customer_name)
    if name is None:
        raise InputError("the shipment address has no name", field=f"{field}.name")
    street = _text(" ".join(filter(None, [address.line1, address.street_number, address.apartment_number])))
    if street is None:
        raise InputError("the shipment address has no street", field=f"{field}.line1")
    postcode, city = _text(address.postal_code), _text(address.city)
    if postcode is None:
        raise InputError("the shipment address has no postal code", field=f"{field}.postalCode")
    if city is None:
        raise InputError("the shipment address has no city", field=f"{field}.city")
    country = (address.country_code or "").strip().upper()
    validate_country_code(country, field=f"{field}.countryCode")
    return Address(
        name=name,
        address1=street,
        address2=_text(address.line2),
        address3=f"Att: {person}" if organization and person and person != organization else None,
        postcode=postcode,
        city=city,
        country_code=country,
        state_code=_text(address.region_code) or _text(address.state),
        phone=_text(address.phone) or _text(address.daytime_phone_number),
        mobile=_text(order.customer_phone) or _text(address.phone),
        email=_text(address.email) or _text(order.customer_email),
    )


def _line(line: LineItem, field: str) -> OrderLine | None:
    """One line; None when it is cancelled in full."""
    if not line.line_item_id.strip():
        raise InputError("must not be empty", field=f"{field}.lineItemId")
    article = line.code or ""
    validate_article_number(article, field=f"{field}.code")
    quantity = _decimal(line.quantity, f"{field}.quantity", low=Decimal(0), high=_MAX_QUANTITY)
    canceled = _decimal(line.canceled_quantity, f"{field}.canceledQuantity", low=Decimal(0), high=_MAX_QUANTITY)
    if quantity is None or quantity <= 0:
        raise InputError("must be greater than 0", field=f"{field}.quantity")
    remaining = quantity - (canceled or Decimal(0))
    if remaining < 0:
        raise InputError("more is cancelled than was ordered", field=f"{field}.canceledQuantity")
    if remaining == 0:
        return None
    return OrderLine(
        line_id=line.line_item_id,
        article_number=article,
        quantity=remaining,
        article_name=_text(line.display_name),
        unit_price=_decimal(line.placed_price, f"{field}.placedPrice", low=-_MAX_MONEY, high=_MAX_MONEY),
        vat_percent=_decimal(line.tax_rate, f"{field}.taxRate", low=Decimal(0), high=Decimal(100)),
    )


def _lines(order: Order, shipment: Shipment, index: int) -> tuple[OrderLine, ...] | None:
    """The shipment's lines (a single shipment without lines of its own ships the whole order form)."""
    field = f"orderForm.shipments[{index}].lineItems"
    items = shipment.line_items
    if not items and len(order.order_form.shipments) == 1:
        field, items = "orderForm.lineItems", order.order_form.line_items
    if not items:
        raise InputError("the shipment has no lines", field=field)
    lines: list[OrderLine] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        line = _line(item, f"{field}[{position}]")
        if item.line_item_id in seen:
            raise InputError(f"lineItemId {item.line_item_id!r} is used twice", field=f"{field}[{position}].lineItemId")
        seen.add(item.line_item_id)
        if line is not None:
            lines.append(line)
    return tuple(lines) or None


def _remark(order: Order) -> str | None:
    notes = [_text(order.comment), *(_text(n.description) or _text(n.subject) for n in order.order_notes)]
    return "\n".join(n for n in notes if n) or None


def to_canonical(
    order: Order, shipment_id: str, settings: OmniumSettings
) -> CanonicalOrder | SourceCancellation | Ignored:
    """One shipment of one Omnium order as a canonical order, its cancellation, or Ignored when it is not due.

    A shipment cancelled in Omnium (its status, its order's, or every line cancelled) is a SourceCancellation
    of the shipment's WMS order (the router cancels it in the warehouse while that is still allowed).
    """
    index = shipment_index(order, shipment_id)
    shipment = order.order_form.shipments[index]
    where = f"orderForm.shipments[{index}]"
    number = _text(order.order_number) or _text(order.id)
    if number is None:
        raise InputError("the order has no number", field="orderNumber")
    if not _SHIPMENT_ID.match(shipment_id):
        raise InputError("must be 1-20 characters without spaces or '-'", field=f"{where}.shipmentId")
    status = shipment.order_status or order.status
    cancelled = {status, order.status} & set(settings.cancel_statuses)
    if cancelled:
        reason = f"shipment {shipment_id} of order {number} is {cancelled.pop()} in Omnium"
        return SourceCancellation(order_numbers=(source_order_number(number, shipment_id),), reason=reason)
    if status not in settings.import_statuses:
        allowed = ", ".join(settings.import_statuses)
        return Ignored(reason=f"shipment {shipment_id} of order {number} is {status!r}, not one of {allowed}")
    lines = _lines(order, shipment, index)
    if lines is None:
        reason = f"every line of shipment {shipment_id} of order {number} is cancelled"
        return SourceCancellation(order_numbers=(source_order_number(number, shipment_id),), reason=reason)
    if shipment.address is None:
        raise InputError("the shipment has no address", field=f"{where}.address")
    currency = _text(order.billing_currency)
    if currency is not None and not _CURRENCY.match(currency):
        raise InputError("must be an ISO 4217 code such as NOK", field="billingCurrency")
    freight = shipment.shipping_total
    freight_field = f"{where}.shippingTotal"
    if freight is None and index == 0:  # order-level freight is charged once, with the first shipment
        freight, freight_field = order.order_form.shipping_total, "orderForm.shippingTotal"
    method = _text(shipment.shipping_method_name)
    service_point = _text(shipment.service_point_id)
    order_type = _text(order.order_type)
    return CanonicalOrder(
        order_number=source_order_number(number, shipment_id),
        lines=lines,
        ship_to=_consignee(order, shipment.address, f"{where}.address"),
        customer_number=_text(order.customer_id),
        order_type=settings.order_types.get(order_type, order_type) if order_type else None,
        currency=currency,
        remark=_remark(order),
        delivery_instruction=_text(shipment.comment),
        freight_price=_decimal(freight, freight_field, low=Decimal(0), high=_MAX_MONEY),
        way_of_delivery=settings.transporters.get(method, method) if method else None,
        service_point_code=settings.service_points.get(service_point, service_point) if service_point else None,
        notify_by_email=_text(order.customer_email) is not None,
        notify_by_sms=_text(order.customer_phone) is not None,
        created_at=order.created,
    )
