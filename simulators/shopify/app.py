"""The Shopify simulator's ASGI app: auth, leaky bucket, fault knobs, routing, recording, webhooks."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import msgspec

from simulators.ongoing_wms.asgi import Receive, Scope, Send, drop_connection, read_body, respond
from simulators.ongoing_wms.faults import FaultKind, Faults
from simulators.shopify.records import ApiError, RecordedRequest
from simulators.shopify.routes import Reply, Request, match_route

if TYPE_CHECKING:
    from simulators.shopify.control import ControlApi
    from simulators.shopify.ratelimit import LeakyBucket
    from simulators.shopify.state import ShopState
    from simulators.shopify.webhooks import WebhookSender

__all__ = ["ShopifyApp"]

_API = re.compile(r"^/admin/api/(?P<version>\d{4}-\d{2}|unstable)/(?P<rest>.+)$")
_JSON = "application/json; charset=utf-8"
_THROTTLED = "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
_UNAUTHORIZED = "[API] Invalid API key or access token (unrecognized login or wrong password)"


class ShopifyApp:
    """Plain ASGI: `/admin/api/{version}/...` for the REST Admin API, `/_sim/...` for the controls."""

    def __init__(
        self,
        *,
        state: ShopState,
        bucket: LeakyBucket,
        faults: Faults,
        sender: WebhookSender,
        access_token: str,
        control: ControlApi,
    ) -> None:
        self.state = state
        self.bucket = bucket
        self.faults = faults
        self.sender = sender
        self.control = control
        self._token = access_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection (lifespan or HTTP)."""
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path.startswith("/_sim/"):
            await self.control(scope, receive, send)
            return
        found = _API.match(path)
        if found is None:
            await respond(send, 404, b'{"errors":"Not Found"}', _JSON)
            return
        await self._api(scope, receive, send, found)

    async def _api(self, scope: Scope, receive: Receive, send: Send, found: re.Match[str]) -> None:
        method: str = scope["method"]
        raw = await read_body(receive)
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        route = match_route(method, found["rest"])
        name = route[0] if route is not None else "unknown"
        extra = [(b"x-shopify-api-version", found["version"].encode())]

        async def answer(reply: Reply, body: object = None) -> None:
            self._record(method=method, path=scope["path"], route=name, params=params, body=body, status=reply.status)
            await respond(send, reply.status, msgspec.json.encode(reply.payload), _JSON, extra + reply.headers)

        refused = self._refuse(headers, extra)
        if refused is not None:
            await answer(refused)
            return
        await asyncio.sleep(self.faults.latency)
        fault = self.faults.take(name)
        if fault is not None and fault.kind is FaultKind.DROP:
            self._record(method=method, path=scope["path"], route=name, params=params, body=None, status=0)
            drop_connection(send)
            return
        if fault is not None and fault.kind is FaultKind.FAIL:
            await answer(_failure(fault.status))
            return
        try:
            body = msgspec.json.decode(raw) if raw else None
        except msgspec.DecodeError:
            await answer(Reply(status=400, payload={"errors": "Bad Request: the body is not JSON"}))
            return
        if route is None:
            await answer(Reply(status=404, payload={"errors": "Not Found"}), body)
            return
        url = f"{_origin(headers, scope)}{scope['path']}"
        with self.state.lock:
            try:
                reply = route[2](Request(state=self.state, match=route[1], params=params, body=body, url=url))
            except ApiError as exc:
                reply = Reply(status=exc.status, payload={"errors": exc.errors})
        if reply.topics and reply.webhook_body is not None:
            self.sender.emit(reply.topics, reply.webhook_body)
        if fault is not None:  # commit then time out: the change is made, the answer comes late
            await asyncio.sleep(fault.delay)
        await answer(reply, body)

    def _refuse(self, headers: dict[str, str], extra: list[tuple[bytes, bytes]]) -> Reply | None:
        """401 for a wrong token; else count the call in the bucket: 429 when it overflows."""
        if headers.get("x-shopify-access-token") != self._token:
            return Reply(status=401, payload={"errors": _UNAUTHORIZED})
        admitted, call_limit, wait = self.bucket.admit()
        extra.append((b"x-shopify-shop-api-call-limit", call_limit.encode()))
        if admitted:
            return None
        return Reply(status=429, payload={"errors": _THROTTLED}, headers=[(b"retry-after", f"{wait:.1f}".encode())])

    def _record(self, *, method: str, path: str, route: str, params: dict[str, str], body: object, status: int) -> None:
        self.state.record(
            RecordedRequest(
                method=method,
                path=path,
                route=route,
                query=params,
                body=body,
                status=status,
                at=dt.datetime.now(dt.UTC),
            )
        )


def _failure(status: int) -> Reply:
    """The answer of an armed failure; 429 and 503 say when to come back."""
    retry = [(b"retry-after", b"1.0")] if status in {429, 503} else []
    return Reply(status=status, payload={"errors": "Simulated failure"}, headers=retry)


def _origin(headers: dict[str, str], scope: Scope) -> str:
    host = headers.get("host") or "{}:{}".format(*scope["server"])
    return f"{scope.get('scheme', 'http')}://{host}"
