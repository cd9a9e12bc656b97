"""The stored order document: built from the raw XML received in `pull`, read back (safely) in `normalize`."""

from __future__ import annotations

from typing import Any

import msgspec
from lxml import etree

from connectors.base import decode_error_to_input_error
from connectors.tfso.models import PulledDocument
from router.errors import InputError

__all__ = ["DOCUMENT_NS", "MAX_DOCUMENT_BYTES", "TNS", "build_document", "read_document"]

TNS = "http://24sevenOffice.com/webservices"
DOCUMENT_NS = "urn:order-router:tfso:1"
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
_ROOT = f"{{{DOCUMENT_NS}}}PulledOrder"
_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
# Elements whose children are the items of an array (`ArrayOfInvoiceRow` and the like).
_ARRAYS = frozenset({"InvoiceRows", "UserDefinedDimensions"})
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True
)


def build_document(invoice_order: etree._Element, company: etree._Element | None = None) -> bytes:
    """`<PulledOrder>` around the InvoiceOrder element as received (and its Company, if looked up)."""
    root = etree.Element(_ROOT, nsmap={None: DOCUMENT_NS})
    root.append(_copy(invoice_order))
    if company is not None:
        root.append(_copy(company))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _copy(element: etree._Element) -> etree._Element:
    copied = etree.fromstring(etree.tostring(element), _PARSER)
    etree.cleanup_namespaces(copied)
    return copied


def _parse(body: bytes) -> etree._Element:
    if len(body) > MAX_DOCUMENT_BYTES:
        raise InputError(f"document is larger than {MAX_DOCUMENT_BYTES} bytes", field="body")
    try:
        root = etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"body is not well-formed XML: {exc}", field="body") from None
    if root is None or root.getroottree().docinfo.internalDTD is not None:
        raise InputError("document type declarations are not accepted", field="body")
    if root.tag != _ROOT:
        raise InputError(f"the root element must be PulledOrder in {DOCUMENT_NS}", field="body")
    return root


def read_document(body: bytes) -> PulledDocument:
    """Parse a stored document; anything wrong is an InputError naming the element (`InvoiceOrder.X`)."""
    root = _parse(body)
    data: dict[str, Any] = {}
    for part in root:
        if not isinstance(part.tag, str):
            continue
        qname = etree.QName(part)
        if qname.namespace != TNS or qname.localname not in {"InvoiceOrder", "Company"}:
            raise InputError(f"unexpected element {part.tag}", field="body")
        if qname.localname in data:
            raise InputError(f"{qname.localname} appears more than once", field=qname.localname)
        data[qname.localname] = _to_data(part, qname.localname)
    if "InvoiceOrder" not in data:
        raise InputError("the document holds no InvoiceOrder", field="InvoiceOrder")
    try:
        return msgspec.convert(data, PulledDocument, strict=False)
    except msgspec.ValidationError as exc:
        raise decode_error_to_input_error(exc) from None


def _to_data(element: etree._Element, path: str) -> Any:
    """An element as plain data: leaves are text (nil is None), arrays are lists, the rest dicts by local name."""
    if element.get(_NIL) == "true":
        return None
    kids = [k for k in element if isinstance(k.tag, str) and etree.QName(k).namespace == TNS]
    name = etree.QName(element).localname
    if name in _ARRAYS:
        return [_to_data(kid, f"{path}[{i}]") for i, kid in enumerate(kids)]
    if not kids:
        return element.text or ""
    data: dict[str, Any] = {}
    for kid in kids:
        key = etree.QName(kid).localname
        if key in data:
            raise InputError(f"{key} appears more than once", field=f"{path}.{key}")
        data[key] = _to_data(kid, f"{path}.{key}")
    return data
