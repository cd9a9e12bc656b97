"""The project's 24SevenOffice WSDL subsets stay faithful to the real WSDLs in ../shared/contracts."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from lxml import etree

from tests.contract.wsdl import NS, Wsdl, check_port_type, check_required_kept, check_sequences

TNS = "http://24sevenOffice.com/webservices"
GUID_NS = "http://microsoft.com/wsdl/types/"

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


def _ours(name: str) -> Wsdl:
    text = resources.files("connectors.tfso").joinpath("wsdl", name).read_bytes()
    return Wsdl(etree.fromstring(text), TNS)


@pytest.fixture(scope="module", params=sorted(SERVICES))
def pair(request: pytest.FixtureRequest) -> tuple[str, Wsdl, Wsdl]:
    name: str = request.param
    ours = _ours(name)
    if not SHARED.is_dir():
        pytest.skip("../shared (the real 24SevenOffice WSDLs) is not beside the repository")
    return name, ours, Wsdl(etree.parse(str(REAL_DIR / name)).getroot(), TNS)


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
    check_port_type(ours, real, port_type, operations)
    ours_messages = {m.get("name") for m in ours.root.findall("wsdl:message", NS)}
    assert ours_messages == {f"{op}Soap{d}" for op in operations for d in ("In", "Out")}
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


def test_sequences_keep_real_order_types_occurrence_and_defaults(pair: tuple[str, Wsdl, Wsdl]) -> None:
    _, ours, real = pair
    check_sequences(ours, real)


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
    check_required_kept(ours, real, requests)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_header_says_it_is_the_projects_own_subset(name: str) -> None:
    text = resources.files("connectors.tfso").joinpath("wsdl", name).read_text(encoding="utf-8")
    head = text[: text.index("<wsdl:definitions")]
    assert "own subset" in head
    assert "not a copy" in head
