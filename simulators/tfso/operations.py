"""The SOAP operations of the four services: read the request element, check the session, act, answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simulators.tfso import responses
from simulators.tfso.records import ORDER_STATES, InvoiceRow
from simulators.tfso.sessions import LoginThrottled
from simulators.tfso.soap import (
    SoapRequestError,
    child,
    children,
    datetime,
    decimal,
    envelope,
    fault,
    integer,
    serialize,
    strings,
    text,
)
from simulators.tfso.state import InvoiceQuery, OrderUpdate

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml import etree

    from simulators.tfso.sessions import Sessions
    from simulators.tfso.state import TfsoState

__all__ = ["SERVICES", "SESSION_FAULT", "Operations", "Outcome"]

# Path (lower case) -> (service, its operations the simulator serves).
SERVICES: dict[str, tuple[str, frozenset[str]]] = {
    "/authenticate/v001/authenticate.asmx": ("Authenticate", frozenset({"Login", "HasSession"})),
    "/economy/invoiceorder/v001/invoiceservice.asmx": (
        "InvoiceService",
        frozenset({"GetOrderSyncList", "GetInvoices", "SaveInvoices"}),
    ),
    "/logistics/product/v001/productservice.asmx": ("ProductService", frozenset({"GetProducts", "SetStockQuantity"})),
    "/crm/company/v001/companyservice.asmx": ("CompanyService", frozenset({"GetCompanies"})),
}
# Guess (CONTRACT.md section 6): the real text is unpublished, so it is configurable on the simulator.
SESSION_FAULT = "Server was unable to process request. ---> Authentication error: the session is not authenticated."
_MAX_ORDER_IDS = 1000


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What one call produced: the HTTP answer plus what to record about it."""

    status: int
    body: bytes
    committed: bool = False
    outcome: str = "ok"
    fields: dict[str, object] = field(default_factory=dict)
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


