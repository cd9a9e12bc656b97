"""The five SOAP operations: read the request element, check credentials, act on the state, answer."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simulators.ongoing_wms import responses
from simulators.ongoing_wms.records import (
    ArticleInput,
    Consignee,
    LineInput,
    OrderInput,
    OrderQuery,
    WriteResult,
)
from simulators.ongoing_wms.soap import (
    SoapRequestError,
    boolean,
    child,
    children,
    datetime,
    decimal,
    fault,
    integer,
    text,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml import etree

    from simulators.ongoing_wms.state import WmsState

__all__ = ["OPERATIONS", "Credentials", "Operations", "Outcome"]

OPERATIONS = ("ProcessOrder", "GetOrdersByQuery", "UpdateOrderLines", "GetInventoryByQuery", "ProcessArticle")
# Guess (CONTRACT.md 9.4): nothing documents how the real service answers bad credentials.
BAD_LOGIN = "Login failed: invalid UserName, Password or GoodsOwnerCode"


@dataclass(frozen=True, kw_only=True)
class Credentials:
    """The one API user and goods owner the simulator accepts."""

    username: str
    password: str
    goods_owner_code: str


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What one SOAP call produced: the HTTP answer plus what to record about it."""

    status: int
    body: bytes
    committed: bool
    outcome: str
    fields: dict[str, object] = field(default_factory=dict)


