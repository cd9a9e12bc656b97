"""Inbound webhooks: the WMS's order notifications and sales platforms' order webhooks (raw stored first)."""

from __future__ import annotations

import hmac
from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import FromPath

from connectors import ConnectorContext, connector_class
from connectors.base import Deduplicator, Expander
from router import metrics
from router.api.auth import Rt
from router.api.intake import read_body
from router.api.schemas import OrderAccepted
from router.db import transaction, wrap_db_errors
from router.delivery import FETCH_JOB
from router.domain import InboxState, Source
from router.errors import AuthenticationFailed, InputError, NotFound
from router.fanback import source_lane
from router.ingest import problem_of
from router.outbox import Priority, enqueue
from router.sql import queries
from router.store.inbox import InboxStore

__all__ = ["HookController"]


class WmsHook(msgspec.Struct, frozen=True):
    """The part of Ongoing's order or article-stock webhook the router needs; the rest is read back."""

    orderNumber: str | None = None  # noqa: N815 - Ongoing's field name (order webhooks)
    orderId: int | None = None  # noqa: N815 - Ongoing's field name
    articleNumber: str | None = None  # noqa: N815 - Ongoing's field name (article stock webhooks)


_wms_hook = msgspec.json.Decoder(WmsHook)


class HookController(Controller):
    """`/hooks`: authenticated by a shared secret (WMS) or the platform's signature (sources)."""

    path = "/hooks"
    tags = ["webhooks"]  # noqa: RUF012 - litestar reads it as a class attribute

    @post("/wms", status_code=202, summary="Ongoing WMS order webhook (X-Webhook-Secret)")
    async def wms(self, request: Request[Any, Any, Any], rt: Rt) -> dict[str, Any]:
        """Store the notification, then read that order from the WMS in the lane (the poll is the backstop)."""
        body = await read_body(request, rt.settings.http.max_body_bytes)
        inbox_id = await rt.inbox.store(source_id=None, channel="wms", headers=dict(request.headers), body=body)
        expected = rt.settings.fanback.webhook_secret
        presented = request.headers.get("x-webhook-secret", "")
        if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
            await _finish(rt, inbox_id, InboxState.REJECTED, {"code": "unauthorized", "detail": "bad webhook secret"})
            raise AuthenticationFailed("the WMS webhook secret is missing or wrong")
        try:
            hook = _wms_hook.decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            hook = WmsHook()
            problem = str(exc)
        else:
            problem = "" if hook.orderNumber or hook.articleNumber else "neither an order nor an article webhook"
        if problem:
            error = InputError(problem, field="orderNumber")
            await _finish(rt, inbox_id, InboxState.REJECTED, {"code": error.code, "detail": error.message})
            raise error
        if not hook.orderNumber:
            await _stock_changed(rt, inbox_id, str(hook.articleNumber))
            return {"accepted": True}
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
        """Store, verify on the exact bytes; then ingest (once per delivery key), or queue the fetch it refers to."""
        try:
            owner = await rt.sources.get(source)
        except NotFound:
            # The same answer as a known source with a bad signature: webhooks do not reveal source names.
            raise AuthenticationFailed("the webhook signature does not match the body") from None
        body = await read_body(request, rt.settings.http.max_body_bytes)
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
        if isinstance(connector, Expander):
            return await _expand(rt, owner, connector, inbox_id=inbox_id, body=body, headers=headers)
        claimed = None
        if isinstance(connector, Deduplicator):
            claimed = await _claim_delivery(rt, owner, connector, inbox_id=inbox_id, body=body, headers=headers)
            if claimed is None:
                return OrderAccepted(
                    outcome="duplicate",
                    source_order_number=None,
                    wms_order_number=None,
                    revision=None,
                    inbox_id=inbox_id,
                )
        try:
            result = await rt.ingestor.process(owner, inbox_id=inbox_id, headers=headers, body=body)
        except InputError:
            raise  # kept as rejected; the same delivery again is a duplicate of a rejection
        except BaseException:
            if claimed is not None:  # not processed: the platform's retry must be, so forget the key
                with wrap_db_errors():
                    await rt.pool.execute(queries["release_pulled_item"], owner.id, claimed, inbox_id)
            raise
        metrics.INBOX_PAYLOADS.labels(owner.name, "accepted").inc()
        metrics.ORDERS_INGESTED.labels(owner.name, result.outcome).inc()
        return OrderAccepted(
            outcome=result.outcome,
            source_order_number=result.source_order_number,
            wms_order_number=result.wms_order_number,
            revision=result.revision,
            inbox_id=inbox_id,
        )


