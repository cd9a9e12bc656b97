"""24SevenOffice in tests: the `erp` source, JSON-like data as the service's XML, the stored `PulledOrder` document."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lxml import etree

from connectors.tfso.document import build_document
from router.domain import Source
from tests.support.connectors import make_source

TNS = "http://24sevenOffice.com/webservices"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
ERP_CREATED = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def erp_source(settings: dict[str, Any], *, source_id: int = 1, has_credentials: bool = True) -> Source:
    """The B2B source `erp` (suffix NO) of kind tfso."""
    return make_source(
        "tfso",
        settings,
        source_id=source_id,
        name="erp",
        suffix="NO",
        order_type="B2B",
        has_credentials=has_credentials,
        created_at=ERP_CREATED,
    )


def element(name: str, value: Any, *, lenient: bool = False) -> etree._Element:
    """`{TNS}name` from a value: dicts are children in order, lists repeat `item`, None is xsi:nil.

    `lenient` (for fuzzing) makes any key a legal element name and drops what XML 1.0 cannot carry.
    """
    el = etree.Element(f"{{{TNS}}}{name}", nsmap={None: TNS})
    _fill(el, value, lenient=lenient)
    return el


def document(order: Any, company: Any = None, *, lenient: bool = False) -> bytes:
    """The stored `PulledOrder` document for an order (and optional Company)."""
    return build_document(
        element("InvoiceOrder", order, lenient=lenient),
        element("Company", company, lenient=lenient) if company is not None else None,
    )


def _fill(el: etree._Element, value: Any, *, lenient: bool) -> None:
    if value is None:
        el.set(XSI_NIL, "true")
    elif isinstance(value, dict):
        for key, child in value.items():
            _fill(etree.SubElement(el, f"{{{TNS}}}{_xml_name(key) if lenient else key}"), child, lenient=lenient)
    elif isinstance(value, list):
        item = "InvoiceRow" if etree.QName(el).localname == "InvoiceRows" else "item"
        for child in value:
            _fill(etree.SubElement(el, f"{{{TNS}}}{item}"), child, lenient=lenient)
    else:
        el.text = _xml_text(str(value)) if lenient else str(value)


def _xml_name(key: str) -> str:
    """Any generated key as a legal XML element name (the fuzzing is of values and shapes, not of lxml)."""
    cleaned = "".join(c for c in key if c.isascii() and (c.isalnum() or c in "_-."))
    return cleaned if cleaned[:1].isalpha() else f"X{cleaned}"


def _xml_text(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry at all (lxml refuses to build them)."""
    return "".join(c for c in text if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd"))
