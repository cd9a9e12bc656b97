"""Reading WSDL documents for the contract checks: types, sequences, messages and bindings, for any target namespace."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
NS = {"s": XS, "wsdl": WSDL, "soap": SOAP}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    min_occurs: int
    max_occurs: str
    nillable: bool
    default: str | None


def qname(el: etree._Element, value: str | None) -> str:
    """`value` (prefix:local, as written on `el`) in Clark notation, resolved with `el`'s namespaces."""
    assert value is not None, etree.tostring(el)
    prefix, _, local = value.rpartition(":")
    return f"{{{el.nsmap[prefix or None]}}}{local}"


class Wsdl:
    """The parts of a WSDL document these checks compare (all schemas merged; `main` is the one for `tns`)."""

    def __init__(self, root: etree._Element, tns: str) -> None:
        self.root = root
        self.tns = tns
        self.schemas = root.findall("wsdl:types/s:schema", NS)
        mains = [s for s in self.schemas if s.get("targetNamespace") == tns]
        assert len(mains) == 1, f"{len(mains)} schemas for {tns}"
        self.main = mains[0]
        self.complex = {e.get("name"): e for e in self.main.findall("s:complexType", NS)}
        self.simple = {e.get("name"): e for s in self.schemas for e in s.findall("s:simpleType", NS)}
        self.elements = {e.get("name"): e for e in self.main.findall("s:element", NS)}

    def fields(self, node: etree._Element) -> list[Field]:
        sequence = node.find("s:sequence", NS)
        if sequence is None:
            sequence = node.find("s:complexType/s:sequence", NS)
        if sequence is None:  # only an empty content model, such as <HasSession><complexType/></HasSession>
            body = node if node.tag == f"{{{XS}}}complexType" else node.find("s:complexType", NS)
            assert body is not None, f"{node.get('name')} has no sequence"
            content = [c.tag for c in body if isinstance(c.tag, str) and c.tag != f"{{{XS}}}annotation"]
            assert not content, f"{node.get('name')} has no sequence but {content}"
            return []
        return [
            Field(
                name=el.get("name"),
                type=qname(el, el.get("type")),
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
        """Named types (in the target namespace) reachable from the given top-level elements."""
        seen: set[str] = set()
        todo = [f.type for name in element_names for f in self.fields(self.elements[name])]
        while todo:
            namespace, _, local = todo.pop()[1:].partition("}")
            if namespace != self.tns or local in seen:
                continue
            seen.add(local)
            if local in self.complex:
                todo.extend(f.type for f in self.fields(self.complex[local]))
        return seen


def check_sequence(
    name: str, mine: list[Field], theirs: list[Field], *, additions: AbstractSet[tuple[str, str]] = frozenset()
) -> None:
    """`mine` is `theirs` in the real order, fields left out; the named (type, field) `additions` only at the end."""
    real_index = {f.name: i for i, f in enumerate(theirs)}
    last = -1
    added_from = None
    for position, field in enumerate(mine):
        if (name, field.name) in additions:
            assert field.min_occurs == 0, (name, field.name)
            added_from = position if added_from is None else added_from
            continue
        assert added_from is None, f"{name}.{field.name} comes after a newer-than-real addition"
        assert field.name in real_index, f"{name}.{field.name} is not in the real WSDL"
        index = real_index[field.name]
        assert index > last, f"{name}.{field.name} is out of the real order"
        last = index
        assert field == theirs[index], f"{name}.{field.name}: {field} != {theirs[index]}"


def check_sequences(ours: Wsdl, real: Wsdl, *, additions: AbstractSet[tuple[str, str]] = frozenset()) -> None:
    """`check_sequence` for every complex type and top-level element of ours against the real one."""
    for name, node in ours.complex.items():
        check_sequence(name, ours.fields(node), real.fields(real.complex[name]), additions=additions)
    for name, node in ours.elements.items():
        check_sequence(name, ours.fields(node), real.fields(real.elements[name]), additions=additions)


def check_required_kept(ours: Wsdl, real: Wsdl, request_elements: set[str]) -> set[str]:
    """The request elements and the complex types they reach keep every element the real WSDL requires.

    Returns the named types reached (`Wsdl.closure`), for the caller's own checks.
    """
    request_types = ours.closure(request_elements)
    nodes = [(n, ours.elements[n], real.elements[n]) for n in request_elements]
    nodes += [(n, ours.complex[n], real.complex[n]) for n in request_types if n in ours.complex]
    for name, mine, theirs in nodes:
        present = {f.name for f in ours.fields(mine)}
        required = {f.name for f in real.fields(theirs) if f.min_occurs >= 1}
        assert required <= present, f"{name} lacks required {sorted(required - present)}"
    return request_types


def _parts(message: etree._Element) -> list[tuple[str | None, str]]:
    return [(p.get("name"), qname(p, p.get("element"))) for p in message.findall("wsdl:part", NS)]


def check_port_type(ours: Wsdl, real: Wsdl, port_type: str, operations: AbstractSet[str]) -> None:
    """Our `port_type` and its SOAP binding offer exactly `operations`, as the real document does.

    Every message of ours exists in the real document with the same parts; every operation of ours uses the real
    input and output messages; every bound operation has the real soapAction (`{tns}/{operation}`), document style.
    """
    port_path = f"wsdl:portType[@name='{port_type}']"
    assert {op.get("name") for op in ours.root.findall(f"{port_path}/wsdl:operation", NS)} == operations
    real_messages = {m.get("name"): m for m in real.root.findall("wsdl:message", NS)}
    for message in ours.root.findall("wsdl:message", NS):
        name = message.get("name")
        assert name in real_messages, name
        assert _parts(message) == _parts(real_messages[name]), name
    for op in ours.root.findall("wsdl:portType/wsdl:operation", NS):
        real_op = real.root.find(f"{port_path}/wsdl:operation[@name='{op.get('name')}']", NS)
        assert real_op is not None, op.get("name")
        for direction in ("input", "output"):
            mine, theirs = op.find(f"wsdl:{direction}", NS), real_op.find(f"wsdl:{direction}", NS)
            assert mine is not None, (op.get("name"), direction)
            assert theirs is not None, (op.get("name"), direction)
            assert mine.get("message") == theirs.get("message"), (op.get("name"), direction)
    binding = ours.root.find(f"wsdl:binding[@name='{port_type}']", NS)
    real_binding = real.root.find(f"wsdl:binding[@name='{port_type}']", NS)
    assert binding is not None
    assert real_binding is not None
    assert {op.get("name") for op in binding.findall("wsdl:operation", NS)} == operations
    for op in binding.findall("wsdl:operation", NS):
        action = op.find("soap:operation", NS)
        real_action = real_binding.find(f"wsdl:operation[@name='{op.get('name')}']/soap:operation", NS)
        assert action is not None, op.get("name")
        assert real_action is not None, op.get("name")
        assert action.get("soapAction") == real_action.get("soapAction") == f"{ours.tns}/{op.get('name')}"
        assert action.get("style") == real_action.get("style") == "document"
