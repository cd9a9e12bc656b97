"""SOAP 1.1 envelopes for the simulator: reading request bodies and writing responses with lxml."""

from __future__ import annotations

from simulators._soap import SOAP_ENV, XSI, SoapDialect, SoapError, Value, Writer, fault, serialize

__all__ = [
    "MIN_DATETIME",
    "SOAP_ENV",
    "TNS",
    "XSI",
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
    "text",
]

TNS = "http://ongoingsystems.se/WSI"
MIN_DATETIME = "0001-01-01T00:00:00"  # .NET DateTime.MinValue, what ASMX sends for "no date"


class SoapRequestError(SoapError):
    """The request is not a SOAP 1.1 envelope the simulator can read (answered with a soap:Client fault)."""


_SOAP = SoapDialect(
    TNS,
    SoapRequestError,
    malformed_xml="The request is not well-formed XML",
    bad_int="{path}: {value!r} is not an int",
    utc_suffix="Z",
)

parse_request = _SOAP.parse_request
child = _SOAP.child
children = _SOAP.children
text = _SOAP.text
decimal = _SOAP.decimal
integer = _SOAP.integer
boolean = _SOAP.boolean
datetime = _SOAP.datetime
envelope = _SOAP.envelope
