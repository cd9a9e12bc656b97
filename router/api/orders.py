"""Source endpoints: push an order (generic connector) and read order status, each source its own only."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter

from router import metrics
from router.api.auth import Rt, require_source
from router.api.intake import pushed_body
from router.api.schemas import CancelAccepted, EventOut, OrderAccepted, OrderDetail, OrderOut, Page
from router.db import MAX_ID
from router.errors import InputError

__all__ = ["OrderController"]


class OrderController(Controller):
    """`/api/sources/{source}/orders`: that source's key or the admin's."""

    path = "/api/sources/{source:str}/orders"
    tags = ["orders"]  # noqa: RUF012 - litestar reads it as a class attribute

    @post(
        "/",
        status_code=202,
        summary="Push an order as canonical JSON",
        description=(
            "The raw body is stored first, then validated. A bad field gives 422 problem+json naming it and "
            "the payload stays stored as rejected. The same order twice yields one order (outcome "
            "`duplicate`); a changed order replaces it (outcome `replaced`)."
        ),
    )
    async def push(self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str]) -> OrderAccepted:
        """Accept one order from this source."""
        owner, body = await pushed_body(request, rt, source)
        try:
            result = await rt.ingestor.receive(owner, channel="orders", headers=dict(request.headers), body=body)
        except InputError:
            metrics.INBOX_PAYLOADS.labels(owner.name, "rejected").inc()
            raise
        metrics.INBOX_PAYLOADS.labels(owner.name, "accepted").inc()
        metrics.ORDERS_INGESTED.labels(owner.name, result.outcome).inc()
        return OrderAccepted(
            outcome=result.outcome,
            source_order_number=result.source_order_number,
            wms_order_number=result.wms_order_number,
            revision=result.revision,
            inbox_id=result.inbox_id,
        )

    @get("/", summary="This source's orders, newest first")
    async def list_orders(
        self,
        request: Request[Any, Any, Any],
        rt: Rt,
        source: FromPath[str],
        *,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        before: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="cursor from next_before")] = None,
        state_filter: Annotated[str | None, QueryParameter(name="state", max_length=20)] = None,
    ) -> Page:
        """A page of orders."""
        owner = await require_source(request, rt, source)
        rows = await rt.orders.list_for_source(owner.id, before=before, state=state_filter, limit=limit)
        items = [OrderOut.of(r) for r in rows]
        return Page(items=items, next_before=rows[-1]["id"] if len(rows) == limit else None)

    @get("/{number:str}", summary="One order (by the source's number or its WMS number) with its events")
    async def read(
        self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str], number: FromPath[str]
    ) -> OrderDetail:
        """An order of this source with the events delivered to it; another source's order is 404."""
        owner = await require_source(request, rt, source)
        row = await rt.orders.get_for_source(owner.id, number)
        events = [EventOut.of(e) for e in await rt.orders.events(row["id"])]
        return OrderDetail(order=OrderOut.of(row), events=events)

    @post(
        "/{number:str}/cancel",
        status_code=202,
        summary="Ask to cancel an order",
        description=(
            "Cancellations go first in the WMS lane. While the warehouse has not started, the order is cancelled "
            "in the WMS (status 1000) and the source receives `cancelled`; once picking has started or it has "
            "shipped, the source receives `rejected` with the reason and the order is shown as a conflict."
        ),
    )
    async def cancel(
        self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str], number: FromPath[str]
    ) -> CancelAccepted:
        """Queue the cancellation decision."""
        owner = await require_source(request, rt, source)
        row = await rt.orders.get_for_source(owner.id, number)
        state = await rt.orders.request_cancel(row["id"], wms_lane=rt.wms_lane)
        return CancelAccepted(
            source_order_number=row["source_order_number"],
            wms_order_number=row["wms_order_number"],
            state=state,
            cancel_requested=state not in {"cancelled", "conflict"},
        )
