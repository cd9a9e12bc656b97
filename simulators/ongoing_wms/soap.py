"""SOAP 1.1 envelopes for the simulator: reading request bodies and writing responses with lxml."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from lxml import etree

__all__ = [
    "MIN_DATETIME",
    "SOAP_ENV",
    "TNS",
    "XSI",
    "SoapRequestError",
    "Writer",
    "boolean",
    "child",
    "children",
    "datetime",
    "decimal",
    "envelope",
    "fault",
    "integer",
    "parse_request",
    "serialize",
    "text",
]

TNS = "http://ongoingsystems.se/WSI"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
MIN_DATETIME = "0001-01-01T00:00:00"  # .NET DateTime.MinValue, what ASMX sends for "no date"
_NIL = f"{{{XSI}}}nil"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)

Value = str | int | bool | Decimal | dt.datetime | None


class SoapRequestError(ValueError):
    """The request is not a SOAP 1.1 envelope the simulator can read (answered with a soap:Client fault)."""


def parse_request(body: bytes) -> etree._Element:
    """Return the operation element (first child of soap:Body) of a SOAP 1.1 request."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapRequestError(f"The request is not well-formed XML: {exc}") from None
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapRequestError("The root element is not a SOAP 1.1 Envelope")
    body_el = root.find(f"{{{SOAP_ENV}}}Body")
    if body_el is None or len(body_el) == 0:
        raise SoapRequestError("The SOAP Body is empty")
    return body_el[0]


# --- reading --------------------------------------------------------------------------------------


def child(el: etree._Element | None, *path: str) -> etree._Element | None:
    """Return the element at `path` (local names in the Ongoing namespace), or None."""
    for name in path:
        if el is None:
            return None
        el = el.find(f"{{{TNS}}}{name}")
    return el


def children(el: etree._Element | None, name: str) -> list[etree._Element]:
    """Return the repeated children named `name`, without nil ones."""
    if el is None:
        return []
    return [c for c in el.findall(f"{{{TNS}}}{name}") if c.get(_NIL) != "true"]


def text(el: etree._Element | None, *path: str) -> str | None:
    """Text at `path`; missing or `xsi:nil` is None, an empty element is ""."""
    node = child(el, *path)
    if node is None or node.get(_NIL) == "true":
        return None
    return (node.text or "").strip()


def _typed(el: etree._Element | None, path: tuple[str, ...], kind: str) -> str | None:
    value = text(el, *path)
    if value == "":
        raise SoapRequestError(f"{'/'.join(path)} is empty; a {kind} is required")
    return value


def decimal(el: etree._Element | None, *path: str) -> Decimal | None:
    """Read a decimal at `path`, None when missing or nil."""
    value = _typed(el, path, "decimal")
    try:
        return None if value is None else Decimal(value)
    except InvalidOperation:
        raise SoapRequestError(f"{'/'.join(path)}: {value!r} is not a decimal") from None


def integer(el: etree._Element | None, *path: str) -> int | None:
    """Read an int at `path`, None when missing or nil."""
    value = _typed(el, path, "int")
    try:
        return None if value is None else int(value)
    except ValueError:
        raise SoapRequestError(f"{'/'.join(path)}: {value!r} is not an int") from None


def boolean(el: etree._Element | None, *path: str) -> bool | None:
    """Read a boolean at `path` (true/false/1/0), None when missing or nil."""
    value = _typed(el, path, "boolean")
    if value is None:
        return None
    if value not in ("true", "false", "1", "0"):
        raise SoapRequestError(f"{'/'.join(path)}: {value!r} is not a boolean")
    return value in ("true", "1")


def datetime(el: etree._Element | None, *path: str) -> dt.datetime | None:
    """Read a dateTime at `path`; None when missing, nil or .NET's MinValue (`0001-01-01T00:00:00`)."""
    value = _typed(el, path, "dateTime")
    if value is None or value.startswith("0001-01-01"):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise SoapRequestError(f"{'/'.join(path)}: {value!r} is not a dateTime") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


# --- writing --------------------------------------------------------------------------------------


def _format(value: str | int | bool | Decimal | dt.datetime) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
            return value.replace(tzinfo=None).isoformat() + "Z"
        return value.isoformat()
    return str(value)


class Writer:
    """Appends Ongoing-namespace elements in the order the caller writes them (the WSDL's order)."""

    def __init__(self, parent: etree._Element) -> None:
        self.el = parent

    def node(self, name: str) -> Writer:
        """Add a child element to fill."""
        return Writer(etree.SubElement(self.el, f"{{{TNS}}}{name}"))

    def opt(self, name: str, value: Value) -> None:
        """Add an optional (minOccurs=0) element, left out when the value is None."""
        if value is not None:
            etree.SubElement(self.el, f"{{{TNS}}}{name}").text = _format(value)

    def req(self, name: str, value: str | int | bool | Decimal | dt.datetime) -> None:
        """Add a required, non-nillable element."""
        etree.SubElement(self.el, f"{{{TNS}}}{name}").text = _format(value)

    def nil(self, name: str, value: Value) -> None:
        """Add a required, nillable element, `xsi:nil="true"` when the value is None."""
        node = etree.SubElement(self.el, f"{{{TNS}}}{name}")
        if value is None:
            node.set(_NIL, "true")
        else:
            node.text = _format(value)


def envelope(operation: str) -> tuple[etree._Element, Writer]:
    """Start a response envelope; return it and a writer for `<{operation}Response><{operation}Result>`."""
    nsmap = {"soap": SOAP_ENV, "xsi": XSI, "xsd": XSD}
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    response = etree.SubElement(body, f"{{{TNS}}}{operation}Response", nsmap={None: TNS})
    return root, Writer(response).node(f"{operation}Result")


def fault(code: str, message: str) -> bytes:
    """Build a SOAP 1.1 Fault body (`code` is `Client` or `Server`), as ASMX writes it."""
    nsmap = {"soap": SOAP_ENV, "xsi": XSI, "xsd": XSD}
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    node = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(node, "faultcode").text = f"soap:{code}"
    etree.SubElement(node, "faultstring").text = message
    etree.SubElement(node, "detail")
    return serialize(root)


def serialize(root: etree._Element) -> bytes:
    """Serialize to UTF-8 bytes with an XML declaration."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
