"""The project's Ongoing WSDL subset stays faithful to Ongoing's real WSDL in ../shared/contracts."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from lxml import etree

from tests.contract.wsdl import NS, XS, Wsdl, check_port_type, check_required_kept, check_sequences

TNS = "http://ongoingsystems.se/WSI"

OPERATIONS = {
    "ProcessOrder",
    "GetOrdersByQuery",
    "UpdateOrderLines",
    "GetInventoryByQuery",
    "GetInventoryChanges",
    "ProcessArticle",
    "ProcessInOrder",
    "GetInOrdersByQuery",
    "UpdateInOrderLines",
}

# Fields the live service has that the 2017 WSDL predates (Ongoing's documentation); the only additions.
ALLOWED_ADDITIONS = {
    ("InventoryLine", "SellableNumberOfItems"),
    ("InventoryLine", "NumberOfItemsDecimal"),
    ("PickedOrderLine", "ReportedReturnedNumberOfItems"),
    ("PickedOrderLine", "ReturnedNumberOfItems"),  # REST returnedNumberOfItems; SOAP name inferred
    ("UpdateOrderLine", "ReportedReturnedNumberOfItems"),  # REST PATCH; SOAP name inferred
    ("GetInventoryQuery", "MaxArticlesToGet"),
    ("GetInventoryQuery", "ArticleSystemIdFrom"),
}
# Fields the simulator fills in response types that carry them only as a convention of this project.
NOT_ADDED = {("OrderInfoType", "Tracking"), ("OrderInfoType", "TrackingUrl")}

SHARED = Path(__file__).parents[3] / "shared"
REAL_WSDL = SHARED / "contracts" / "ongoing-wms" / "service.wsdl"


@pytest.fixture(scope="module")
def ours() -> Wsdl:
    text = resources.files("router.wms").joinpath("ongoing.wsdl").read_bytes()
    return Wsdl(etree.fromstring(text), TNS)


@pytest.fixture(scope="module")
def real() -> Wsdl:
    if not SHARED.is_dir():
        pytest.skip("../shared (the real Ongoing WSDL) is not beside the repository")
    return Wsdl(etree.parse(str(REAL_WSDL)).getroot(), TNS)


def _response_elements(wsdl: Wsdl) -> set[str]:
    return {name for name in wsdl.elements if name.endswith("Response")}


def test_namespace_and_schema_form(ours: Wsdl, real: Wsdl) -> None:
    assert ours.root.get("targetNamespace") == real.root.get("targetNamespace") == TNS
    assert [s.get("targetNamespace") for s in ours.schemas] == [s.get("targetNamespace") for s in real.schemas] == [TNS]
    assert ours.main.get("elementFormDefault") == real.main.get("elementFormDefault") == "qualified"


def test_operations_messages_and_binding(ours: Wsdl, real: Wsdl) -> None:
    check_port_type(ours, real, "ServiceSoap", OPERATIONS)
    port = ours.root.find("wsdl:service[@name='Service']/wsdl:port[@name='ServiceSoap']", NS)
    assert port is not None
    assert port.get("binding") == "tns:ServiceSoap"


def test_every_definition_exists_in_the_real_wsdl(ours: Wsdl, real: Wsdl) -> None:
    assert set(ours.elements) <= set(real.elements)
    assert set(ours.complex) <= set(real.complex)
    assert set(ours.simple) <= set(real.simple)
    for name in ours.simple:
        assert set(ours.enum_values(name)) <= set(real.enum_values(name)), name


def test_sequences_keep_real_order_types_occurrence_and_defaults(ours: Wsdl, real: Wsdl) -> None:
    check_sequences(ours, real, additions=ALLOWED_ADDITIONS)


def test_response_types_are_complete(ours: Wsdl, real: Wsdl) -> None:
    response_types = ours.closure(_response_elements(ours))
    assert {
        "FileResultClass",
        "Order",
        "PickedOrderLine",
        "InventoryLine",
        "ArticleClass",
        "InventoryChangesResult",
        "InventoryTransaction",
        "GetInOrdersResult",
        "ReceivedInOrder",
        "ReceivedInOrderLine",
        "UpdateInOrderLinesResult",
    } <= response_types
    for name in response_types:
        if name in ours.simple:
            assert ours.enum_values(name) == real.enum_values(name), name
            continue
        mine = [f.name for f in ours.fields(ours.complex[name]) if (name, f.name) not in ALLOWED_ADDITIONS]
        assert mine == [f.name for f in real.fields(real.complex[name])], name
    for name in _response_elements(ours):
        assert ours.fields(ours.elements[name]) == real.fields(real.elements[name]), name


def test_request_types_keep_every_required_element(ours: Wsdl, real: Wsdl) -> None:
    request_elements = set(ours.elements) - _response_elements(ours)
    assert request_elements == OPERATIONS
    request_types = check_required_kept(ours, real, request_elements)
    assert {
        "CustomerOrder",
        "OrderInfoClass",
        "Customer",
        "CustomerOrderLine",
        "OrderFilters",
        "InventoryChangesQuery",
        "InOrder",
        "InOrderInfoClass",
        "InOrderLine",
        "InOrderFilters",
        "UpdateInOrderLine",
    } <= request_types


def test_additions_are_new_and_labelled(ours: Wsdl, real: Wsdl) -> None:
    for type_name, field_name in ALLOWED_ADDITIONS:
        assert field_name not in {f.name for f in real.fields(real.complex[type_name])}
        sequence = ours.complex[type_name].find("s:sequence", NS)
        assert sequence is not None
        element = sequence.find(f"s:element[@name='{field_name}']", NS)
        assert element is not None, (type_name, field_name)
        comment = element.getprevious()
        assert isinstance(comment, etree._Comment), (type_name, field_name)
        assert "newer than the 2017 WSDL, per Ongoing's documentation" in str(comment.text)
    picked = {f.name: f for f in ours.fields(ours.complex["PickedOrderLine"])}
    assert picked["ReportedReturnedNumberOfItems"].nillable
    assert picked["ReturnedNumberOfItems"].nillable
    update = {f.name: f for f in ours.fields(ours.complex["UpdateOrderLine"])}
    assert update["ReportedReturnedNumberOfItems"].type == f"{{{XS}}}decimal"
    paging = {f.name: f.type for f in ours.fields(ours.complex["GetInventoryQuery"])}
    assert paging["MaxArticlesToGet"] == paging["ArticleSystemIdFrom"] == f"{{{XS}}}int"


def test_no_undocumented_tracking_object(ours: Wsdl) -> None:
    """The newer OrderInfo/Tracking object's shape is undocumented, so it is not declared (a guess would bind)."""
    info = {f.name for f in ours.fields(ours.complex["OrderInfoType"])}
    assert not {name for _, name in NOT_ADDED} & info
    assert "FreeText3" in info  # where the simulator carries the tracking URL instead
    assert "OrderTrackingInfo" not in ours.complex


def test_header_says_it_is_the_projects_own_subset() -> None:
    text = resources.files("router.wms").joinpath("ongoing.wsdl").read_text(encoding="utf-8")
    head = text[: text.index("<wsdl:definitions")]
    assert "own subset" in head
