"""The project's 24SevenOffice WSDL subsets stay faithful to the real WSDLs in ../shared/contracts."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
TNS = "http://24sevenOffice.com/webservices"
GUID_NS = "http://microsoft.com/wsdl/types/"
NS = {"s": XS, "wsdl": WSDL, "soap": SOAP}

# file -> (service name, the operations the connector calls)
SERVICES = {
    "Authenticate.wsdl": ("Authenticate", {"Login", "HasSession"}),
    "InvoiceService.wsdl": ("InvoiceService", {"GetOrderSyncList", "GetInvoices", "SaveInvoices"}),
    "ProductService.wsdl": ("ProductService", {"GetProducts", "SetStockQuantity"}),
    "CompanyService.wsdl": ("CompanyService", {"GetCompanies"}),
}
# Response types that may be partial, and why: the service returns only the properties named in
# returnProperties, and the connector never asks for the rest (above all not the portal Username/Password).
PARTIAL = {("CompanyService.wsdl", "Company")}
# Types that must be complete whatever the closure says: both request and response of the connector.
COMPLETE = {
    "InvoiceService.wsdl": {"InvoiceOrder", "InvoiceRow", "Addresses", "Address", "Currency", "APIException"},
    "ProductService.wsdl": {"Product", "APIException"},
}

# The repository's parent directory holds ../shared (tests/contract/<this file> -> parents[3]).
SHARED = Path(__file__).resolve().parents[3] / "shared"
REAL_DIR = SHARED / "contracts" / "24sevenoffice"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    min_occurs: int
    max_occurs: str
    nillable: bool
    default: str | None


def _qname(el: etree._Element, value: str | None) -> str:
    assert value is not None, etree.tostring(el)
    prefix, _, local = value.rpartition(":")
    return f"{{{el.nsmap[prefix or None]}}}{local}"


class Wsdl:
    """The parts of a WSDL document these checks compare (all schemas merged)."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.schemas = root.findall("wsdl:types/s:schema", NS)
        self.main = next(s for s in self.schemas if s.get("targetNamespace") == TNS)
        self.complex = {e.get("name"): e for e in self.main.findall("s:complexType", NS)}
        self.simple = {e.get("name"): e for s in self.schemas for e in s.findall("s:simpleType", NS)}
        self.elements = {e.get("name"): e for e in self.main.findall("s:element", NS)}

    def fields(self, node: etree._Element) -> list[Field]:
        sequence = node.find("s:sequence", NS)
        if sequence is None:
            sequence = node.find("s:complexType/s:sequence", NS)
        if sequence is None:  # an empty request element such as <HasSession/>
            return []
        return [
            Field(
                name=el.get("name"),
                type=_qname(el, el.get("type")),
                min_occurs=int(el.get("minOccurs", "1")),
                max_occurs=el.get("maxOccurs", "1"),
                nillable=el.get("nillable", "false") == "true",
                default=el.get("default"),
            )
            for el in sequence.findall("s:element", NS)
        ]

    def enum_values(self, name: str) -> list[str]:
        return [e.get("value") for e in self.simple[name].iter(f"{{{XS}}}enumeration")]

    def closure(self, element_names: set[str]) -> set[str]:
        """Named types (in the service namespace) reachable from the given top-level elements."""
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


def _ours(name: str) -> Wsdl:
    text = resources.files("connectors.tfso").joinpath("wsdl", name).read_bytes()
    return Wsdl(etree.fromstring(text))


@pytest.fixture(scope="module", params=sorted(SERVICES))
def pair(request: pytest.FixtureRequest) -> tuple[str, Wsdl, Wsdl]:
    name: str = request.param
    ours = _ours(name)
    if not SHARED.is_dir():
        pytest.skip("../shared (the real 24SevenOffice WSDLs) is not beside the repository")
    return name, ours, Wsdl(etree.parse(str(REAL_DIR / name)).getroot())


def test_namespace_and_schema_form(pair: tuple[str, Wsdl, Wsdl]) -> None:
    _, ours, real = pair
    assert ours.root.get("targetNamespace") == real.root.get("targetNamespace") == TNS
    assert ours.main.get("elementFormDefault") == real.main.get("elementFormDefault") == "qualified"
    ours_ns = {s.get("targetNamespace") for s in ours.schemas}
    assert ours_ns <= {TNS, GUID_NS}


