"""SOAP 1.1 for the 24SevenOffice simulator: reading requests (with .NET sentinels) and writing answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from simulators._soap import SOAP_ENV, SoapDialect, SoapError, Value, Writer, fault, serialize

if TYPE_CHECKING:
    from lxml import etree

__all__ = [
    "SOAP_ENV",
    "TNS",
    "SoapRequestError",
    "Value",
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
_INT_MIN = -2147483648  # Int32.MinValue: "not set"
_SHORT_MIN = -32768  # Int16.MinValue
_DECIMAL_MIN = Decimal(-79228162514264337593543950335)  # Decimal.MinValue


class SoapRequestError(SoapError):
    """The request cannot be read; ASMX answers `Server was unable to read request.` in a soap:Client fault."""


_SOAP = SoapDialect(
    TNS,
    SoapRequestError,
    malformed_xml="There is an error in XML document",
    bad_int="Input string was not in a correct format ({path}).",
    exponents=False,
)

parse_request = _SOAP.parse_request
child = _SOAP.child
children = _SOAP.children
text = _SOAP.text


def strings(el: etree._Element | None, *path: str) -> list[str] | None:
    """An `ArrayOfString` at `path` as a list, None when the array is absent."""
    node = child(el, *path)
    if node is None:
        return None
    return [(c.text or "").strip() for c in children(node, "string")]


def integer(el: etree._Element | None, *path: str) -> int | None:
    """An int at `path`; missing, nil and the MinValue sentinels are None."""
    number = _SOAP.integer(el, *path)
    return None if number in (_INT_MIN, _SHORT_MIN) else number


def decimal(el: etree._Element | None, *path: str) -> Decimal | None:
    """A decimal at `path` in plain notation; missing, nil and Decimal.MinValue are None."""
    number = _SOAP.decimal(el, *path)
    return None if number is None or number == _DECIMAL_MIN or not number.is_finite() else number


boolean = _SOAP.boolean


def datetime(el: etree._Element | None, *path: str) -> dt.datetime | None:
    """A dateTime at `path` as aware UTC; None when missing, nil or DateTime.MinValue. No zone means UTC."""
    value = _SOAP.datetime(el, *path)
    return None if value is None else value.astimezone(dt.UTC)


# --- writing --------------------------------------------------------------------------------------

envelope = _SOAP.envelope
