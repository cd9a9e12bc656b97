"""The simulator's ASGI app: `/api/Token`, the bearer-protected REST API with rate limits, and `/_sim/`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import msgspec

from simulators._asgi import BaseApp
from simulators.omnium import orders as rules
from simulators.omnium.asgi import Receive, Scope, Send, encode_json, read_body, respond
from simulators.omnium.state import RecordedRequest
from simulators.omnium.wire import (
    InventoryItem,
    InventorySearch,
    InventoryUpdate,
    LineItemStatusPatch,
    Order,
    OrderPatch,
    SearchRequest,
    UpdateStatusPatch,
    decode_body,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from simulators.omnium.control import ControlApi
    from simulators.omnium.limits import Limiter
    from simulators.omnium.state import OmniumState

__all__ = ["MAX_INVENTORY_BATCH", "MAX_TAKE", "MAX_WINDOW", "OmniumApp"]

MAX_TAKE = 100
"""`take` is at most 100 in POST searches."""
MAX_WINDOW = 10_000
"""`take * page` must be at most 10 000."""
MAX_INVENTORY_BATCH = 1_000
"""UpdateMany takes at most 1 000 items."""
_SECRET_QUERY = {"clientid", "clientsecret"}
_BATCH = re.compile(r"^/api/inventory/(updatemany|processinventorytransactions|addmany)$")

Reply = tuple[int, Any]


class HttpError(Exception):
    """Answer with this status and a ProblemDetails-like body."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class OmniumApp(BaseApp):
    """Plain ASGI app; routes are case-insensitive like ASP.NET's."""

    def __init__(
        self, *, state: OmniumState, limiter: Limiter, control: ControlApi, client_id: str, client_secret: str
    ) -> None:
        super().__init__()
        self.state = state
        self.limiter = limiter
        self.control = control
        self._client_id = client_id
        self._client_secret = client_secret

    def __repr__(self) -> str:
        return "OmniumApp()"

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        method: str = scope["method"]
        path: str = scope["path"]
        query = dict(parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True))
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        body = await read_body(receive)
        parsed = _json_or_none(body)
        safe_query = {k: v for k, v in query.items() if k.lower() not in _SECRET_QUERY}
        note, retry_after, early = "", None, False
        extra_headers: list[tuple[bytes, bytes]] = []
        try:
            if path.lower() == "/api/token":
                status, payload = self._token(method, query)
            else:
                self._authenticate(headers)
                batch = bool(_BATCH.match(path.lower()))
                admission = self.limiter.admit(batch=batch)
                if admission.admitted:
                    try:
                        status, payload = await self._admitted(method, path, body)
                    finally:
                        self.limiter.release(batch=batch)
                else:
                    retry_after, early, note = admission.retry_after, admission.early, admission.reason
                    extra_headers = [(b"retry-after", str(admission.retry_after).encode())]
                    status, payload = 429, {"status": 429, "title": "Too Many Requests"}
        except HttpError as exc:
            status, payload = exc.status, {"status": exc.status, "title": exc.detail}
            note = note or exc.detail
        self.state.record(
            RecordedRequest(
                method=method,
                path=path,
                query=safe_query,
                body=parsed,
                status=status,
                at=self.state.clock.now(),
                retry_after=retry_after,
                early=early,
                note=note,
                response=payload if status < 300 else None,
            )
        )
        if isinstance(payload, str) and status == 200:
            await respond(send, status, payload.encode(), "text/plain; charset=utf-8", extra_headers)
            return
        content = b"" if payload is None else encode_json(payload)
        await respond(send, status, content, "application/json; charset=utf-8", extra_headers)

    def _token(self, method: str, query: dict[str, str]) -> Reply:
        if method != "POST":
            raise HttpError(405, "Method Not Allowed")
        given = {k.lower(): v for k, v in query.items()}
        if given.get("clientid") != self._client_id or given.get("clientsecret") != self._client_secret:
            raise HttpError(401, "Unauthorized")
        token = self.state.issue_token()
        if given.get("returnasjson", "").lower() == "true":
            return 200, {"accessToken": token, "tokenType": "Bearer", "expiresIn": int(self.state.token_ttl)}
        return 200, token

    def _authenticate(self, headers: dict[str, str]) -> None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not self.state.token_valid(token.strip()):
            raise HttpError(401, "Unauthorized")

    async def _admitted(self, method: str, path: str, body: bytes) -> Reply:
        await self._sleep(self.limiter.latency)
        failure = self.limiter.take_failure(path)
        if failure is not None:
            raise HttpError(failure, "Simulated failure")
        handler, args = self._route(method, path)
        try:
            return handler(body, *args)
        except (msgspec.ValidationError, msgspec.DecodeError, rules.OrderRuleError) as exc:
            raise HttpError(400, str(exc)) from None
        except KeyError as exc:
            raise HttpError(404, f"Not found: {exc.args[0]}") from None

    def _route(self, method: str, path: str) -> tuple[Callable[..., Reply], tuple[str, ...]]:
        parts = [p for p in path.split("/") if p][1:]  # without "api"
        lowered = [p.lower() for p in parts]
        table: dict[tuple[str, ...], Callable[..., Reply]] = {
            ("POST", "orders"): self._create_order,
            ("POST", "orders", "search"): self._search,
            ("PUT", "inventory", "updatemany"): self._update_many,
            ("POST", "inventory", "processinventorytransactions"): self._transactions,
            ("POST", "inventory", "search"): self._inventory_search,
        }
        if (method, *lowered) in table:
            return table[(method, *lowered)], ()
        by_id: dict[tuple[str, ...], Callable[..., Reply]] = {
            ("POST", "orders", "updatestatus"): self._update_status,
            ("POST", "orders", "orderlinesupdate"): self._lines_update,
            ("PATCH", "orders", "patchorder"): self._patch_order,
        }
        if len(parts) == 3 and (method, lowered[0], lowered[2]) in by_id:
            return by_id[(method, lowered[0], lowered[2])], (parts[1],)
        if len(parts) == 2 and method == "GET" and lowered[0] in {"orders", "inventory"}:
            return (self._get_order if lowered[0] == "orders" else self._get_inventory), (parts[1],)
        raise HttpError(404, f"No route {method} {path}")

    # --- orders -----------------------------------------------------------------------------------

    def _get_order(self, _body: bytes, order_id: str) -> Reply:
        order = self.state.order(order_id)
        if order is None:
            raise KeyError(order_id)
        return 200, order

    def _create_order(self, body: bytes) -> Reply:
        order = decode_body(body, Order)
        try:
            return 201, self.state.add_order(order)
        except rules.OrderRuleError as exc:
            raise HttpError(409, str(exc)) from None

    def _search(self, body: bytes) -> Reply:
        query = decode_body(body or b"{}", SearchRequest)
        if not 0 < query.take <= MAX_TAKE or query.page < 0:
            raise HttpError(400, f"take must be 1..{MAX_TAKE} and page at least 0")
        if query.take * query.page > MAX_WINDOW:
            raise HttpError(400, f"take * page must be at most {MAX_WINDOW}; use Scroll")
        result, total = self.state.search(query)
        return 200, {"result": result, "totalHits": total, "facets": [], "scrollId": None, "isValid": True}

    def _update_status(self, body: bytes, order_id: str) -> Reply:
        patch = decode_body(body, UpdateStatusPatch)
        if self.state.order(order_id) is None:
            raise KeyError(order_id)
        abort = self.limiter.take_abort()
        if abort is not None:
            result = [_action("Error", "CapturePayment", cancel=True, reason=abort)]
            return 200, {"orderActionExecutionResults": result, "isAborted": True, "order": self.state.order(order_id)}
        order = self.state.change_order(
            order_id,
            lambda o, now: rules.apply_update_status(o, patch, now),
            origin=f"POST /api/Orders/{order_id}/UpdateStatus",
        )
        actions = [] if patch.skip_run_workflow else [_action("Success", "Notification")]
        return 200, {"orderActionExecutionResults": actions, "isAborted": False, "order": order}

    def _lines_update(self, body: bytes, order_id: str) -> Reply:
        patch = decode_body(body, LineItemStatusPatch)
        order = self.state.change_order(
            order_id,
            lambda o, now: rules.apply_lines_update(o, patch, now),
            origin=f"POST /api/Orders/{order_id}/OrderLinesUpdate",
        )
        return 200, {
            "orderActionExecutionResults": [_action("Success", "Notification")],
            "isAborted": False,
            "order": order,
        }

    def _patch_order(self, body: bytes, order_id: str) -> Reply:
        patch = decode_body(body, OrderPatch)
        before = self.state.order(order_id)
        if before is None:
            return 200, _patch_result(found=False, modified=False)
        after = self.state.change_order(
            order_id, lambda o, now: rules.apply_patch(o, patch, now), origin=f"PATCH /api/Orders/{order_id}/PatchOrder"
        )
        return 200, _patch_result(found=True, modified=after != before)

    # --- inventory --------------------------------------------------------------------------------

    def _update_many(self, body: bytes) -> Reply:
        items = decode_body(body, list[InventoryItem])
        if len(items) > MAX_INVENTORY_BATCH:
            raise HttpError(400, f"at most {MAX_INVENTORY_BATCH} items per request")
        self.state.update_many(items)
        return 200, None

    def _transactions(self, body: bytes) -> Reply:
        self.state.apply_transactions(decode_body(body, list[InventoryUpdate]))
        return 200, None

    def _inventory_search(self, body: bytes) -> Reply:
        query = decode_body(body, InventorySearch)
        if query == InventorySearch():
            raise HttpError(400, "at least one search parameter must be set")
        found = [
            item
            for item in self.state.inventory()
            if (not query.warehouse_codes or item.warehouse_code in query.warehouse_codes)
            and (not query.product_codes or item.sku in query.product_codes)
            and (query.last_modified is None or (item.modified is not None and item.modified >= query.last_modified))
            and (query.is_in_stock is None or (item.inventory > 0) == query.is_in_stock)
        ]
        return 200, {"result": found, "totalHits": len(found), "facets": [], "scrollId": None}

    def _get_inventory(self, _body: bytes, sku: str) -> Reply:
        found = [item for item in self.state.inventory() if item.sku == sku]
        if not found:
            raise KeyError(sku)
        return 200, found


def _action(status: str, kind: str, *, cancel: bool = False, reason: str | None = None) -> dict[str, Any]:
    return {"actionStatus": status, "actionType": kind, "cancelWorkflow": cancel, "errorReason": reason}


def _patch_result(*, found: bool, modified: bool) -> dict[str, Any]:
    return {
        "totalCount": 1,
        "updatedCount": int(modified),
        "unchangedCount": int(found and not modified),
        "notFoundCount": int(not found),
        "errorCount": 0,
        "isModified": modified,
    }


def _json_or_none(body: bytes) -> Any:
    if not body:
        return None
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        return {"unparsed": len(body)}
