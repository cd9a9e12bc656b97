"""The WooCommerce simulator's ASGI app: key-pair auth, host faults, routing, recording, webhooks."""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hmac
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import msgspec

from simulators.ongoing_wms.asgi import Receive, Scope, Send, drop_connection, read_body, respond
from simulators.ongoing_wms.faults import Fault, FaultKind, Faults
from simulators.woocommerce.records import ApiError, RecordedRequest
from simulators.woocommerce.routes import Reply, Request, match_route

if TYPE_CHECKING:
    from simulators.woocommerce.control import ControlApi
    from simulators.woocommerce.state import SiteState
    from simulators.woocommerce.webhooks import WebhookHub

__all__ = ["WooApp"]

_API = re.compile(r"^/wp-json/wc/v3/(?P<rest>.+?)/?$")
_JSON = "application/json; charset=UTF-8"
_SECRET_PARAMS = frozenset({"consumer_key", "consumer_secret"})


class WooApp:
    """Plain ASGI: `/wp-json/wc/v3/...` for the REST API, `/_sim/...` for the controls."""

    def __init__(
        self,
        *,
        state: SiteState,
        hub: WebhookHub,
        faults: Faults,
        consumer_key: str,
        consumer_secret: str,
        control: ControlApi,
    ) -> None:
        self.state = state
        self.hub = hub
        self.faults = faults
        self.control = control
        self.retry_after: str | None = "1"
        """`Retry-After` sent with an injected 429 or 503 (None: without one)."""
        self._key = consumer_key
        self._secret = consumer_secret

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
        if scope["path"].startswith("/_sim/"):
            await self.control(scope, receive, send)
            return
        found = _API.match(scope["path"])
        if found is None:
            payload = {"code": "rest_no_route", "message": "No route was found matching the URL and request method."}
            await respond(send, 404, msgspec.json.encode({**payload, "data": {"status": 404}}), _JSON)
            return
        await self._api(scope, receive, send, found["rest"])

    def _authorized(self, headers: dict[str, str], params: dict[str, str]) -> ApiError | None:
        """HTTP Basic `ck:cs`, or the query-string fallback; None when the pair matches."""
        key, secret = params.get("consumer_key"), params.get("consumer_secret")
        auth = headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                key, _, secret = base64.b64decode(auth[6:], validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                key = secret = None
        if key is None or secret is None:
            return ApiError(
                status=401, code="woocommerce_rest_cannot_view", message="Sorry, you cannot list resources."
            )
        if not hmac.compare_digest(key.encode(), self._key.encode()):
            return ApiError(
                status=401, code="woocommerce_rest_authentication_error", message="Consumer key is invalid."
            )
        if not hmac.compare_digest(secret.encode(), self._secret.encode()):
            return ApiError(
                status=401, code="woocommerce_rest_authentication_error", message="Consumer secret is invalid."
            )
        return None

    async def _api(self, scope: Scope, receive: Receive, send: Send, rest: str) -> None:
        method: str = scope["method"]
        raw = await read_body(receive)
        query = scope.get("query_string", b"").decode("latin-1")
        params = dict(parse_qsl(query, keep_blank_values=True))
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        route = match_route(method, rest)
        name = route[0] if route else ("webhooks.create" if (method, rest) == ("POST", "webhooks") else "unknown")

        async def answer(reply: Reply, body: object = None) -> None:
            shown = {k: ("***" if k in _SECRET_PARAMS else v) for k, v in params.items()}
            self.state.record(
                RecordedRequest(
                    method=method, path=scope["path"], route=name, query=shown, body=body, status=reply.status,
                    at=dt.datetime.now(dt.UTC),
                )
            )  # fmt: skip
            await respond(send, reply.status, msgspec.json.encode(reply.payload), _JSON, reply.headers)

        await asyncio.sleep(self.faults.latency)
        fault = self.faults.take(name)
        if fault is not None and fault.kind is FaultKind.DROP:
            drop_connection(send)
            return
        refused = self._refuse(fault, headers, params)
        if refused is not None:
            await answer(refused)
            return
        try:
            body = msgspec.json.decode(raw) if raw else None
        except msgspec.DecodeError:
            invalid = ApiError(status=400, code="rest_invalid_json", message="Invalid JSON body passed.")
            await answer(Reply(status=400, payload=invalid.payload()))
            return
        url = f"http://{headers.get('host', '')}{scope['path']}"
        try:
            if name == "webhooks.create":
                reply = await self._create_webhook(body)
            elif route is None:
                reply = _no_route()
            else:
                with self.state.lock:
                    request = Request(
                        method=method, state=self.state, hub=self.hub, match=route[1], params=params, body=body, url=url
                    )
                    reply = route[2](request)
        except ApiError as exc:
            reply = Reply(status=exc.status, payload=exc.payload())
        for topic, payload in reply.events:
            self.hub.emit(topic, payload)
        if fault is not None:  # commit then time out
            await asyncio.sleep(fault.delay)
        await answer(reply, body)

    def _refuse(self, fault: Fault | None, headers: dict[str, str], params: dict[str, str]) -> Reply | None:
        """An armed host failure (before WordPress runs), or 401 for a wrong key pair."""
        if fault is not None and fault.kind is FaultKind.FAIL:
            retry = []
            if self.retry_after and fault.status in {429, 503}:
                retry = [(b"retry-after", self.retry_after.encode())]
            return Reply(status=fault.status, payload={"error": "simulated host failure"}, headers=retry)
        refused = self._authorized(headers, params)
        return None if refused is None else Reply(status=refused.status, payload=refused.payload())

    async def _create_webhook(self, body: object) -> Reply:
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("topic", "delivery_url")):
            missing = "Missing parameter(s): topic, delivery_url"
            raise ApiError(status=400, code="rest_missing_callback_param", message=missing)
        webhook = await asyncio.to_thread(
            self.hub.create,
            topic=body["topic"],
            delivery_url=body["delivery_url"],
            secret=str(body.get("secret", "")),
            name=str(body.get("name", "")),
            status=str(body.get("status", "active")),
        )
        return Reply(status=201, payload=webhook.public())


def _no_route() -> Reply:
    error = ApiError(
        status=404, code="rest_no_route", message="No route was found matching the URL and request method."
    )
    return Reply(status=404, payload=error.payload())
