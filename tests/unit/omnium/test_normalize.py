from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.omnium import OmniumConnector
from router.domain import Address, ArticleUpdate, CanonicalOrder, Ignored, SourceCancellation
from router.errors import InputError

HEADER = "X-Omnium-Shipment-Id"


def normalize(
    connector: OmniumConnector, doc: object, shipment: str | None = "1"
) -> CanonicalOrder | SourceCancellation | Ignored:
    headers = {} if shipment is None else {HEADER: shipment}
    return connector.normalize(json.dumps(doc).encode(), headers)


def canonical(connector: OmniumConnector, doc: object, shipment: str = "1") -> CanonicalOrder:
    result = normalize(connector, doc, shipment)
    assert isinstance(result, CanonicalOrder), result
    return result


def test_two_shipments_become_two_canonical_orders(connector: OmniumConnector, om: Any) -> None:
    doc = om.order()
    first, second = canonical(connector, doc, "1"), canonical(connector, doc, "2")
    assert (first.order_number, second.order_number) == ("1001-1", "1001-2")
    assert [(x.article_number, x.quantity) for x in first.lines] == [("SKU-1", Decimal(2))]
    assert [(x.article_number, x.quantity) for x in second.lines] == [("SKU-2", Decimal(1))]
    assert (first.ship_to.city, second.ship_to.city) == ("Oslo", "Bergen")
    assert (first.ship_to.name, second.ship_to.name) == ("Ola Nordmann", "Kari Nordmann")
    assert (first.way_of_delivery, second.way_of_delivery) == ("BRING", "PostNord_MyPack")
    # freight: the shipment's own, else the order's only once (with the first shipment)
    assert (first.freight_price, second.freight_price) == (Decimal(79), None)


def test_the_header_is_case_insensitive(connector: OmniumConnector, om: Any) -> None:
    result = connector.normalize(om.encode(om.order()), {"x-omnium-shipment-id": "2"})
    assert isinstance(result, CanonicalOrder)
    assert result.order_number == "1001-2"


# (description, document change, shipment, attribute, expected)
MAPPED: list[tuple[str, dict[str, Any], str, str, object]] = [
    ("order number", {}, "1", "order_number", "1001-1"),
    ("number from id when no orderNumber", {"orderNumber": None, "id": "X-9"}, "1", "order_number", "X-9-1"),
    ("order type mapped", {}, "1", "order_type", "B2C"),
    ("order type unmapped passes", {"orderType": "ClickAndCollect"}, "1", "order_type", "ClickAndCollect"),
    ("order type absent: the source's", {"orderType": None}, "1", "order_type", None),
    ("customer number", {}, "1", "customer_number", "C-42"),
    ("currency", {}, "1", "currency", "NOK"),
    ("remark from the comment", {}, "1", "remark", "Leave at the door"),
    (
        "remark with notes",
        {"orderNotes": [{"subject": "Gift", "description": "Wrap it"}, {"subject": "Call first"}]},
        "1",
        "remark",
        "Leave at the door\nWrap it\nCall first",
    ),
    ("no remark", {"comment": None}, "1", "remark", None),
    ("email notification", {}, "1", "notify_by_email", True),
    ("no email notification", {"customerEmail": None}, "1", "notify_by_email", False),
    ("sms notification", {}, "1", "notify_by_sms", True),
    ("no sms notification", {"customerPhone": ""}, "1", "notify_by_sms", False),
    ("freight of the shipment", {}, "1", "freight_price", Decimal(79)),
    ("transporter mapped", {}, "1", "way_of_delivery", "BRING"),
    ("service point mapped", {}, "1", "service_point_code", "BRING-SP-123"),
    ("no service point", {}, "2", "service_point_code", None),
    ("created", {}, "1", "created_at", dt.datetime(2026, 2, 17, 7, 23, 7, tzinfo=dt.UTC)),
]


@pytest.mark.parametrize(
    ("change", "shipment", "attribute", "expected"), [m[1:] for m in MAPPED], ids=[m[0] for m in MAPPED]
)
def test_order_fields_are_mapped(
    connector: OmniumConnector, om: Any, *, change: dict[str, Any], shipment: str, attribute: str, expected: object
) -> None:
    assert getattr(canonical(connector, om.order(**change), shipment), attribute) == expected


def test_freight_falls_back_to_the_order_total_for_the_first_shipment(connector: OmniumConnector, om: Any) -> None:
    doc = om.with_shipment(om.order(), 0, shippingTotal=None)
    assert canonical(connector, doc, "1").freight_price == Decimal(99)
    assert canonical(connector, doc, "2").freight_price is None