class Operations:
    """Dispatches one parsed operation element to its handler."""

    def __init__(self, state: WmsState, credentials: Credentials, *, goods_owner_id: int = 1) -> None:
        self.state = state
        self.credentials = credentials
        self.goods_owner_id = goods_owner_id
        self._handlers: dict[str, Callable[[etree._Element], Outcome]] = {
            "ProcessOrder": self._process_order,
            "GetOrdersByQuery": self._get_orders,
            "UpdateOrderLines": self._update_order_lines,
            "GetInventoryByQuery": self._get_inventory,
            "ProcessArticle": self._process_article,
        }

    def handle(self, operation: str, el: etree._Element) -> Outcome:
        """Answer one operation; unknown operations and unreadable requests are soap:Client faults."""
        handler = self._handlers.get(operation)
        if handler is None:
            message = f"Server did not recognize the value of HTTP Header SOAPAction: {operation}."
            return Outcome(status=500, body=fault("Client", message), committed=False, outcome="unknown operation")
        login: dict[str, object] = {"user": text(el, "UserName"), "goods_owner": text(el, "GoodsOwnerCode")}
        if not self._logged_in(el):
            return self._bad_login(operation, login)
        try:
            outcome = handler(el)
        except SoapRequestError as exc:
            return Outcome(status=500, body=fault("Client", str(exc)), committed=False, outcome=f"bad request: {exc}")
        return Outcome(
            status=outcome.status,
            body=outcome.body,
            committed=outcome.committed,
            outcome=outcome.outcome,
            fields=login | outcome.fields,
        )

    def _logged_in(self, el: etree._Element) -> bool:
        given = (text(el, "UserName") or "", text(el, "Password") or "", text(el, "GoodsOwnerCode") or "")
        wanted = (self.credentials.username, self.credentials.password, self.credentials.goods_owner_code)
        return all(hmac.compare_digest(a.encode(), b.encode()) for a, b in zip(given, wanted, strict=True))

    def _bad_login(self, operation: str, login: dict[str, object]) -> Outcome:
        # Guess (CONTRACT.md 9.4): writes answer Success=false, reads a soap:Client fault with HTTP 500.
        if operation.startswith("Get"):
            body = fault("Client", BAD_LOGIN)
            return Outcome(status=500, body=body, committed=False, outcome="bad credentials", fields=login)
        result = WriteResult(success=False, error=BAD_LOGIN)
        body = (
            responses.update_lines_result(result)
            if operation == "UpdateOrderLines"
            else (responses.file_result(operation, result))
        )
        return Outcome(status=200, body=body, committed=False, outcome="bad credentials", fields=login)

    @staticmethod
    def _write_outcome(body: bytes, result: WriteResult, fields: dict[str, object]) -> Outcome:
        outcome = "ok" if result.success else f"rejected: {result.error}"
        return Outcome(status=200, body=body, committed=result.success, outcome=outcome, fields=fields)

    # --- handlers ---------------------------------------------------------------------------------

    def _process_order(self, el: etree._Element) -> Outcome:
        co = child(el, "co")
        info = child(co, "OrderInfo")
        lines_el = child(co, "CustomerOrderLines")
        customer = child(co, "Customer")
        request = OrderInput(
            operation=text(info, "OrderOperation") or "",
            identification=text(info, "OrderIdentification") or "",
            number=text(info, "GoodsOwnerOrderNumber"),
            order_id=integer(info, "OrderId"),
            order_type=text(info, "OrderType", "OrderTypeCode"),
            remark=text(info, "OrderRemark"),
            delivery_instruction=text(info, "DeliveryInstruction"),
            way_of_delivery=text(info, "WayOfDelivery"),
            service_point_code=text(info, "OrderServicePointCode"),
            freight_price=decimal(info, "FreightPrice"),
            delivery_date=datetime(info, "DeliveryDate"),
            consignee=_consignee(customer, child(info, "OrderNotification")) if customer is not None else None,
            lines=None if lines_el is None else tuple(_line(c) for c in children(lines_el, "CustomerOrderLine")),
        )
        result = self.state.process_order(request)
        fields: dict[str, object] = {
            "number": request.number,
            "order_operation": request.operation,
            "order_type": request.order_type,
            "articles": [line.article_number for line in request.lines or ()],
        }
        return self._write_outcome(responses.file_result("ProcessOrder", result), result, fields)

    def _get_orders(self, el: etree._Element) -> Outcome:
        q = child(el, "query")
        numbers = child(q, "OrderNumbersToGet")
        ids = child(q, "OrderIdsToGet")
        query = OrderQuery(
            numbers=None if numbers is None else tuple(c.text or "" for c in children(numbers, "string")),
            ids=None if ids is None else tuple(int(c.text or 0) for c in children(ids, "int")),
            status_from=integer(q, "OrderStatusFrom"),
            status_to=integer(q, "OrderStatusTo"),
            updated_from=datetime(q, "LastUpdatedFrom"),
            updated_to=datetime(q, "LastUpdatedTo"),
            shipped_from=datetime(q, "ShippedTimeFrom"),
            shipped_to=datetime(q, "ShippedTimeTo"),
            only_lines_to_report=bool(boolean(q, "OrderSpecialFilters", "OnlyOrdersWithOrderLinesToReport")),
        )
        orders = self.state.query_orders(query)
        articles = {a.number: a for a in self.state.articles()}
        body = responses.orders_result(orders, articles, self.credentials.goods_owner_code, self.goods_owner_id)
        fields: dict[str, object] = {
            "numbers": list(query.numbers or ()),
            "ids": list(query.ids or ()),
            "status_from": query.status_from,
            "status_to": query.status_to,
            "updated_from": query.updated_from.isoformat() if query.updated_from else None,
            "only_lines_to_report": query.only_lines_to_report,
            "found": [o.number for o in orders],
        }
        return Outcome(status=200, body=body, committed=False, outcome="ok", fields=fields)

    def _update_order_lines(self, el: etree._Element) -> Outcome:
        update = child(el, "UpdateOrderLines")
        ident = child(update, "UpdateOrderIdentification")
        kind = text(ident, "OrderIdentificationType")
        number = text(ident, "GoodsOwnerOrderNumber") if kind == "GoodsOwnerOrderNumber" else None
        order_id = integer(ident, "OrderId") if kind == "SystemId" else None
        reported = [
            (
                text(line, "UpdateOrderLineIdentification", "ExternalOrderLineCode"),
                decimal(line, "UpdateReportedNumberOfItems", "ReportedNumberOfItems"),
            )
            for line in children(child(update, "OrderLines"), "UpdateOrderLine")
            if child(line, "UpdateReportedNumberOfItems") is not None
        ]
        result = self.state.update_order_lines(number, order_id, reported)
        fields: dict[str, object] = {
            "number": number,
            "reported": {code: str(qty) if qty is not None else None for code, qty in reported},
        }
        return self._write_outcome(responses.update_lines_result(result), result, fields)

    def _get_inventory(self, el: etree._Element) -> Outcome:
        q = child(el, "GetInventoryQuery")
        numbers_el = child(q, "ArticleNumbersToGet")
        numbers = None if numbers_el is None else [c.text or "" for c in children(numbers_el, "string")]
        changed_from = datetime(q, "StockInfoChangedFrom")
        rows = self.state.inventory(numbers, changed_from)
        fields: dict[str, object] = {
            "articles": numbers,
            "changed_from": changed_from.isoformat() if changed_from else None,
        }
        body = responses.inventory_result(rows, self.goods_owner_id)
        return Outcome(status=200, body=body, committed=False, outcome="ok", fields=fields)

    def _process_article(self, el: etree._Element) -> Outcome:
        art = child(el, "art")
        request = ArticleInput(
            identification=text(art, "ArticleIdentification") or "",
            number=text(art, "ArticleNumber"),
            name=text(art, "ArticleName"),
            product_code=text(art, "ProductCode"),
            barcode=text(art, "BarCode"),
            description=text(art, "ArticleDescription"),
            unit_code=text(art, "ArticleUnitCode"),
            weight=decimal(art, "Weight"),
            volume=decimal(art, "Volume"),
            length=decimal(art, "Length"),
            width=decimal(art, "Width"),
            height=decimal(art, "Height"),
            price=decimal(art, "Price"),
            purchase_price=decimal(art, "PurchasePrice"),
            is_stock_article=boolean(art, "IsStockArticle"),
            is_obsolete=boolean(art, "IsObsolete"),
        )
        result = self.state.process_article(request)
        fields: dict[str, object] = {"article_number": request.number, "name": request.name}
        return self._write_outcome(responses.file_result("ProcessArticle", result), result, fields)


