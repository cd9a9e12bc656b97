"""normalize: every mapped field of the seed mapping, every way a field can be wrong, and fuzzing."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from connectors.tfso import TfsoConnector
from router.domain import ArticleUpdate, CanonicalOrder, Ignored
from router.errors import InputError

COMPANY = {
    "Id": "20002",
    "Name": "Kunde AS",
    "PhoneNumbers": {"Mobile": {"Value": "+47 900 00 000"}, "Work": {"Value": "+47 22 11 11 11"}},
    "EmailAddresses": {"Invoice": {"Value": "bilag@kunde.no"}, "Primary": {"Value": "post@kunde.no"}},
}


def _normalize(connector: TfsoConnector, body: bytes) -> CanonicalOrder:
    result = connector.normalize(body, {"content-type": "application/xml"})
    assert isinstance(result, CanonicalOrder), result
    return result


def _set(order: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(order)
    *parents, last = path.split(".")
    node: Any = changed
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is _DROP:
        node.pop(last, None)
    else:
        node[last] = value
    return changed


_DROP = object()

# (case, changes to the base order as {dotted path: value}, with the company?, what, expected)
MAPPED: list[tuple[str, dict[str, Any], bool, str, Any]] = [
    ("order number is OrderId", {}, False, "order_number", "10001"),
    ("customer number is CustomerId", {}, False, "customer_number", "20002"),
    ("no CustomerId, no customer number", {"CustomerId": "-2147483648"}, False, "customer_number", None),
    ("ship-to name is CustomerDeliveryName", {}, False, "ship_to.name", "Kunde AS Lager"),
    (
        "ship-to name falls back to Delivery.Name",
        {"CustomerDeliveryName": ""},
        False,
        "ship_to.name",
        "Kunde AS Mottak",
    ),
    (
        "then to CustomerName",
        {"Addresses.Delivery.Name": _DROP, "CustomerDeliveryName": _DROP},
        False,
        "ship_to.name",
        "Kunde AS",
    ),
    ("street line 1", {}, False, "ship_to.address1", "Storgata 1"),
    ("street line 2", {}, False, "ship_to.address2", "Bygg B"),
    ("street line 3", {}, False, "ship_to.address3", "Porten til venstre"),
    ("single-line street", {"Addresses.Delivery.Street": "Storgata 1"}, False, "ship_to.address2", None),
    ("postcode", {}, False, "ship_to.postcode", "0155"),
    ("town from PostalArea", {}, False, "ship_to.city", "OSLO"),
    (
        "town from City without PostalArea",
        {"Addresses.Delivery.PostalArea": _DROP, "Addresses.Delivery.City": "Bergen"},
        False,
        "ship_to.city",
        "Bergen",
    ),
    ("country code", {"Addresses.Delivery.Country": "se"}, False, "ship_to.country_code", "SE"),
    ("country name", {"Addresses.Delivery.Country": "Norge"}, False, "ship_to.country_code", "NO"),
    ("no country: the default", {"Addresses.Delivery.Country": _DROP}, False, "ship_to.country_code", "NO"),
    ("state", {}, False, "ship_to.state_code", "Oslo fylke"),
    (
        "Post address when there is no Delivery",
        {"Addresses": {"Post": {"Street": "Postboks 9", "PostalCode": "0101", "PostalArea": "OSLO"}}},
        False,
        "ship_to.address1",
        "Postboks 9",
    ),
    ("phone from CustomerDeliveryPhone", {}, True, "ship_to.phone", "+47 22 00 00 00"),
    (
        "phone falls back to the company's mobile",
        {"CustomerDeliveryPhone": ""},
        True,
        "ship_to.phone",
        "+47 900 00 000",
    ),
    ("no phone anywhere", {"CustomerDeliveryPhone": ""}, False, "ship_to.phone", None),
    ("mobile is CustomerDeliveryPhone", {}, True, "ship_to.mobile", "+47 22 00 00 00"),
    (
        "mobile falls back to the company's mobile",
        {"CustomerDeliveryPhone": ""},
        True,
        "ship_to.mobile",
        "+47 900 00 000",
    ),
    ("email from InvoiceEmailAddress", {}, True, "ship_to.email", "faktura@kunde.no"),
    (
        "email falls back to the company's invoice address",
        {"InvoiceEmailAddress": _DROP},
        True,
        "ship_to.email",
        "bilag@kunde.no",
    ),
    ("text rows are skipped", {}, False, "len(lines)", 1),
    ("line id is RowId", {}, False, "lines[0].line_id", "11"),
    ("line id without RowId is the position", {"InvoiceRows.0.RowId": _DROP}, False, "lines[0].line_id", "1"),
    ("article is ProductNo", {}, False, "lines[0].article_number", "W-1"),
    ("quantity", {"InvoiceRows.0.Quantity": "2.500"}, False, "lines[0].quantity", Decimal("2.500")),
    ("unit price", {}, False, "lines[0].unit_price", Decimal("99.50")),
    (
        "no price: Decimal.MinValue",
        {"InvoiceRows.0.Price": "-79228162514264337593543950335"},
        False,
        "lines[0].unit_price",
        None,
    ),
    ("discount (a percentage)", {}, False, "lines[0].discount", Decimal(10)),
    ("VAT", {}, False, "lines[0].vat_percent", Decimal(25)),
    ("article name", {}, False, "lines[0].article_name", "Widget"),
    ("currency from Currency.Symbol", {}, False, "currency", "NOK"),
    ("LOCAL currency is none", {"Currency": {"Symbol": "LOCAL"}}, False, "currency", None),
    ("delivery date", {}, False, "delivery_date", dt.date(2024, 3, 5)),
    ("no delivery date: DateTime.MinValue", {"DeliveryDate": "0001-01-01T00:00:00"}, False, "delivery_date", None),
    ("remark is InvoiceTitle", {}, False, "remark", "Ordre 5178"),
    ("reference number is ReferenceNumber", {}, False, "reference_number", "REF-77"),
    ("sales code is YourReference", {}, False, "sales_code", "Ola"),
    ("way of delivery type code is DeliveryMethod.Id", {}, False, "way_of_delivery_type_code", "4"),
    ("way of delivery type name is DeliveryMethod.Description", {}, False, "way_of_delivery_type_name", "Bring"),
    (
        "unmapped delivery method: its Description",
        {"DeliveryMethod": {"Id": "5", "Description": "Posten"}},
        False,
        "way_of_delivery",
        "Posten",
    ),
    ("invoice address name is CustomerName", {}, False, "bill_to.name", "Kunde AS"),
    ("invoice address street", {}, False, "bill_to.address1", "Fakturaveien 2"),
    ("invoice address postcode", {}, False, "bill_to.postcode", "0150"),
    ("invoice address town", {}, False, "bill_to.city", "OSLO"),
    ("invoice address country", {}, False, "bill_to.country_code", "NO"),
    ("no invoice address, no bill-to", {"Addresses.Invoice": _DROP}, False, "bill_to", None),
    ("delivery instruction is DeliveryAlternative", {}, False, "delivery_instruction", "Leveres bakdør"),
    ("way of delivery mapped from DeliveryMethod.Id", {}, False, "way_of_delivery", "BRING"),
    ("unmapped delivery method", {"DeliveryMethod": {"Id": "5"}}, False, "way_of_delivery", None),
    ("order type mapped from TypeOfSaleId", {}, False, "order_type", "B2C"),
    ("unmapped type of sale: the source's type", {"TypeOfSaleId": "9"}, False, "order_type", None),
    ("created at is DateOrdered (UTC)", {}, False, "created_at", dt.datetime(2024, 3, 1, 8, 30, tzinfo=dt.UTC)),
]


def _get(order: CanonicalOrder, what: str) -> Any:
    if what == "len(lines)":
        return len(order.lines)
    if what.startswith("lines[0]."):
        return getattr(order.lines[0], what.removeprefix("lines[0]."))
    node: Any = order
    for part in what.split("."):
        node = getattr(node, part)
    return node


def _apply(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for path, value in changes.items():
        base = _set(base, path, value)
    return base


@pytest.mark.parametrize(
    ("changes", "with_company", "what", "expected"), [c[1:] for c in MAPPED], ids=[c[0] for c in MAPPED]
)
def test_every_mapped_field(
    connector: TfsoConnector, docs: Any, changes: dict[str, Any], with_company: bool, *, what: str, expected: Any
) -> None:
    body = docs.document(_apply(docs.order(), changes), COMPANY if with_company else None)
    assert _get(_normalize(connector, body), what) == expected


# (case, changes, the field the InputError must name)
INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("no OrderId", {"OrderId": _DROP}, "InvoiceOrder.OrderId"),
    ("OrderId not a number", {"OrderId": "abc"}, "InvoiceOrder.OrderId"),
    ("no OrderStatus", {"OrderStatus": _DROP}, "InvoiceOrder.OrderStatus"),
    ("no delivery address", {"Addresses": _DROP}, "InvoiceOrder.Addresses.Delivery"),
    ("no street", {"Addresses.Delivery.Street": " "}, "InvoiceOrder.Addresses.Delivery.Street"),
    ("no postcode", {"Addresses.Delivery.PostalCode": _DROP}, "InvoiceOrder.Addresses.Delivery.PostalCode"),
    ("no town", {"Addresses.Delivery.PostalArea": _DROP}, "InvoiceOrder.Addresses.Delivery.PostalArea"),
    (
        "no name at all",
        {"Addresses.Delivery.Name": _DROP, "CustomerDeliveryName": _DROP, "CustomerName": _DROP},
        "InvoiceOrder.Addresses.Delivery.Name",
    ),
    ("unknown country", {"Addresses.Delivery.Country": "Atlantis"}, "InvoiceOrder.Addresses.Delivery.Country"),
    ("forbidden article character", {"InvoiceRows.0.ProductNo": "W_1"}, "InvoiceOrder.InvoiceRows[0].ProductNo"),
    ("product without number", {"InvoiceRows.0.ProductNo": ""}, "InvoiceOrder.InvoiceRows[0].ProductNo"),
    ("zero quantity", {"InvoiceRows.0.Quantity": "0"}, "InvoiceOrder.InvoiceRows[0].Quantity"),
    ("no quantity", {"InvoiceRows.0.Quantity": _DROP}, "InvoiceOrder.InvoiceRows[0].Quantity"),
    ("quantity not a number", {"InvoiceRows.0.Quantity": "two"}, "InvoiceOrder.InvoiceRows[0].Quantity"),
    ("infinite price", {"InvoiceRows.0.Price": "Infinity"}, "InvoiceOrder.InvoiceRows[0].Price"),
    ("VAT over 100", {"InvoiceRows.0.VatRate": "125"}, "InvoiceOrder.InvoiceRows[0].VatRate"),
    ("negative discount", {"InvoiceRows.0.DiscountRate": "-5"}, "InvoiceOrder.InvoiceRows[0].DiscountRate"),
    (
        "RowId used twice",
        {"InvoiceRows.1": {"RowId": "11", "ProductNo": "X-2", "Quantity": "1"}},
        "InvoiceOrder.InvoiceRows[1].RowId",
    ),
    ("currency not ISO", {"Currency": {"Symbol": "kr"}}, "InvoiceOrder.Currency.Symbol"),
    ("bad DateChanged", {"DeliveryDate": "tomorrow"}, "InvoiceOrder.DeliveryDate"),
    ("a struct where text belongs", {"CustomerName": {"First": "x"}}, "InvoiceOrder.CustomerName"),
    (
        "an element twice",
        {"Addresses": {"Delivery": {"Street": "a"}}, "Currency": {"Symbol": "NOK"}},
        "InvoiceOrder.Addresses.Delivery.PostalCode",
    ),
]


@pytest.mark.parametrize(("changes", "field"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_bad_fields_are_input_errors_naming_the_field(
    connector: TfsoConnector, docs: Any, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        connector.normalize(docs.document(_apply(docs.order(), changes)), {})
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"", "body"),
        (b"not xml", "body"),
        (b"<PulledOrder/>", "body"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><PulledOrder xmlns="urn:order-router:tfso:1"/>',
            "body",
        ),
        (b'<PulledOrder xmlns="urn:order-router:tfso:1"/>', "InvoiceOrder"),
        (b'<PulledOrder xmlns="urn:order-router:tfso:1"><x xmlns="urn:other"/></PulledOrder>', "body"),
    ],
)
def test_documents_that_are_not_orders(connector: TfsoConnector, body: bytes, field: str) -> None:
    with pytest.raises(InputError) as caught:
        connector.normalize(body, {})
    assert caught.value.field == field


def test_a_repeated_element_is_refused(connector: TfsoConnector, docs: Any) -> None:
    order = docs.element("InvoiceOrder", docs.order())
    order.append(docs.element("OrderId", "10002"))
    body = b'<PulledOrder xmlns="urn:order-router:tfso:1">' + etree.tostring(order) + b"</PulledOrder>"
    with pytest.raises(InputError) as caught:
        connector.normalize(body, {})
    assert caught.value.field == "InvoiceOrder.OrderId"


def test_orders_not_in_a_pulled_state_are_ignored(connector: TfsoConnector, docs: Any) -> None:
    result = connector.normalize(docs.document(docs.order(OrderStatus="Draft")), {})
    assert isinstance(result, Ignored)
    assert "Draft" in result.reason


def test_orders_without_product_rows_are_ignored(connector: TfsoConnector, docs: Any) -> None:
    rows = [{"RowId": "1", "Name": "Konsulenttimer", "Quantity": "3", "Price": "900"}]  # a free row: no product
    result = connector.normalize(docs.document(docs.order(InvoiceRows=rows)), {})
    assert isinstance(result, Ignored)


def test_pull_states_setting_decides_what_is_an_order(docs: Any) -> None:
    connector = docs.connector(pull_states=["Pack"])
    assert isinstance(connector.normalize(docs.document(docs.order(OrderStatus="Pack")), {}), CanonicalOrder)
    assert isinstance(connector.normalize(docs.document(docs.order()), {}), Ignored)


def test_normalize_is_pure_and_needs_no_credentials(docs: Any) -> None:
    connector = docs.connector()
    body = docs.document()
    assert connector.normalize(body, {}) == connector.normalize(body, {})
    assert connector._client is None


# --- fuzzing: nothing but InputError, whatever arrives ---------------------------------------------

_NAMES = st.sampled_from(
    ["OrderId", "CustomerId", "OrderStatus", "Addresses", "Delivery", "Post", "Street", "PostalCode", "PostalArea",
     "Country", "Name", "InvoiceRows", "InvoiceRow", "ProductNo", "Quantity", "Price", "VatRate", "DiscountRate",
     "RowId", "Type", "Currency", "Symbol", "DeliveryDate", "DateOrdered", "DeliveryMethod", "Id", "TypeOfSaleId",
     "PhoneNumbers", "Mobile", "Value", "EmailAddresses", "Invoice", "CustomerDeliveryPhone"]
)  # fmt: skip
_XML_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
_VALUES = st.one_of(
    _XML_TEXT,
    st.sampled_from(["Confirmed", "-2147483648", "NaN", "1e400", "-1", "0001-01-01T00:00:00", "99999999999999999999"]),
    st.integers().map(str),
    st.decimals(allow_nan=True).map(str),
)
_TREES = st.recursive(
    _VALUES,
    lambda inner: (
        st.dictionaries(_NAMES, inner, max_size=6) | st.lists(st.dictionaries(_NAMES, inner, max_size=4), max_size=3)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_input_error(connector: TfsoConnector, body: bytes) -> None:
    result: object
    try:
        result = connector.normalize(body, {})
    except InputError as exc:
        result = exc
    # either a typed error naming the field, or a valid result
    assert isinstance(result, (CanonicalOrder, ArticleUpdate, Ignored)) or (
        isinstance(result, InputError) and bool(result.field)
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    tree=st.dictionaries(_NAMES, _TREES, max_size=10),
    base=st.booleans(),
    company=st.none() | st.dictionaries(_NAMES, _TREES, max_size=4),
)
def test_arbitrary_order_xml_raises_only_input_error(
    connector: TfsoConnector, docs: Any, tree: dict[str, Any], base: bool, company: dict[str, Any] | None
) -> None:
    order = {**docs.order(), **tree} if base else tree
    try:
        result = connector.normalize(docs.document(order, company), {})
    except InputError:
        return
    assert isinstance(result, CanonicalOrder | Ignored)