def test_the_consignee_is_the_shipment_address(connector: OmniumConnector, om: Any) -> None:
    assert canonical(connector, om.order()).ship_to == Address(
        name="Ola Nordmann",
        address1="Storgata 1",
        address2="Oppgang B",
        postcode="0155",
        city="Oslo",
        country_code="NO",
        state_code="03",
        phone="+4722000000",
        mobile="+4740000000",
        email="ship@example.com",
    )


# (description, address change, attribute, expected)
ADDRESS: list[tuple[str, dict[str, Any], str, object]] = [
    ("name wins over first/last", {"name": "O. N."}, "name", "O. N."),
    ("organization as name", {"organization": "Acme AS"}, "name", "Acme AS"),
    ("person as attention", {"organization": "Acme AS"}, "address3", "Att: Ola Nordmann"),
    ("customer name fallback", {"firstName": None, "lastName": None}, "name", "Ola Nordmann"),
    ("street number joined", {"streetNumber": "12"}, "address1", "Storgata 1 12"),
    ("country upper-cased", {"countryCode": "no"}, "country_code", "NO"),
    ("state when no region", {"regionCode": None, "state": "Oslo"}, "state_code", "Oslo"),
    ("daytime phone fallback", {"phone": None, "daytimePhoneNumber": "+4711"}, "phone", "+4711"),
    ("customer email fallback", {"email": None}, "email", "ola@example.com"),
]


@pytest.mark.parametrize(("change", "attribute", "expected"), [a[1:] for a in ADDRESS], ids=[a[0] for a in ADDRESS])
def test_address_fields_are_mapped(
    connector: OmniumConnector, om: Any, change: dict[str, Any], attribute: str, expected: object
) -> None:
    doc = om.with_shipment(om.order(), 0, address=om.address(**change))
    assert getattr(canonical(connector, doc).ship_to, attribute) == expected


def test_line_fields_are_mapped(connector: OmniumConnector, om: Any) -> None:
    doc = om.with_shipment(
        om.order(), 0, lineItems=[om.line("7", "SKU-7", "3", canceledQuantity=1, placedPrice="12.50")]
    )
    (only,) = canonical(connector, doc).lines
    assert only.line_id == "7"
    assert only.article_number == "SKU-7"
    assert only.quantity == Decimal(2)  # ordered minus cancelled
    assert only.article_name == "Product SKU-7"
    assert only.unit_price == Decimal("12.50")
    assert only.vat_percent == Decimal(25)


def test_a_single_shipment_without_lines_ships_the_order_form(connector: OmniumConnector, om: Any) -> None:
    doc = om.order()
    doc["orderForm"]["shipments"] = [{**doc["orderForm"]["shipments"][0], "lineItems": []}]
    assert [x.article_number for x in canonical(connector, doc).lines] == ["SKU-1", "SKU-2"]


def test_unmapped_transporter_and_service_point_pass_through(om: Any) -> None:
    bare = om.connector()
    result = canonical(bare, om.order())
    assert (result.way_of_delivery, result.service_point_code, result.order_type) == (
        "Bring_SERVICEPAKKE",
        "SP-123",
        "Online",
    )