def _consignee(customer: etree._Element, notification: etree._Element | None) -> Consignee:
    return Consignee(
        customer_number=text(customer, "CustomerNumber"),
        name=text(customer, "Name"),
        address=text(customer, "Address"),
        address2=text(customer, "Address2"),
        address3=text(customer, "Address3"),
        postcode=text(customer, "PostCode"),
        city=text(customer, "City"),
        country_code=text(customer, "CountryCode"),
        state_code=text(customer, "CountryStateCode"),
        phone=text(customer, "TelePhone"),
        mobile=text(customer, "MobilePhone"),
        email=text(customer, "Email"),
        notify_by_email=bool(boolean(notification, "NotifyByEmail") or boolean(customer, "NotifyByEmail")),
        notify_by_sms=bool(boolean(notification, "NotifyBySms") or boolean(customer, "NotifyBySMS")),
    )


def _line(el: etree._Element) -> LineInput:
    quantity = decimal(el, "NumberOfItems")
    if quantity is None:
        raise SoapRequestError("CustomerOrderLine/NumberOfItems is required")
    return LineInput(
        identification=text(el, "OrderLineIdentification") or "ExternalOrderLineCode",
        code=text(el, "ExternalOrderLineCode"),
        article_number=text(el, "ArticleNumber"),
        article_name=text(el, "ArticleName"),
        quantity=quantity,
        comment=text(el, "OrderLineComment"),
        line_price=decimal(el, "LinePrice"),
        customer_line_price=decimal(el, "CustomerLinePrice"),
        currency=text(el, "CurrencyCode"),
        discount=decimal(el, "Discount"),
        vat_percent=decimal(el, "VatCode", "VatPercent"),
    )
