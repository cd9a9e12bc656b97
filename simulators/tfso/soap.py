"""SOAP 1.1 for the 24SevenOffice simulator: reading requests (with .NET sentinels) and writing answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from lxml import etree

__all__ = [
    "SOAP_ENV",
    "TNS",
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
    "strings",
    "text",
]

TNS = "http://24sevenOffice.com/webservices"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
_NIL = f"{{{XSI}}}nil"
_INT_MIN = -2147483648  # Int32.MinValue: "not set"
_SHORT_MIN = -32768  # Int16.MinValue
_DECIMAL_MIN = Decimal(-79228162514264337593543950335)  # Decimal.MinValue

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)

Value = str | int | bool | Decimal | dt.datetime | None


class SoapRequestError(ValueError):
    """The request cannot be read; ASMX answers `Server was unable to read request.` in a soap:Client fault."""


def parse_request(body: bytes) -> etree._Element:
    """The operation element (first child of soap:Body) of a SOAP 1.1 request."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapRequestError(f"There is an error in XML document: {exc}") from None
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapRequestError("The root element is not a SOAP 1.1 Envelope")
    body_el = root.find(f"{{{SOAP_ENV}}}Body")
    if body_el is None or len(body_el) == 0:
        raise SoapRequestError("The SOAP Body is empty")
    return body_el[0]


# --- reading --------------------------------------------------------------------------------------


def child(el: etree._Element | None, *path: str) -> etree._Element | None:
    """The element at `path` (local names in the 24SevenOffice namespace), or None."""
    for name in path:
        if el is None:
            return None
        el = el.find(f"{{{TNS}}}{name}")
    return el


def children(el: etree._Element | None, name: str) -> list[etree._Element]:
    """The repeated children named `name`, without nil ones."""
    if el is None:
        return []
    return [c for c in el.findall(f"{{{TNS}}}{name}") if c.get(_NIL) != "true"]


def text(el: etree._Element | None, *path: str) -> str | None:
    """Text at `path`; missing or `xsi:nil` is None, an empty element is ""."""
    node = child(el, *path)
    if node is None or node.get(_NIL) == "true":
        return None
    return (node.text or "").strip()


def strings(el: etree._Element | None, *path: str) -> list[str] | None:
    """An `ArrayOfString` at `path` as a list, None when the array is absent."""
    node = child(el, *path)
    if node is None:
        return None
    return [(c.text or "").strip() for c in children(node, "string")]


def _typed(el: etree._Element | None, path: tuple[str, ...], kind: str) -> str | None:
    value = text(el, *path)
    if value == "":
        raise SoapRequestError(f"{'/'.join(path)} is empty; a {kind} is required")
    return value


def integer(el: etree._Element | None, *path: str) -> int | None:
    """An int at `path`; missing, nil and the MinValue sentinels are None."""
    value = _typed(el, path, "int")
    try:
        number = None if value is None else int(value)
    except ValueError:
        raise SoapRequestError(f"Input string was not in a correct format ({'/'.join(path)}).") from None
    return None if number in (_INT_MIN, _SHORT_MIN) else number


def decimal(el: etree._Element | None, *path: str) -> Decimal | None:
    """A decimal at `path` in plain notation; missing, nil and Decimal.MinValue are None."""
    value = _typed(el, path, "decimal")
    if value is None:
        return None
    if "e" in value.lower():
        raise SoapRequestError(f"{'/'.join(path)}: {value!r} is not an xs:decimal (no exponent allowed)")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise SoapRequestError(f"{'/'.join(path)}: {value!r} is not a decimal") from None
    return None if number == _DECIMAL_MIN or not number.is_finite() else number


def boolean(el: etree._Element | None, *path: str) -> bool | None:
    """A boolean at `path` (true/false/1/0), None when missing or nil."""
    value = _typed(el, path, "boolean")
    if value is None:
        return None
    if value not in ("true", "false", "1", "0"):
        raise SoapRequestError(f"{'/'.join(path)}: {value!r} is not a boolean")
    return value in ("true", "1")


def datetime(el: etree._Element | None, *path: str) -> dt.datetime | None:
    """A dateTime at `path` as aware UTC; None when missing, nil or DateTime.MinValue. No zone means UTC."""
    value = _typed(el, path, "dateTime")
    if value is None or value.startswith("0001-01-01"):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise SoapRequestError(f"{'/'.join(path)}: {value!r} is not a dateTime") from None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


# --- writing --------------------------------------------------------------------------------------


def _format(value: str | int | bool | Decimal | dt.datetime) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")  # plain notation, never an exponent
    if isinstance(value, dt.datetime):  # UTC without a zone suffix, as the API sends it
        utc = value.astimezone(dt.UTC) if value.tzinfo is not None else value
        return utc.replace(tzinfo=None).isoformat()
    return str(value)


class Writer:
    """Appends 24SevenOffice-namespace elements in the order the caller writes them (the WSDL's order)."""

    def __init__(self, parent: etree._Element) -> None:
        self.el = parent

    def node(self, name: str) -> Writer:
        """Add a child element to fill."""
        return Writer(etree.SubElement(self.el, f"{{{TNS}}}{name}"))

    def opt(self, name: str, value: Value) -> None:
        """Add an optional element, left out when the value is None (unset fields are omitted)."""
        if value is not None:
            etree.SubElement(self.el, f"{{{TNS}}}{name}").text = _format(value)

    def nil(self, name: str, value: Value) -> None:
        """Add a required, nillable element, `xsi:nil="true"` when the value is None."""
        node = etree.SubElement(self.el, f"{{{TNS}}}{name}")
        if value is None:
            node.set(_NIL, "true")
        else:
            node.text = _format(value)


def envelope(operation: str) -> tuple[etree._Element, Writer]:
    """Start `<{operation}Response xmlns=TNS>`; returns the root and a writer for `<{operation}Result>`."""
    nsmap = {"soap": SOAP_ENV, "xsi": XSI, "xsd": XSD}
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    response = etree.SubElement(body, f"{{{TNS}}}{operation}Response", nsmap={None: TNS})
    return root, Writer(response).node(f"{operation}Result")


def fault(code: str, message: str) -> bytes:
    """A SOAP 1.1 Fault (`code` is `Client` or `Server`) as ASMX writes it."""
    nsmap = {"soap": SOAP_ENV, "xsi": XSI, "xsd": XSD}
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    node = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(node, "faultcode").text = f"soap:{code}"
    etree.SubElement(node, "faultstring").text = message
    etree.SubElement(node, "detail")
    return serialize(root)


def serialize(root: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
