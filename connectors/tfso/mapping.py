"""The seed mapping: a pulled 24SevenOffice order document to a CanonicalOrder (pure, InputError on bad data)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING

from router.domain import Address, CanonicalOrder, Ignored, OrderLine
from router.errors import InputError
from router.naming import validate_article_number, validate_country_code

if TYPE_CHECKING:
    from connectors.tfso.models import PulledDocument, WireAddress, WireCompany, WireOrder, WireRow
    from connectors.tfso.settings import TfsoSettings

__all__ = ["INT_UNSET", "to_canonical"]

INT_UNSET = -2147483648  # Int32.MinValue: .NET's "not set"
_DECIMAL_UNSET = Decimal(-79228162514264337593543950335)  # Decimal.MinValue
_MAX_QUANTITY = Decimal(1_000_000)
_MAX_MONEY = Decimal(100_000_000)
_TEXT_ROWS = frozenset({"Text", "TextBold"})
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY_NAMES = {  # what users type into 24SevenOffice's free-text Country
    "NORGE": "NO", "NORWAY": "NO", "NOREG": "NO", "SVERIGE": "SE", "SWEDEN": "SE", "DANMARK": "DK",
    "DENMARK": "DK", "FINLAND": "FI", "SUOMI": "FI", "ISLAND": "IS", "ICELAND": "IS", "TYSKLAND": "DE",
    "GERMANY": "DE", "STORBRITANNIA": "GB", "UNITED KINGDOM": "GB",
}  # fmt: skip
_ORDER = "InvoiceOrder"


def _text(value: str | None) -> str | None:
    """Stripped text, None when empty (the API omits or empties unset strings)."""
    stripped = (value or "").strip()
    return stripped or None


def _int(value: int | None) -> int | None:
    return None if value is None or value == INT_UNSET else value


def _decimal(value: Decimal | None, field: str, *, low: Decimal, high: Decimal) -> Decimal | None:
    if value is None or value == _DECIMAL_UNSET:
        return None
    if not value.is_finite():
        raise InputError("must be a finite number", field=field)
    if not low <= value <= high:
        raise InputError(f"must be between {low} and {high}", field=field)
    return value


def _datetime(value: dt.datetime | None) -> dt.datetime | None:
    """Aware UTC (the API sends UTC without a zone); None for DateTime.MinValue."""
    if value is None or value.year == 1:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def to_canonical(document: PulledDocument, settings: TfsoSettings) -> CanonicalOrder | Ignored:
    """Map one order; orders not in `pull_states` and orders without product rows are Ignored."""
    order = document.invoice_order
    order_id = _int(order.order_id)
    if order_id is None or order_id <= 0:
        raise InputError("OrderId is missing", field=f"{_ORDER}.OrderId")
    status = _text(order.order_status)
    if status is None:
        raise InputError("OrderStatus is missing", field=f"{_ORDER}.OrderStatus")
    if status not in settings.pull_states:
        return Ignored(reason=f"order {order_id} is {status}, not one of {', '.join(settings.pull_states)}")
    lines = _lines(order.invoice_rows)
    if not lines:
        return Ignored(reason=f"order {order_id} has no rows with a product")
    currency = _text(order.currency.symbol if order.currency else None)
    if currency is not None:
        currency = currency.upper()
        if currency == "LOCAL":
            currency = None
        elif not _CURRENCY.match(currency):
            raise InputError(f"{currency!r} is not an ISO 4217 code", field=f"{_ORDER}.Currency.Symbol")
    delivery_date = _datetime(order.delivery_date)
    method = _int(order.delivery_method.id) if order.delivery_method else None
    type_of_sale = _int(order.type_of_sale_id)
    customer = _int(order.customer_id)
    return CanonicalOrder(
        order_number=str(order_id),
        lines=lines,
        ship_to=_ship_to(order, document.company, settings),
        customer_number=str(customer) if customer is not None else None,
        order_type=settings.order_types.get(str(type_of_sale)) if type_of_sale is not None else None,
        currency=currency,
        delivery_date=delivery_date.date() if delivery_date else None,
        remark=_text(order.invoice_title),
        delivery_instruction=_text(order.delivery_alternative),
        way_of_delivery=_way_of_delivery(order, method, settings),
        way_of_delivery_type_code=str(method) if method is not None else None,
        way_of_delivery_type_name=_text(order.delivery_method.description) if order.delivery_method else None,
        reference_number=_text(order.reference_number),
        sales_code=_text(order.your_reference),
        bill_to=_bill_to(order, settings),
        created_at=_datetime(order.date_ordered),
    )


def _way_of_delivery(order: WireOrder, method: int | None, settings: TfsoSettings) -> str | None:
    """`settings.delivery_methods` maps a DeliveryMethod Id to the warehouse's code; else its Description."""
    if method is not None and str(method) in settings.delivery_methods:
        return settings.delivery_methods[str(method)]
    return _text(order.delivery_method.description) if order.delivery_method else None


def _bill_to(order: WireOrder, settings: TfsoSettings) -> Address | None:
    """The invoice address under CustomerName, when it is complete enough to be one (never an error)."""
    address = order.addresses.invoice if order.addresses else None
    if address is None:
        return None
    name = _text(order.customer_name) or _text(address.name)
    street, postcode, city = _street(address), _text(address.postal_code), _town(address)
    country = _country(address, settings)
    if name is None or not street or postcode is None or city is None:
        return None
    if len(country) != 2 or not country.isalpha():  # noqa: PLR2004 - ISO 3166-1 alpha-2
        return None
    return _address(address, name, street, postcode, city, country)