@pytest.mark.parametrize(
    ("doc_change", "shipment_change", "field"),
    [
        ({}, {"address": None}, "orderForm.shipments[0].address"),
        (
            {},
            {"lineItems": [{"lineItemId": "1", "code": "A_1", "quantity": 1}]},
            "orderForm.shipments[0].lineItems[0].code",
        ),
        (
            {},
            {"lineItemId": None, "lineItems": [{"lineItemId": "1", "quantity": 1}]},
            "orderForm.shipments[0].lineItems[0].code",
        ),
        (
            {},
            {"lineItems": [{"lineItemId": "1", "code": "A", "quantity": 0}]},
            "orderForm.shipments[0].lineItems[0].quantity",
        ),
        (
            {},
            {"lineItems": [{"lineItemId": "1", "code": "A", "quantity": "NaN"}]},
            "orderForm.shipments[0].lineItems[0].quantity",
        ),
        (
            {},
            {"lineItems": [{"lineItemId": "1", "code": "A", "quantity": "x"}]},
            "orderForm.shipments[0].lineItems[0].quantity",
        ),
        ({}, {"lineItems": [{"code": "A", "quantity": 1}]}, "orderForm.shipments[0].lineItems[0].lineItemId"),
        (
            {},
            {"lineItems": [{"lineItemId": " ", "code": "A", "quantity": 1}]},
            "orderForm.shipments[0].lineItems[0].lineItemId",
        ),
        (
            {},
            {"lineItems": [{"lineItemId": "1", "code": "A", "quantity": 1, "canceledQuantity": 2}]},
            "orderForm.shipments[0].lineItems[0].canceledQuantity",
        ),
        (
            {},
            {"lineItems": [{"lineItemId": "1", "code": "A", "quantity": 1, "taxRate": 250}]},
            "orderForm.shipments[0].lineItems[0].taxRate",
        ),
        (
            {},
            {
                "lineItems": [
                    {"lineItemId": "1", "code": "A", "quantity": 1},
                    {"lineItemId": "1", "code": "B", "quantity": 1},
                ]
            },
            "orderForm.shipments[0].lineItems[1].lineItemId",
        ),
        ({}, {"lineItems": []}, "orderForm.shipments[0].lineItems"),
        (
            {"customerName": None},
            {"address": {"line1": "G 1", "postalCode": "1", "city": "O", "countryCode": "NO"}},
            "orderForm.shipments[0].address.name",
        ),
        (
            {},
            {"address": {"name": "A", "postalCode": "1", "city": "O", "countryCode": "NO"}},
            "orderForm.shipments[0].address.line1",
        ),
        (
            {},
            {"address": {"name": "A", "line1": "G", "city": "O", "countryCode": "NO"}},
            "orderForm.shipments[0].address.postalCode",
        ),
        (
            {},
            {"address": {"name": "A", "line1": "G", "postalCode": "1", "countryCode": "NO"}},
            "orderForm.shipments[0].address.city",
        ),
        (
            {},
            {"address": {"name": "A", "line1": "G", "postalCode": "1", "city": "O", "countryCode": "XX"}},
            "orderForm.shipments[0].address.countryCode",
        ),
        ({}, {"address": "Storgata 1, 0155 Oslo"}, "orderForm.shipments[0].address"),
        ({}, {"shippingTotal": -5}, "orderForm.shipments[0].shippingTotal"),
        ({"billingCurrency": "kroner"}, {}, "billingCurrency"),
        ({"orderNumber": " ", "id": ""}, {}, "orderNumber"),
        ({"id": 5}, {}, "id"),
        ({"orderForm": []}, None, "orderForm"),
    ],
)
def test_bad_input_names_the_field(
    connector: OmniumConnector, om: Any, doc_change: dict[str, Any], shipment_change: dict[str, Any] | None, field: str
) -> None:
    doc = om.order(**doc_change)
    if shipment_change is not None:
        doc = om.with_shipment(doc, 0, **shipment_change)
    with pytest.raises(InputError) as err:
        normalize(connector, doc)
    assert err.value.field == field


def test_an_unknown_shipment_is_an_input_error(connector: OmniumConnector, om: Any) -> None:
    with pytest.raises(InputError) as err:
        normalize(connector, om.order(), "9")
    assert err.value.field == "orderForm.shipments"


def test_an_order_without_shipments_is_an_input_error(connector: OmniumConnector, om: Any) -> None:
    with pytest.raises(InputError) as err:
        normalize(connector, om.order(), "")
    assert err.value.field == "orderForm.shipments"


def test_a_shipment_id_with_a_dash_is_refused(connector: OmniumConnector, om: Any) -> None:
    with pytest.raises(InputError) as err:
        normalize(connector, om.with_shipment(om.order(), 0, shipmentId="1-a"), "1-a")
    assert err.value.field == "orderForm.shipments[0].shipmentId"


@pytest.mark.parametrize(
    ("doc_change", "shipment_change", "reason"),
    [
        ({"status": "Completed"}, {}, "'Completed'"),
        ({}, {"orderStatus": "InProgressWarehouse"}, "'InProgressWarehouse'"),
    ],
)
def test_shipments_not_due_are_ignored(
    connector: OmniumConnector, om: Any, doc_change: dict[str, Any], shipment_change: dict[str, Any], reason: str
) -> None:
    result = normalize(connector, om.with_shipment(om.order(**doc_change), 0, **shipment_change))
    assert isinstance(result, Ignored)
    assert reason in result.reason


@pytest.mark.parametrize(
    ("doc_change", "shipment_change", "reason"),
    [
        ({"status": "OrderCanceled"}, {}, "OrderCanceled"),
        ({}, {"orderStatus": "OrderCanceled"}, "OrderCanceled"),
        ({}, {"lineItems": [{"lineItemId": "1", "code": "A", "quantity": 2, "canceledQuantity": 2}]}, "cancelled"),
    ],
)
def test_a_cancelled_shipment_is_a_cancellation_of_its_wms_order(
    connector: OmniumConnector, om: Any, doc_change: dict[str, Any], shipment_change: dict[str, Any], reason: str
) -> None:
    result = normalize(connector, om.with_shipment(om.order(**doc_change), 0, **shipment_change))
    assert isinstance(result, SourceCancellation)
    assert result.order_numbers == ("1001-1",)
    assert reason in (result.reason or "")