async def _claim_delivery(
    rt: Any, owner: Source, connector: Deduplicator, *, inbox_id: int, body: bytes, headers: dict[str, str]
) -> str | None:
    """Remember this delivery's key; None (and the payload kept as ignored) when it was seen before."""
    try:
        key = f"hook:{connector.dedup_key(body, headers)}"
    except InputError as exc:
        await _finish(rt, inbox_id, InboxState.REJECTED, problem_of(exc))
        metrics.INBOX_PAYLOADS.labels(owner.name, "rejected").inc()
        raise
    async with transaction(rt.pool) as conn:
        if await conn.fetchval(queries["claim_pulled_item"], owner.id, key, inbox_id) is not None:
            return key
        await InboxStore.finish(conn, inbox_id, InboxState.IGNORED, error={"detail": f"duplicate delivery {key}"})
    metrics.INBOX_PAYLOADS.labels(owner.name, "ignored").inc()
    return None


async def _expand(
    rt: Any, owner: Source, connector: Expander, *, inbox_id: int, body: bytes, headers: dict[str, str]
) -> OrderAccepted:
    """A reference-only webhook: queue fetching what it points to on the source's lane, answer at once."""
    try:
        references = list(connector.references(body, headers))
    except InputError as exc:
        await _finish(rt, inbox_id, InboxState.REJECTED, problem_of(exc))
        metrics.INBOX_PAYLOADS.labels(owner.name, "rejected").inc()
        raise
    if not references:
        await _finish(rt, inbox_id, InboxState.IGNORED, {"detail": "the webhook refers to nothing imported"})
        return OrderAccepted(
            outcome="ignored", source_order_number=None, wms_order_number=None, revision=None, inbox_id=inbox_id
        )
    async with transaction(rt.pool) as conn:
        await enqueue(
            conn,
            lane=source_lane(owner.id),
            kind=FETCH_JOB,
            priority=Priority.ORDER,
            idempotency_key=f"fetch:{inbox_id}",
            payload={"references": references, "inbox_id": inbox_id},
        )
        await InboxStore.finish(conn, inbox_id, InboxState.ACCEPTED)
    metrics.INBOX_PAYLOADS.labels(owner.name, "accepted").inc()
    return OrderAccepted(
        outcome="fetch_queued", source_order_number=None, wms_order_number=None, revision=None, inbox_id=inbox_id
    )


async def _stock_changed(rt: Any, inbox_id: int, article_number: str) -> None:
    """Stock of an article changed in the WMS: read it in the lane (batched, after orders)."""
    async with transaction(rt.pool) as conn:
        await enqueue(
            conn,
            lane=rt.wms_lane,
            kind="stock.read",
            priority=Priority.STOCK,
            idempotency_key=f"hook:{inbox_id}",
            payload={"articles": [article_number]},
        )
        await InboxStore.finish(conn, inbox_id, InboxState.ACCEPTED)


async def _verify(connector: Any, enabled: bool, body: bytes, headers: dict[str, str]) -> None:
    if not enabled:
        raise AuthenticationFailed("the source is disabled")
    await connector.verify(body, headers)


async def _finish(rt: Any, inbox_id: int, state: InboxState, error: dict[str, Any]) -> None:
    async with transaction(rt.pool) as conn:
        await InboxStore.finish(conn, inbox_id, state, error=error)
