"""SOAP 1.1 reading and writing shared by the SOAP simulators, parametrised by target namespace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

__all__ = [
    "SOAP_ENV",
    "XSD",
    "XSI",
    "Scalar",
    "SoapDialect",
    "SoapError",
    "Value",
    "Writer",
    "fault",
    "relocated",
    "serialize",
]

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
_NIL = f"{{{XSI}}}nil"
_SOAP_ADDRESS = "{http://schemas.xmlsoap.org/wsdl/soap/}address"
_NSMAP = {"soap": SOAP_ENV, "xsi": XSI, "xsd": XSD}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)

Scalar = str | int | bool | Decimal | dt.datetime
Value = Scalar | None


class SoapError(ValueError):
    """The request is not a SOAP 1.1 envelope a simulator can read; each simulator raises its own subclass."""


@dataclass(frozen=True)
class SoapDialect:
    """One simulator's SOAP: its target namespace, request-error class and the texts and formats it differs in.

    `malformed_xml` prefixes the parser's message for a body that is not XML; `bad_int` is a `str.format`
    template (fields `path` and `value`) for an int that does not parse; `utc_suffix` follows an aware
    dateTime written as UTC; `exponents` says whether a decimal may be written with an exponent.
    """

    tns: str
    error: type[SoapError]
    malformed_xml: str
    bad_int: str
    utc_suffix: str = ""
    exponents: bool = True

    def tag(self, name: str) -> str:
        """The Clark name of `name` in the target namespace."""
        return f"{{{self.tns}}}{name}"

    def parse_request(self, body: bytes) -> etree._Element:
        """Return the operation element (first child of soap:Body) of a SOAP 1.1 request."""
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise self.error(f"{self.malformed_xml}: {exc}") from None
        if root.tag != f"{{{SOAP_ENV}}}Envelope":
            raise self.error("The root element is not a SOAP 1.1 Envelope")
        body_el = root.find(f"{{{SOAP_ENV}}}Body")
        if body_el is None or len(body_el) == 0:
            raise self.error("The SOAP Body is empty")
        return body_el[0]

    # --- reading ----------------------------------------------------------------------------------

    def child(self, el: etree._Element | None, *path: str) -> etree._Element | None:
        """Return the element at `path` (local names in the target namespace), or None."""
        for name in path:
            if el is None:
                return None
            el = el.find(self.tag(name))
        return el

    def children(self, el: etree._Element | None, name: str) -> list[etree._Element]:
        """Return the repeated children named `name`, without nil ones."""
        if el is None:
            return []
        return [c for c in el.findall(self.tag(name)) if c.get(_NIL) != "true"]

    def text(self, el: etree._Element | None, *path: str) -> str | None:
        """Text at `path`; missing or `xsi:nil` is None, an empty element is ""."""
        node = self.child(el, *path)
        if node is None or node.get(_NIL) == "true":
            return None
        return (node.text or "").strip()

    def _typed(self, el: etree._Element | None, path: tuple[str, ...], kind: str) -> str | None:
        value = self.text(el, *path)
        if value == "":
            raise self.error(f"{'/'.join(path)} is empty; a {kind} is required")
        return value

    def decimal(self, el: etree._Element | None, *path: str) -> Decimal | None:
        """Read a decimal at `path`, None when missing or nil."""
        value = self._typed(el, path, "decimal")
        if value is None:
            return None
        if not self.exponents and "e" in value.lower():
            raise self.error(f"{'/'.join(path)}: {value!r} is not an xs:decimal (no exponent allowed)")
        try:
            return Decimal(value)
        except InvalidOperation:
            raise self.error(f"{'/'.join(path)}: {value!r} is not a decimal") from None

    def integer(self, el: etree._Element | None, *path: str) -> int | None:
        """Read an int at `path`, None when missing or nil."""
        value = self._typed(el, path, "int")
        try:
            return None if value is None else int(value)
        except ValueError:
            raise self.error(self.bad_int.format(path="/".join(path), value=value)) from None

    def boolean(self, el: etree._Element | None, *path: str) -> bool | None:
        """Read a boolean at `path` (true/false/1/0), None when missing or nil."""
        value = self._typed(el, path, "boolean")
        if value is None:
            return None
        if value not in ("true", "false", "1", "0"):
            raise self.error(f"{'/'.join(path)}: {value!r} is not a boolean")
        return value in ("true", "1")

    def datetime(self, el: etree._Element | None, *path: str) -> dt.datetime | None:
        """Read an aware dateTime at `path` (no zone means UTC); None when missing, nil or .NET's MinValue."""
        value = self._typed(el, path, "dateTime")
        if value is None or value.startswith("0001-01-01"):
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise self.error(f"{'/'.join(path)}: {value!r} is not a dateTime") from None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)

    # --- writing ----------------------------------------------------------------------------------

    def format(self, value: Scalar) -> str:
        """The XML text of a value: decimals in plain notation, aware dateTimes in UTC."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Decimal):
            return format(value, "f")  # plain notation, never an exponent
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                return value.isoformat()
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + self.utc_suffix
        return str(value)

    def envelope(self, operation: str) -> tuple[etree._Element, Writer]:
        """Start a response envelope; return it and a writer for `<{operation}Response><{operation}Result>`."""
        root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=_NSMAP)
        body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
        response = etree.SubElement(body, self.tag(f"{operation}Response"), nsmap={None: self.tns})
        return root, Writer(response, self).node(f"{operation}Result")


class Writer:
    """Appends target-namespace elements in the order the caller writes them (the WSDL's order)."""

    def __init__(self, parent: etree._Element, dialect: SoapDialect) -> None:
        self.el = parent
        self.dialect = dialect

    def node(self, name: str) -> Writer:
        """Add a child element to fill."""
        return Writer(etree.SubElement(self.el, self.dialect.tag(name)), self.dialect)

    def opt(self, name: str, value: Value) -> None:
        """Add an optional (minOccurs=0) element, left out when the value is None."""
        if value is not None:
            self.req(name, value)

    def req(self, name: str, value: Scalar) -> None:
        """Add a required, non-nillable element."""
        etree.SubElement(self.el, self.dialect.tag(name)).text = self.dialect.format(value)

    def nil(self, name: str, value: Value) -> None:
        """Add a required, nillable element, `xsi:nil="true"` when the value is None."""
        node = etree.SubElement(self.el, self.dialect.tag(name))
        if value is None:
            node.set(_NIL, "true")
        else:
            node.text = self.dialect.format(value)


def fault(code: str, message: str) -> bytes:
    """Build a SOAP 1.1 Fault body (`code` is `Client` or `Server`), as ASMX writes it."""
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=_NSMAP)
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    node = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(node, "faultcode").text = f"soap:{code}"
    etree.SubElement(node, "faultstring").text = message
    etree.SubElement(node, "detail")
    return serialize(root)


def relocated(wsdl: etree._Element, location: str) -> bytes:
    """A copy of a WSDL with every soap:address at `location`, serialized: what ASMX answers to `?wsdl`."""
    document = etree.fromstring(etree.tostring(wsdl))
    for address in document.iter(_SOAP_ADDRESS):
        address.set("location", location)
    return serialize(document)


def serialize(root: etree._Element) -> bytes:
    """Serialize to UTF-8 bytes with an XML declaration."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
