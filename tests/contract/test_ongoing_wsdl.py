"""The project's Ongoing WSDL subset stays faithful to Ongoing's real WSDL in ../shared/contracts."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
TNS = "http://ongoingsystems.se/WSI"
NS = {"s": XS, "wsdl": WSDL, "soap": SOAP}

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


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    min_occurs: int
    max_occurs: str
    nillable: bool


class Wsdl:
    """The parts of a WSDL document these checks compare."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.schema = root.find("wsdl:types/s:schema", NS)
        assert self.schema is not None
        self.complex = {e.get("name"): e for e in self.schema.findall("s:complexType", NS)}
        self.simple = {e.get("name"): e for e in self.schema.findall("s:simpleType", NS)}
        self.elements = {e.get("name"): e for e in self.schema.findall("s:element", NS)}

    def fields(self, node: etree._Element) -> list[Field]:
        sequence = node.find("s:sequence", NS)
        if sequence is None:
            sequence = node.find("s:complexType/s:sequence", NS)
        assert sequence is not None, node.get("name")
        return [
            Field(
                name=el.get("name"),
                type=_qname(el, el.get("type")),
                min_occurs=int(el.get("minOccurs", "1")),
                max_occurs=el.get("maxOccurs", "1"),
                nillable=el.get("nillable", "false") == "true",
            )
            for el in sequence.findall("s:element", NS)
        ]

    def enum_values(self, name: str) -> list[str]:
        return [e.get("value") for e in self.simple[name].iter(f"{{{XS}}}enumeration")]

    def closure(self, element_names: set[str]) -> set[str]:
        """Named types reachable from the given top-level elements."""
        seen: set[str] = set()
        todo = [f.type for name in element_names for f in self.fields(self.elements[name])]
        while todo:
            qname = todo.pop()
            namespace, _, local = qname[1:].partition("}")
            if namespace != TNS or local in seen:
                continue
            seen.add(local)
            if local in self.complex:
                todo.extend(f.type for f in self.fields(self.complex[local]))
        return seen


def _qname(el: etree._Element, value: str | None) -> str:
    assert value is not None, etree.tostring(el)
    prefix, _, local = value.rpartition(":")
    return f"{{{el.nsmap[prefix or None]}}}{local}"


@pytest.fixture(scope="module")
def ours() -> Wsdl:
    text = resources.files("router.wms").joinpath("ongoing.wsdl").read_bytes()
    return Wsdl(etree.fromstring(text))


@pytest.fixture(scope="module")
def real() -> Wsdl:
    if not SHARED.is_dir():
        pytest.skip("../shared (the real Ongoing WSDL) is not beside the repository")
    return Wsdl(etree.parse(str(REAL_WSDL)).getroot())


def _response_elements(wsdl: Wsdl) -> set[str]:
    return {name for name in wsdl.elements if name.endswith("Response")}


def test_namespace_and_schema_form(ours: Wsdl, real: Wsdl) -> None:
    assert ours.root.get("targetNamespace") == real.root.get("targetNamespace") == TNS
    assert ours.schema is not None
    assert real.schema is not None
    assert ours.schema.get("targetNamespace") == TNS
    assert ours.schema.get("elementFormDefault") == real.schema.get("elementFormDefault") == "qualified"


def test_operations_messages_and_binding(ours: Wsdl, real: Wsdl) -> None:
    port_ops = {op.get("name") for op in ours.root.findall("wsdl:portType[@name='ServiceSoap']/wsdl:operation", NS)}
    assert port_ops == OPERATIONS
    real_messages = {m.get("name"): m for m in real.root.findall("wsdl:message", NS)}
    for message in ours.root.findall("wsdl:message", NS):
        name = message.get("name")
        assert name in real_messages, name
        ours_parts = [(p.get("name"), _qname(p, p.get("element"))) for p in message.findall("wsdl:part", NS)]
        real_parts = [
            (p.get("name"), _qname(p, p.get("element"))) for p in real_messages[name].findall("wsdl:part", NS)
        ]
        assert ours_parts == real_parts, name
    for op in ours.root.findall("wsdl:portType/wsdl:operation", NS):
        real_op = real.root.find(f"wsdl:portType[@name='ServiceSoap']/wsdl:operation[@name='{op.get('name')}']", NS)
        assert real_op is not None
        for direction in ("input", "output"):
            mine = op.find(f"wsdl:{direction}", NS)
            theirs = real_op.find(f"wsdl:{direction}", NS)
            assert mine is not None
            assert theirs is not None
            assert mine.get("message") == theirs.get("message")
    binding = ours.root.find("wsdl:binding[@name='ServiceSoap']", NS)
    real_binding = real.root.find("wsdl:binding[@name='ServiceSoap']", NS)
    assert binding is not None
    assert real_binding is not None
    for op in binding.findall("wsdl:operation", NS):
        action = op.find("soap:operation", NS)
        real_action = real_binding.find(f"wsdl:operation[@name='{op.get('name')}']/soap:operation", NS)
        assert action is not None
        assert real_action is not None
        assert action.get("soapAction") == real_action.get("soapAction") == f"{TNS}/{op.get('name')}"
        assert action.get("style") == real_action.get("style") == "document"
    port = ours.root.find("wsdl:service[@name='Service']/wsdl:port[@name='ServiceSoap']", NS)
    assert port is not None
    assert port.get("binding") == "tns:ServiceSoap"


def test_every_definition_exists_in_the_real_wsdl(ours: Wsdl, real: Wsdl) -> None:
    assert set(ours.elements) <= set(real.elements)
    assert set(ours.complex) <= set(real.complex)
    assert set(ours.simple) <= set(real.simple)
    for name in ours.simple:
        assert set(ours.enum_values(name)) <= set(real.enum_values(name)), name


def _check_sequence(name: str, mine: list[Field], theirs: list[Field]) -> None:
    real_index = {f.name: i for i, f in enumerate(theirs)}
    last = -1
    added_from = None
    for position, field in enumerate(mine):
        if (name, field.name) in ALLOWED_ADDITIONS:
            assert field.min_occurs == 0, (name, field.name)
            added_from = position if added_from is None else added_from
            continue
        assert added_from is None, f"{name}.{field.name} comes after a newer-than-2017 addition"
        assert field.name in real_index, f"{name}.{field.name} is not in the real WSDL"
        index = real_index[field.name]
        assert index > last, f"{name}.{field.name} is out of the real order"
        last = index
        assert field == theirs[index], f"{name}.{field.name}: {field} != {theirs[index]}"


def test_sequences_keep_real_order_types_and_occurrence(ours: Wsdl, real: Wsdl) -> None:
    for name, node in ours.complex.items():
        _check_sequence(name, ours.fields(node), real.fields(real.complex[name]))
    for name, node in ours.elements.items():
        _check_sequence(name, ours.fields(node), real.fields(real.elements[name]))


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
    request_types = ours.closure(request_elements)
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
    nodes = [(name, ours.complex[name], real.complex[name]) for name in request_types if name in ours.complex]
    nodes += [(name, ours.elements[name], real.elements[name]) for name in request_elements]
    for name, mine, theirs in nodes:
        present = {f.name for f in ours.fields(mine)}
        required = {f.name for f in real.fields(theirs) if f.min_occurs >= 1}
        assert required <= present, f"{name} lacks required {sorted(required - present)}"


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