def test_the_shipment_status_wins_over_the_order_status(connector: OmniumConnector, om: Any) -> None:
    doc = om.with_shipment(om.order(status="PartiallyShipped"), 1, orderStatus="New")
    assert canonical(connector, doc, "2").order_number == "1001-2"


EVENT = {
    "timestamp": "2026-02-17T07:23:07.638Z",
    "operationId": 111102,
    "message": "Workflow completed",
    "className": "Order",
    "subClassName": "Online",
    "objectId": "ORD-12345",
    "objectNumber": "ORD-12345",
    "category": "Workflow",
    "market": "nor",
    "storeId": "oslo-online",
    "status": "New",
    "previousStatus": "",
    "isError": False,
    "origin": "POST /api/Cart/CreateOrderFromCart/",
}


def test_an_event_is_ignored_and_names_its_order(connector: OmniumConnector) -> None:
    result = normalize(connector, EVENT, shipment=None)
    assert isinstance(result, Ignored)
    assert "ORD-12345" in result.reason
    assert connector.event_order_id(json.dumps(EVENT).encode()) == "ORD-12345"


def test_an_old_style_event_with_user_fields_is_read(connector: OmniumConnector) -> None:
    old = {"className": "Order", "objectId": "7", "category": "Created", "user": "x", "userId": "y"}
    assert connector.event_order_id(json.dumps(old).encode()) == "7"


def test_an_event_of_another_class_is_ignored_without_an_order(connector: OmniumConnector) -> None:
    body = json.dumps({**EVENT, "className": "Product"}).encode()
    assert isinstance(connector.normalize(body, {}), Ignored)
    assert connector.event_order_id(body) is None


@pytest.mark.parametrize(
    ("event", "field"),
    [({**EVENT, "objectId": None}, "objectId"), ({**EVENT, "timestamp": 5}, "timestamp"), ([], "body")],
)
def test_a_bad_event_names_the_field(connector: OmniumConnector, event: object, field: str) -> None:
    with pytest.raises(InputError) as err:
        normalize(connector, event, shipment=None)
    assert err.value.field == field


def test_invalid_json_is_an_input_error_on_the_body(connector: OmniumConnector) -> None:
    with pytest.raises(InputError) as err:
        connector.normalize(b"{not json", {HEADER: "1"})
    assert err.value.field == "body"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30,
)
keys = st.sampled_from(
    [
        "id",
        "orderNumber",
        "orderForm",
        "shipments",
        "lineItems",
        "shipmentId",
        "code",
        "quantity",
        "address",
        "countryCode",
        "objectId",
        "className",
        "timestamp",
        "status",
        "orderStatus",
        "canceledQuantity",
    ]
)
shaped = st.recursive(
    json_values,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=6),
    max_leaves=40,
)
headers = st.sampled_from([{}, {HEADER: "1"}, {HEADER: ""}, {HEADER: "2"}, {HEADER: "x y"}])


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300), header=headers)
def test_arbitrary_bytes_raise_only_input_errors(
    connector: OmniumConnector, body: bytes, header: dict[str, str]
) -> None:
    result: object
    try:
        result = connector.normalize(body, header)
    except InputError as exc:
        result = exc
    # either a typed error naming the field, or a valid result
    assert isinstance(result, (CanonicalOrder, ArticleUpdate, Ignored)) or (
        isinstance(result, InputError) and bool(result.field)
    )


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=shaped, header=headers)
def test_arbitrary_json_raises_only_input_errors(
    connector: OmniumConnector, doc: object, header: dict[str, str]
) -> None:
    try:
        result = connector.normalize(json.dumps(doc).encode(), header)
    except InputError:
        return
    assert isinstance(result, CanonicalOrder | Ignored)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shipment=st.dictionaries(keys, json_values, max_size=5),
    order=st.dictionaries(keys, json_values, max_size=3),
)
def test_mutated_orders_raise_only_input_errors(
    connector: OmniumConnector, om: Any, shipment: dict[str, Any], order: dict[str, Any]
) -> None:
    doc = {**om.with_shipment(om.order(), 0, **shipment), **order}
    result: object
    try:
        result = connector.normalize(json.dumps(doc).encode(), {HEADER: "1"})
    except InputError as exc:
        result = exc
    # either a typed error naming the field, or a valid result
    assert isinstance(result, (CanonicalOrder, ArticleUpdate, Ignored)) or (
        isinstance(result, InputError) and bool(result.field)
    )
