"""The seven 24SevenOffice operations the connector uses, with their return properties and raw answers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from lxml import etree

from router.errors import FatalUpstreamError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from connectors.tfso.client import TfsoClient

__all__ = [
    "INVOICE_PROPERTIES",
    "ROW_PROPERTIES",
    "ProductStock",
    "companies",
    "date_changed",
    "invoices",
    "order_id",
    "order_states",
    "order_sync_list",
    "products",
    "save_status",
    "set_stock",
]

TNS = "http://24sevenOffice.com/webservices"
_SOAP_BODY = "{http://schemas.xmlsoap.org/soap/envelope/}Body"
_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_MIN_DATETIME = dt.datetime(1, 1, 1)  # noqa: DTZ001 - .NET's DateTime.MinValue has no zone
_FRACTION = re.compile(r"(\.\d{6})\d+")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)

INVOICE_PROPERTIES = (
    "OrderId", "CustomerId", "CustomerName", "CustomerDeliveryName", "CustomerDeliveryPhone", "Addresses",
    "OrderStatus", "DateOrdered", "DateChanged", "YourReference", "InvoiceTitle", "InvoiceText", "Currency",
    "TypeOfSaleId", "InvoiceEmailAddress", "InvoiceRows", "DeliveryDate", "ReferenceNumber", "DeliveryMethod",
    "DeliveryAlternative",
)  # fmt: skip
ROW_PROPERTIES = (
    "ProductId", "RowId", "VatRate", "Price", "Name", "DiscountRate", "Quantity", "Hidden", "Type", "ProductNo",
)  # fmt: skip
COMPANY_PROPERTIES = ("Id", "Name", "PhoneNumbers", "EmailAddresses")


@dataclass(frozen=True)
class ProductStock:
    """A product's id, number and current Stock."""

    id: int
    no: str
    stock: Decimal | None


def _items(body: bytes, operation: str, item: str) -> list[etree._Element]:
    """The `<item>` elements of `<{operation}Result>` exactly as received."""
    root = etree.fromstring(body, _PARSER)
    result = root.find(f"{_SOAP_BODY}/{{{TNS}}}{operation}Response/{{{TNS}}}{operation}Result")
    if result is None:
        return []
    return [el for el in result.findall(f"{{{TNS}}}{item}") if el.get(_NIL) != "true"]


def _text(el: etree._Element, name: str) -> str | None:
    value = el.findtext(f"{{{TNS}}}{name}")
    return value.strip() if value is not None else None


def order_id(el: etree._Element) -> int:
    """An InvoiceOrder element's OrderId."""
    try:
        return int(_text(el, "OrderId") or "")
    except ValueError:
        raise FatalUpstreamError("GetInvoices returned an order without OrderId") from None


def date_changed(el: etree._Element) -> dt.datetime | None:
    """An InvoiceOrder element's DateChanged as aware UTC (the API sends UTC, usually without a zone)."""
    value = _text(el, "DateChanged")
    if not value or value.startswith("0001-01-01"):
        return None
    try:
        parsed = dt.datetime.fromisoformat(_FRACTION.sub(r"\1", value))
    except ValueError:
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _wire_time(value: dt.datetime) -> dt.datetime:
    """UTC without a zone suffix, as the API's own dateTimes look."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo is not None else value


async def order_sync_list(client: TfsoClient) -> list[int]:
    """GetOrderSyncList: every OrderId (the documented start of a full sync)."""
    reply = await client.call("InvoiceService", "GetOrderSyncList", syncParams={"RegisteredAfter": _MIN_DATETIME})
    return sorted({int(el.text or "0") for el in _items(reply.body, "GetOrderSyncList", "int")})


async def invoices(
    client: TfsoClient,
    *,
    order_ids: Iterable[int] | None = None,
    changed_after: dt.datetime | None = None,
    states: Iterable[str] | None = None,
    properties: Iterable[str] = INVOICE_PROPERTIES,
) -> list[etree._Element]:
    """GetInvoices: the InvoiceOrder elements as received."""
    params: dict[str, object] = {}
    if changed_after is not None:
        params["ChangedAfter"] = _wire_time(changed_after)
    if states is not None:
        params["OrderStates"] = {"OrderSlipStateType": list(states)}
    if order_ids is not None:
        params["OrderIds"] = {"int": list(order_ids)}
    props = list(properties)
    reply = await client.call(
        "InvoiceService",
        "GetInvoices",
        searchParams=params,
        invoiceReturnProperties={"string": props},
        rowReturnProperties={"string": list(ROW_PROPERTIES)} if "InvoiceRows" in props else None,
    )
    return _items(reply.body, "GetInvoices", "InvoiceOrder")


async def order_states(client: TfsoClient, ids: Iterable[int]) -> dict[int, str]:
    """The current OrderStatus of the given orders (absent: no such order)."""
    wanted = list(ids)
    if not wanted:
        return {}
    found = await invoices(client, order_ids=wanted, properties=("OrderId", "OrderStatus"))
    return {order_id(el): _text(el, "OrderStatus") or "Web" for el in found}


async def save_status(client: TfsoClient, order: int, state: str) -> None:
    """SaveInvoices with only OrderId and OrderStatus: the status write-back."""
    invoice = {"OrderId": order, "OrderStatus": state, "IncludeVAT": None}
    await client.call("InvoiceService", "SaveInvoices", invoices={"InvoiceOrder": [invoice]})


async def products(client: TfsoClient, ids: Iterable[int] | None = None) -> list[ProductStock]:
    """GetProducts with Id, No and Stock: the given products, or every product when `ids` is None."""
    params = {"ProductIds": {"int": list(ids)}} if ids is not None else None
    reply = await client.call(
        "ProductService", "GetProducts", searchParams=params, returnProperties={"string": ["Id", "No", "Stock"]}
    )
    found = []
    for el in _items(reply.body, "GetProducts", "Product"):
        try:
            stock_text = _text(el, "Stock")
            stock = Decimal(stock_text) if stock_text else None
            found.append(ProductStock(id=int(_text(el, "Id") or ""), no=_text(el, "No") or "", stock=stock))
        except (ValueError, InvalidOperation):
            continue  # a product without a usable Id or Stock cannot be compared or written
    return found


async def set_stock(client: TfsoClient, product_id: int, quantity: Decimal) -> None:
    """SetStockQuantity (an absolute value, in plain decimal notation)."""
    plain = Decimal(format(quantity, "f"))
    await client.call("ProductService", "SetStockQuantity", productId=product_id, stockQuantity=plain)


async def companies(client: TfsoClient, ids: Iterable[int]) -> dict[int, etree._Element]:
    """GetCompanies for the given CompanyIds (= CustomerIds): the Company elements as received."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    reply = await client.call(
        "CompanyService",
        "GetCompanies",
        searchParams={"CompanyIds": {"int": wanted}},
        returnProperties={"string": list(COMPANY_PROPERTIES)},
    )
    found: dict[int, etree._Element] = {}
    for el in _items(reply.body, "GetCompanies", "Company"):
        try:
            found[int(_text(el, "Id") or "")] = el
        except ValueError:
            continue
    return found
