"""The SOAP operations: check credentials, hand the request element to its handler, answer."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulators.ongoing_wms import order_handlers, purchase_handlers, responses, stock_handlers
from simulators.ongoing_wms.outcome import Outcome
from simulators.ongoing_wms.records import WriteResult
from simulators.ongoing_wms.soap import SoapRequestError, fault, text

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml import etree

    from simulators.ongoing_wms.state import WmsState

__all__ = ["OPERATIONS", "Credentials", "Operations", "Outcome"]

_HANDLERS: dict[str, Callable[[Operations, etree._Element], Outcome]] = {
    "ProcessOrder": order_handlers.process_order,
    "GetOrdersByQuery": order_handlers.get_orders,
    "UpdateOrderLines": order_handlers.update_order_lines,
    "GetInventoryByQuery": stock_handlers.get_inventory,
    "GetInventoryChanges": stock_handlers.get_inventory_changes,
    "ProcessArticle": stock_handlers.process_article,
    "ProcessInOrder": purchase_handlers.process_in_order,
    "GetInOrdersByQuery": purchase_handlers.get_in_orders,
    "UpdateInOrderLines": purchase_handlers.update_in_order_lines,
}
OPERATIONS = tuple(_HANDLERS)
# Guess (CONTRACT.md 9.4): nothing documents how the real service answers bad credentials.
BAD_LOGIN = "Login failed: invalid UserName, Password or GoodsOwnerCode"


@dataclass(frozen=True, kw_only=True)
class Credentials:
    """The one API user and goods owner the simulator accepts."""

    username: str
    password: str
    goods_owner_code: str


class Operations:
    """Dispatches one parsed operation element to its handler; handlers read `state` and the owner."""

    def __init__(self, state: WmsState, credentials: Credentials, *, goods_owner_id: int = 1) -> None:
        self.state = state
        self.credentials = credentials
        self.goods_owner_id = goods_owner_id

    @property
    def goods_owner(self) -> str:
        """The goods owner's code (also shown as its name)."""
        return self.credentials.goods_owner_code

    def handle(self, operation: str, el: etree._Element) -> Outcome:
        """Answer one operation; unknown operations and unreadable requests are soap:Client faults."""
        handler = _HANDLERS.get(operation)
        if handler is None:
            message = f"Server did not recognize the value of HTTP Header SOAPAction: {operation}."
            return Outcome(status=500, body=fault("Client", message), committed=False, outcome="unknown operation")
        login: dict[str, object] = {"user": text(el, "UserName"), "goods_owner": text(el, "GoodsOwnerCode")}
        if not self._logged_in(el):
            return self._bad_login(operation, login)
        try:
            outcome = handler(self, el)
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
            responses.update_lines_result(result, operation)
            if operation.startswith("Update")
            else responses.file_result(operation, result)
        )
        return Outcome(status=200, body=body, committed=False, outcome="bad credentials", fields=login)
