"""Writing InvoiceOrder, Product and Company elements: WSDL order, only requested and set properties."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection

    from simulators.tfso.records import Company, Invoice, InvoiceRow, PostalAddress, Product
    from simulators.tfso.soap import Value, Writer

__all__ = ["write_api_exception", "write_company", "write_invoice", "write_product"]

_Part = Callable[["Writer", "Invoice", "Collection[str] | None"], None]


def _field(name: str, get: Callable[[Invoice], Value]) -> tuple[str, _Part]:
    return name, lambda w, order, _: w.opt(name, get(order))


def _addresses(w: Writer, order: Invoice, _: Collection[str] | None) -> None:
    if order.delivery_address or order.invoice_address:
        addresses = w.node("Addresses")
        if order.delivery_address is not None:
            _write_address(addresses.node("Delivery"), order.delivery_address)
        if order.invoice_address is not None:
            _write_address(addresses.node("Invoice"), order.invoice_address)


def _currency(w: Writer, order: Invoice, _: Collection[str] | None) -> None:
    if order.currency:
        w.node("Currency").opt("Symbol", order.currency)


def _rows(w: Writer, order: Invoice, row_props: Collection[str] | None) -> None:
    rows = w.node("InvoiceRows")
    for row in order.rows:
        r = rows.node("InvoiceRow")
        for name, get in _ROW:
            if _wanted(row_props, name):
                r.opt(name, get(row))


def _delivery_method(w: Writer, order: Invoice, _: Collection[str] | None) -> None:
    if order.delivery_method_id is not None:
        method = w.node("DeliveryMethod")
        method.opt("Id", order.delivery_method_id)
        method.opt("Description", order.delivery_method)


_ROW: list[tuple[str, Callable[[InvoiceRow], Value]]] = [
    ("ProductId", lambda r: r.product_id),
    ("RowId", lambda r: r.row_id),
    ("VatRate", lambda r: r.vat_rate),
    ("Price", lambda r: r.price),
    ("Name", lambda r: r.name),
    ("DiscountRate", lambda r: r.discount_rate),
    ("Quantity", lambda r: r.quantity),
    ("Hidden", lambda r: r.hidden),
    ("Type", lambda r: r.type),
    ("ProductNo", lambda r: r.product_no),
]
# The InvoiceOrder properties the simulator keeps, in WSDL order.
_ORDER: list[tuple[str, _Part]] = [
    _field("OrderId", lambda o: o.order_id),
    _field("CustomerId", lambda o: o.customer_id),
    _field("CustomerName", lambda o: o.customer_name),
    _field("CustomerDeliveryName", lambda o: o.customer_delivery_name),
    _field("CustomerDeliveryPhone", lambda o: o.customer_delivery_phone),
    ("Addresses", _addresses),
    _field("OrderStatus", lambda o: o.order_status),
    _field("DateOrdered", lambda o: o.date_ordered),
    _field("DateChanged", lambda o: o.date_changed),
    ("IncludeVAT", lambda w, o, _: w.nil("IncludeVAT", o.include_vat)),  # minOccurs=1, nillable
    _field("YourReference", lambda o: o.your_reference),
    _field("OrderTotalIncVat", lambda o: _totals(o)[0]),
    _field("OrderTotalVat", lambda o: _totals(o)[1]),
    _field("InvoiceTitle", lambda o: o.invoice_title),
    _field("InvoiceText", lambda o: o.invoice_text),
    ("Currency", _currency),
    _field("TypeOfSaleId", lambda o: o.type_of_sale_id),
    _field("ExternalStatus", lambda o: o.external_status),
    _field("InvoiceEmailAddress", lambda o: o.invoice_email),
    ("InvoiceRows", _rows),
    _field("DeliveryDate", lambda o: o.delivery_date),
    _field("ReferenceNumber", lambda o: o.reference_number),
    ("DeliveryMethod", _delivery_method),
    _field("DeliveryAlternative", lambda o: o.delivery_alternative),
]


def _wanted(requested: Collection[str] | None, name: str) -> bool:
    return requested is None or name in requested


def write_invoice(w: Writer, order: Invoice, props: Collection[str] | None, row_props: Collection[str] | None) -> None:
    """One `<InvoiceOrder>`; `props`/`row_props` None means every property (a SaveInvoices answer).

    IncludeVAT is always written (minOccurs=1, nil when not asked for); rows only when `InvoiceRows` is asked.
    """
    for name, part in _ORDER:
        if name == "IncludeVAT" and not _wanted(props, name):
            w.nil(name, None)
        elif _wanted(props, name):
            part(w, order, row_props)


def write_api_exception(w: Writer, message: str, *, order_id: int | None = None) -> None:
    """An `<InvoiceOrder>` that failed to save: its OrderId (when known) and the `APIException`."""
    w.opt("OrderId", order_id)
    w.nil("IncludeVAT", None)
    error = w.node("APIException")
    error.opt("Type", "Exception")
    error.opt("Message", message)


def write_product(w: Writer, product: Product, props: Collection[str]) -> None:
    """One `<Product>` with the requested properties, in WSDL order."""
    fields: list[tuple[str, Value]] = [
        ("Id", product.id),
        ("Name", product.name),
        ("Stock", product.stock),
        ("StatusId", product.status_id),
        ("CategoryId", product.category_id),
        ("EAN1", product.ean1),
        ("Price", product.price),
        ("No", product.no),
        ("DateChanged", product.date_changed),
    ]
    for name, value in fields:
        if name in props:
            w.opt(name, value)


def write_company(w: Writer, company: Company, props: Collection[str]) -> None:
    """One `<Company>` with the requested properties, in WSDL order (Home and Fax phones are not kept)."""
    phones = [("Mobile", company.phone_mobile), ("Primary", company.phone_primary), ("Work", company.phone_work)]
    emails = [("Invoice", company.email_invoice), ("Primary", company.email_primary), ("Work", company.email_work)]
    parts: list[tuple[str, Value | list[tuple[str, str | None]]]] = [
        ("Id", company.id),
        ("Name", company.name),
        ("PhoneNumbers", phones),
        ("EmailAddresses", emails),
        ("Country", company.country),
        ("DateChanged", company.date_changed),
    ]
    for name, value in parts:
        if name not in props:
            continue
        if not isinstance(value, list):
            w.opt(name, value)
        elif any(v for _, v in value):
            group = w.node(name)
            for kind, entry in value:
                if entry:
                    group.node(kind).opt("Value", entry)


def _write_address(w: Writer, address: PostalAddress) -> None:
    w.opt("Street", address.street)
    w.opt("State", address.state)
    w.opt("PostalCode", address.postal_code)
    w.opt("PostalArea", address.postal_area)
    w.opt("Name", address.name)
    w.opt("City", address.city)
    w.opt("Country", address.country)


def _totals(order: Invoice) -> tuple[Decimal | None, Decimal | None]:
    net = vat = Decimal(0)
    for row in order.rows:
        if row.price is None or row.quantity is None:
            continue
        line = row.price * row.quantity * (1 - (row.discount_rate or Decimal(0)) / 100)
        net += line
        vat += line * (row.vat_rate or Decimal(0)) / 100
    if not order.rows:
        return None, None
    return (net + vat).quantize(Decimal("0.01")), vat.quantize(Decimal("0.01"))