class Operations:
    """Dispatches by operation name; every business operation needs a live `ASP.NET_SessionId`."""

    def __init__(self, state: TfsoState, sessions: Sessions, *, session_fault: tuple[str, str] | None = None) -> None:
        self.state = state
        self.sessions = sessions
        self.session_fault = session_fault or ("Server", SESSION_FAULT)

    def handle(self, operation: str, element: etree._Element, session: str | None) -> Outcome:
        """Answer one operation; request problems become soap:Client faults as ASMX sends them."""
        try:
            if operation == "Login":
                return self._login(element)
            if operation == "HasSession":
                live = self.sessions.check(session)
                return self._answer(operation, str(live).lower(), fields={"live": live})
            if self.sessions.before_call(operation) or not self.sessions.check(session):
                code, message = self.session_fault
                return Outcome(status=500, body=fault(code, message), outcome="no session")
            handler: Callable[[etree._Element], Outcome] = getattr(self, f"_{operation}")
            return handler(element)
        except SoapRequestError as exc:
            message = f"Server was unable to read request. ---> {exc}"
            return Outcome(status=500, body=fault("Client", message), outcome="unreadable request")

    @staticmethod
    def _answer(operation: str, value: str, **kwargs: object) -> Outcome:
        root, result = envelope(operation)
        result.el.text = value
        return Outcome(status=200, body=serialize(root), **kwargs)  # type: ignore[arg-type]

    # --- Authenticate ---------------------------------------------------------------------------

    def _login(self, el: etree._Element) -> Outcome:
        credential = child(el, "credential")
        username = text(credential, "Username")
        fields: dict[str, object] = {"Username": username, "ApplicationId": text(credential, "ApplicationId")}
        try:
            session = self.sessions.login(
                application_id=text(credential, "ApplicationId"),
                username=username,
                password=text(credential, "Password"),
            )
        except LoginThrottled as exc:
            return Outcome(status=500, body=fault("Server", str(exc)), outcome="throttled", fields=fields)
        headers = [(b"set-cookie", f"ASP.NET_SessionId={session}; path=/; HttpOnly".encode())] if session else []
        return self._answer(
            "Login", session, outcome="ok" if session else "refused", fields=fields, headers=headers, committed=True
        )

    # --- InvoiceService ---------------------------------------------------------------------------

    def _GetOrderSyncList(self, el: etree._Element) -> Outcome:  # noqa: N802 - the SOAP operation's name
        params = child(el, "syncParams")
        changed_after, registered_after = datetime(params, "ChangedAfter"), datetime(params, "RegisteredAfter")
        ids = self.state.sync_list(changed_after=changed_after, registered_after=registered_after)
        root, result = envelope("GetOrderSyncList")
        for order_id in ids:
            result.opt("int", order_id)
        fields: dict[str, object] = {
            "ChangedAfter": changed_after,
            "RegisteredAfter": registered_after,
            "returned": ids,
        }
        return Outcome(status=200, body=serialize(root), fields=fields)

    def _GetInvoices(self, el: etree._Element) -> Outcome:  # noqa: N802
        params = child(el, "searchParams")
        query = InvoiceQuery(
            changed_after=datetime(params, "ChangedAfter"),
            order_states=_states(params),
            order_ids=_ints(params, "OrderIds"),
            invoice_ids=_ints(params, "InvoiceIds"),
            customer_ids=_ints(params, "CustomerIds"),
            external_status=_ints(params, "ExternalStatus"),
        )
        if query.order_ids is not None and len(query.order_ids) > _MAX_ORDER_IDS:
            raise SoapRequestError(f"at most {_MAX_ORDER_IDS} OrderIds per request")
        props = set(strings(el, "invoiceReturnProperties") or ())
        row_props = set(strings(el, "rowReturnProperties") or ())
        orders = self.state.find_orders(query)
        root, result = envelope("GetInvoices")
        for order in orders:
            responses.write_invoice(result.node("InvoiceOrder"), order, props, row_props)
        fields = {**vars(query), "returned": [o.order_id for o in orders]}
        return Outcome(status=200, body=serialize(root), fields=fields)

    def _SaveInvoices(self, el: etree._Element) -> Outcome:  # noqa: N802
        items = children(child(el, "invoices"), "InvoiceOrder")
        root, result = envelope("SaveInvoices")
        saved: list[dict[str, object]] = []
        for item in items:
            status = text(item, "OrderStatus")
            if status is not None and status not in ORDER_STATES:
                raise SoapRequestError(_bad_state(status))
            order_id = integer(item, "OrderId")
            if order_id is not None:
                update = OrderUpdate(
                    order_status=status,
                    external_status=integer(item, "ExternalStatus"),
                    invoice_text=text(item, "InvoiceText") or None,
                    your_reference=text(item, "YourReference") or None,
                    customer_delivery_phone=text(item, "CustomerDeliveryPhone") or None,
                    invoice_email=text(item, "InvoiceEmailAddress") or None,
                    delivery_date=datetime(item, "DeliveryDate"),
                )
                outcome = self.state.update_order(order_id, update)
            else:
                outcome = self.state.create_order(
                    customer_id=integer(item, "CustomerId"), rows=_rows(item), order_status=status or "Web"
                )
            written = result.node("InvoiceOrder")
            if isinstance(outcome, str):
                responses.write_api_exception(written, outcome, order_id=order_id)
                saved.append({"OrderId": order_id, "OrderStatus": status, "error": outcome})
            else:
                responses.write_invoice(written, outcome, None, None)
                saved.append({"OrderId": outcome.order_id, "OrderStatus": status})
        return Outcome(status=200, body=serialize(root), committed=True, fields={"invoices": saved})

    # --- ProductService ---------------------------------------------------------------------------

    def _GetProducts(self, el: etree._Element) -> Outcome:  # noqa: N802
        params = child(el, "searchParams")
        single = integer(params, "Id")
        ids = _ints(params, "ProductIds")
        if single is not None:
            ids = (*(ids or ()), single)
        products = self.state.find_products(
            ids=ids,
            no=text(params, "No") or None,
            name=text(params, "Name") or None,
            ean1=text(params, "EAN1") or None,
            category_id=integer(params, "CategoryId"),
            date_changed=datetime(params, "DateChanged"),
        )
        props = set(strings(el, "returnProperties") or ())
        root, result = envelope("GetProducts")
        for product in products:
            responses.write_product(result.node("Product"), product, props)
        return Outcome(status=200, body=serialize(root), fields={"ProductIds": ids, "count": len(products)})

    def _SetStockQuantity(self, el: etree._Element) -> Outcome:  # noqa: N802
        product_id, quantity = integer(el, "productId"), decimal(el, "stockQuantity")
        if product_id is None or quantity is None:
            raise SoapRequestError("productId and stockQuantity are required")
        done = self.state.set_stock(product_id, quantity)
        fields = {"productId": product_id, "stockQuantity": quantity}
        return self._answer("SetStockQuantity", str(done).lower(), committed=done, fields=fields)

    # --- CompanyService ---------------------------------------------------------------------------

    def _GetCompanies(self, el: etree._Element) -> Outcome:  # noqa: N802
        params = child(el, "searchParams")
        single = integer(params, "CompanyId")
        ids = _ints(params, "CompanyIds")
        if single is not None:
            ids = (*(ids or ()), single)
        companies = self.state.find_companies(ids=ids, changed_after=datetime(params, "ChangedAfter"))
        props = set(strings(el, "returnProperties") or ())
        root, result = envelope("GetCompanies")
        for company in companies:
            responses.write_company(result.node("Company"), company, props)
        return Outcome(status=200, body=serialize(root), fields={"CompanyIds": ids, "count": len(companies)})


def _ints(el: etree._Element | None, name: str) -> tuple[int, ...] | None:
    array = child(el, name)
    if array is None:
        return None
    return tuple(_int_text(c) for c in children(array, "int"))


def _int_text(el: etree._Element) -> int:
    try:
        return int((el.text or "").strip())
    except ValueError:
        raise SoapRequestError(f"{(el.text or '').strip()!r} is not an int") from None


def _states(params: etree._Element | None) -> tuple[str, ...] | None:
    array = child(params, "OrderStates")
    if array is None:
        return None
    states = tuple((c.text or "").strip() for c in children(array, "OrderSlipStateType"))
    for state in states:
        if state not in ORDER_STATES:
            raise SoapRequestError(_bad_state(state))
    return states


def _rows(order: etree._Element) -> list[InvoiceRow]:
    return [
        InvoiceRow(
            row_id=0,
            product_id=integer(row, "ProductId"),
            name=text(row, "Name") or None,
            quantity=decimal(row, "Quantity"),
            price=decimal(row, "Price"),
            vat_rate=decimal(row, "VatRate"),
            discount_rate=decimal(row, "DiscountRate"),
            type=text(row, "Type") or "Normal",
        )
        for row in children(child(order, "InvoiceRows"), "InvoiceRow")
    ]


def _bad_state(value: str) -> str:
    return f"Instance validation error: '{value}' is not a valid value for OrderSlipStateType."