def _lines(rows: list[WireRow]) -> tuple[OrderLine, ...]:
    lines: list[OrderLine] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        at = f"{_ORDER}.InvoiceRows[{index}]"
        number = _text(row.product_no)
        if (row.type or "Normal") in _TEXT_ROWS or (number is None and _int(row.product_id) is None):
            continue  # text rows and free rows (fees, freight without a product) carry nothing to pick
        if number is None:
            raise InputError("the row's product has no product number", field=f"{at}.ProductNo")
        validate_article_number(number, field=f"{at}.ProductNo")
        quantity = _decimal(row.quantity, f"{at}.Quantity", low=-_MAX_QUANTITY, high=_MAX_QUANTITY)
        if quantity is None or quantity <= 0:
            raise InputError("Quantity must be greater than 0", field=f"{at}.Quantity")
        row_id = _int(row.row_id)
        line_id = str(row_id) if row_id is not None else str(index + 1)
        if line_id in seen:
            raise InputError(f"RowId {line_id} is used twice", field=f"{at}.RowId")
        seen.add(line_id)
        lines.append(
            OrderLine(
                line_id=line_id,
                article_number=number,
                quantity=quantity,
                article_name=_text(row.name),
                unit_price=_decimal(row.price, f"{at}.Price", low=-_MAX_MONEY, high=_MAX_MONEY),
                vat_percent=_decimal(row.vat_rate, f"{at}.VatRate", low=Decimal(0), high=Decimal(100)),
                discount=_decimal(row.discount_rate, f"{at}.DiscountRate", low=Decimal(0), high=Decimal(100)),
            )
        )
    return tuple(lines)


def _ship_to(order: WireOrder, company: WireCompany | None, settings: TfsoSettings) -> Address:
    addresses = order.addresses
    kind, address = "Delivery", addresses.delivery if addresses else None
    if _empty(address) and addresses is not None and not _empty(addresses.post):
        kind, address = "Post", addresses.post  # no delivery address: the customer's postal address
    at = f"{_ORDER}.Addresses.{kind}"
    if address is None or _empty(address):
        raise InputError("the order has no delivery address", field=f"{_ORDER}.Addresses.Delivery")
    name = _text(order.customer_delivery_name) or _text(address.name) or _text(order.customer_name)
    if name is None:
        raise InputError("the delivery address has no name", field=f"{at}.Name")
    street = _street(address)
    if not street:
        raise InputError("the delivery address has no street", field=f"{at}.Street")
    postcode = _text(address.postal_code)
    if postcode is None:
        raise InputError("the delivery address has no postal code", field=f"{at}.PostalCode")
    city = _town(address)
    if city is None:
        raise InputError("the delivery address has no town (PostalArea or City)", field=f"{at}.PostalArea")
    country = _country(address, settings)
    validate_country_code(country, field=f"{at}.Country")
    phones = company.phone_numbers if company else None
    mobile = _text(phones.mobile.value) if phones and phones.mobile else None
    return _address(
        address,
        name,
        street,
        postcode,
        city,
        country,
        phone=_text(order.customer_delivery_phone) or _first_phone(company),
        mobile=_text(order.customer_delivery_phone) or mobile,
        email=_text(order.invoice_email_address) or _first_email(company),
    )


def _street(address: WireAddress) -> list[str]:
    """The Street field's non-empty lines (24SevenOffice keeps every street line in one field)."""
    return [line.strip() for line in (address.street or "").splitlines() if line.strip()]


def _town(address: WireAddress) -> str | None:
    return _text(address.postal_area) or _text(address.city)


def _country(address: WireAddress, settings: TfsoSettings) -> str:
    """ISO code, or the country name the ERP stored mapped to one; the source's default when empty."""
    country = (_text(address.country) or settings.default_country).upper()
    return _COUNTRY_NAMES.get(country, country)


def _address(  # noqa: PLR0917 - the parts of an address, in their order
    address: WireAddress, name: str, street: list[str], postcode: str, city: str, country: str, **contact: str | None
) -> Address:
    """A canonical address: the first two street lines, the rest joined into address3."""
    return Address(
        name=name,
        address1=street[0],
        address2=street[1] if len(street) > 1 else None,
        address3=", ".join(street[2:]) or None,
        postcode=postcode,
        city=city,
        country_code=country,
        state_code=_text(address.state),
        **contact,
    )


def _empty(address: WireAddress | None) -> bool:
    return address is None or not any(
        _text(v) for v in (address.street, address.postal_code, address.postal_area, address.city, address.name)
    )


def _first_phone(company: WireCompany | None) -> str | None:
    phones = company.phone_numbers if company else None
    if phones is None:
        return None
    for phone in (phones.mobile, phones.primary, phones.work, phones.home):
        if phone is not None and _text(phone.value):
            return _text(phone.value)
    return None


def _first_email(company: WireCompany | None) -> str | None:
    emails = company.email_addresses if company else None
    if emails is None:
        return None
    for email in (emails.invoice, emails.primary, emails.work, emails.home, emails.alternative):
        if email is not None and _text(email.value):
            return _text(email.value)
    return None