def test_operations_messages_binding_and_address(pair: tuple[str, Wsdl, Wsdl]) -> None:
    name, ours, real = pair
    service_name, operations = SERVICES[name]
    port_type = f"{service_name}Soap"
    port_ops = {op.get("name") for op in ours.root.findall(f"wsdl:portType[@name='{port_type}']/wsdl:operation", NS)}
    assert port_ops == operations
    real_messages = {m.get("name"): m for m in real.root.findall("wsdl:message", NS)}
    ours_messages = {m.get("name"): m for m in ours.root.findall("wsdl:message", NS)}
    assert set(ours_messages) == {f"{op}Soap{d}" for op in operations for d in ("In", "Out")}
    for message_name, message in ours_messages.items():
        ours_parts = [(p.get("name"), _qname(p, p.get("element"))) for p in message.findall("wsdl:part", NS)]
        theirs = real_messages[message_name]
        real_parts = [(p.get("name"), _qname(p, p.get("element"))) for p in theirs.findall("wsdl:part", NS)]
        assert ours_parts == real_parts, message_name
    for op in ours.root.findall("wsdl:portType/wsdl:operation", NS):
        real_op = real.root.find(f"wsdl:portType[@name='{port_type}']/wsdl:operation[@name='{op.get('name')}']", NS)
        assert real_op is not None
        for direction in ("input", "output"):
            mine, theirs_el = op.find(f"wsdl:{direction}", NS), real_op.find(f"wsdl:{direction}", NS)
            assert mine is not None
            assert theirs_el is not None
            assert mine.get("message") == theirs_el.get("message")
    binding = ours.root.find(f"wsdl:binding[@name='{port_type}']", NS)
    real_binding = real.root.find(f"wsdl:binding[@name='{port_type}']", NS)
    assert binding is not None
    assert real_binding is not None
    assert {op.get("name") for op in binding.findall("wsdl:operation", NS)} == operations
    for op in binding.findall("wsdl:operation", NS):
        action = op.find("soap:operation", NS)
        real_action = real_binding.find(f"wsdl:operation[@name='{op.get('name')}']/soap:operation", NS)
        assert action is not None
        assert real_action is not None
        assert action.get("soapAction") == real_action.get("soapAction") == f"{TNS}/{op.get('name')}"
        assert action.get("style") == real_action.get("style") == "document"
    path = f"wsdl:service[@name='{service_name}']/wsdl:port[@name='{port_type}']/soap:address"
    address, real_address = ours.root.find(path, NS), real.root.find(path, NS)
    assert address is not None
    assert real_address is not None
    assert address.get("location") == real_address.get("location")
    assert len(ours.root.findall("wsdl:service/wsdl:port", NS)) == 1  # the SOAP 1.1 port only


def test_every_definition_exists_with_the_same_enumerations(pair: tuple[str, Wsdl, Wsdl]) -> None:
    _, ours, real = pair
    assert set(ours.elements) <= set(real.elements)
    assert set(ours.complex) <= set(real.complex)
    assert set(ours.simple) <= set(real.simple)
    for name in ours.simple:
        if name == "guid":
            ours_pattern = ours.simple[name].find("s:restriction/s:pattern", NS)
            real_pattern = real.simple[name].find("s:restriction/s:pattern", NS)
            assert ours_pattern is not None
            assert real_pattern is not None
            assert ours_pattern.get("value") == real_pattern.get("value")
            continue
        assert ours.enum_values(name) == real.enum_values(name), name


def _check_sequence(name: str, mine: list[Field], theirs: list[Field]) -> None:
    real_index = {f.name: i for i, f in enumerate(theirs)}
    last = -1
    for field in mine:
        assert field.name in real_index, f"{name}.{field.name} is not in the real WSDL"
        index = real_index[field.name]
        assert index > last, f"{name}.{field.name} is out of the real order"
        last = index
        assert field == theirs[index], f"{name}.{field.name}: {field} != {theirs[index]}"


def test_sequences_keep_real_order_types_occurrence_and_defaults(pair: tuple[str, Wsdl, Wsdl]) -> None:
    _, ours, real = pair
    for name, node in ours.complex.items():
        _check_sequence(name, ours.fields(node), real.fields(real.complex[name]))
    for name, node in ours.elements.items():
        _check_sequence(name, ours.fields(node), real.fields(real.elements[name]))


def test_response_types_are_complete_unless_declared_partial(pair: tuple[str, Wsdl, Wsdl]) -> None:
    name, ours, real = pair
    responses = {n for n in ours.elements if n.endswith("Response")}
    for element in responses:
        assert ours.fields(ours.elements[element]) == real.fields(real.elements[element]), element
    types = ours.closure(responses) | COMPLETE.get(name, set())
    for type_name in types:
        if type_name in ours.simple:
            continue
        mine = [f.name for f in ours.fields(ours.complex[type_name])]
        theirs = [f.name for f in real.fields(real.complex[type_name])]
        if (name, type_name) in PARTIAL:
            assert mine != theirs, f"{type_name} is complete now; drop it from PARTIAL"
            continue
        assert mine == theirs, f"{name}: {type_name} lacks {sorted(set(theirs) - set(mine))}"


def test_request_types_keep_every_required_element(pair: tuple[str, Wsdl, Wsdl]) -> None:
    name, ours, real = pair
    requests = {n for n in ours.elements if not n.endswith("Response")}
    assert requests == SERVICES[name][1]
    nodes = [(n, ours.elements[n], real.elements[n]) for n in requests]
    nodes += [(n, ours.complex[n], real.complex[n]) for n in ours.closure(requests) if n in ours.complex]
    for type_name, mine, theirs in nodes:
        present = {f.name for f in ours.fields(mine)}
        required = {f.name for f in real.fields(theirs) if f.min_occurs >= 1}
        assert required <= present, f"{type_name} lacks required {sorted(required - present)}"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_header_says_it_is_the_projects_own_subset(name: str) -> None:
    text = resources.files("connectors.tfso").joinpath("wsdl", name).read_text(encoding="utf-8")
    head = text[: text.index("<wsdl:definitions")]
    assert "own subset" in head
    assert "not a copy" in head
