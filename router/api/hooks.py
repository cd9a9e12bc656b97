"""Inbound webhooks: the WMS's order notifications and sales platforms' order webhooks (raw stored first)."""

from __future__ import annotations

import hmac
from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import FromPath

from connectors import ConnectorContext, connector_class
from router import metrics
from router.api.auth import Rt
from router.api.schemas import OrderAccepted
from router.db import transaction
from router.domain import InboxState
from router.errors import AuthenticationFailed, InputError, NotFound, PayloadTooLarge
from router.outbox import Priority, enqueue
from router.sql import queries
from router.store.inbox import InboxStore

__all__ = ["HookController"]


class WmsHook(msgspec.Struct, frozen=True):
    """The part of Ongoing's order webhook the router needs; everything else is read back from the WMS."""

    orderNumber: str  # noqa: N815 - Ongoing's field name
    orderId: int | None = None  # noqa: N815 - Ongoing's field name


_wms_hook = msgspec.json.Decoder(WmsHook)


class HookController(Controller):
    """`/hooks`: authenticated by a shared secret (WMS) or the platform's signature (sources)."""

    path = "/hooks"
    tags = ["webhooks"]  # noqa: RUF012 - litestar reads it as a class attribute

    @post("/wms", status_code=202, summary="Ongoing WMS order webhook (X-Webhook-Secret)")
    async def wms(self, request: Request[Any, Any, Any], rt: Rt) -> dict[str, Any]:
        """Store the notification, then read that order from the WMS in the lane (the poll is the backstop)."""
        body = await _body(request, rt.settings.http.max_body_bytes)
        inbox_id = await rt.inbox.store(source_id=None, channel="wms", headers=dict(request.headers), body=body)
        expected = rt.settings.fanback.webhook_secret
        presented = request.headers.get("x-webhook-secret", "")
        if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
            await _finish(rt, inbox_id, InboxState.REJECTED, {"code": "unauthorized", "detail": "bad webhook secret"})
            raise AuthenticationFailed("the WMS webhook secret is missing or wrong")
        try:
            hook = _wms_hook.decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            error = InputError(str(exc), field="orderNumber")
            await _finish(rt, inbox_id, InboxState.REJECTED, {"code": error.code, "detail": error.message})
            raise error from exc
        async with transaction(rt.pool) as conn:
            owner = await conn.fetchval(queries["find_order_by_wms_number"], hook.orderNumber)
            if owner is None:
                await conn.execute(queries["record_foreign"], hook.orderNumber, hook.orderId, None)
                await InboxStore.finish(conn, inbox_id, InboxState.IGNORED, error={"detail": "not an order of ours"})
                metrics.FOREIGN_EVENTS_IGNORED.inc()
                return {"accepted": False, "reason": "foreign order"}
            await enqueue(
                conn,
                lane=rt.wms_lane,
                kind="wms.read_orders",
                priority=Priority.READ,
                idempotency_key=f"hook:{inbox_id}",
                payload={"numbers": [hook.orderNumber]},
            )
            await InboxStore.finish(conn, inbox_id, InboxState.ACCEPTED)
        return {"accepted": True}

    @post("/{source:str}", status_code=200, summary="A sales platform's order webhook, verified on the raw body")
    async def source_hook(self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str]) -> OrderAccepted:
        """Store, verify the signature on the exact bytes, then normalize and ingest like any order."""
        try:
            owner = await rt.sources.get(source)
        except NotFound:
            raise NotFound("no such webhook endpoint") from None
        body = await _body(request, rt.settings.http.max_body_bytes)
        headers = dict(request.headers)
        inbox_id = await rt.inbox.store(source_id=owner.id, channel="hook", headers=headers, body=body)
        credentials = await rt.sources.credentials(owner.id)
        connector = connector_class(owner.kind)(ConnectorContext(source=owner, credentials=credentials, http=rt.http))
        try:
            await _verify(connector, owner.enabled, body, headers)
        except AuthenticationFailed as exc:
            await _finish(rt, inbox_id, InboxState.REJECTED, {"code": exc.code, "detail": exc.message})
            metrics.INBOX_PAYLOADS.labels(owner.name, "rejected").inc()
            raise
        result = await rt.ingestor.process(owner, inbox_id=inbox_id, headers=headers, body=body)
        metrics.INBOX_PAYLOADS.labels(owner.name, "accepted").inc()
        metrics.ORDERS_INGESTED.labels(owner.name, result.outcome).inc()
        return OrderAccepted(
            outcome=result.outcome,
            source_order_number=result.source_order_number,
            wms_order_number=result.wms_order_number,
            revision=result.revision,
            inbox_id=inbox_id,
        )


async def _verify(connector: Any, enabled: bool, body: bytes, headers: dict[str, str]) -> None:
    if not enabled:
        raise AuthenticationFailed("the source is disabled")
    await connector.verify(body, headers)


async def _body(request: Request[Any, Any, Any], limit: int) -> bytes:
    body = await request.body()
    if len(body) > limit:
        raise PayloadTooLarge
    return body


async def _finish(rt: Any, inbox_id: int, state: InboxState, error: dict[str, Any]) -> None:
    async with transaction(rt.pool) as conn:
        await InboxStore.finish(conn, inbox_id, state, error=error)
