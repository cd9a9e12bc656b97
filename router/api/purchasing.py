"""Purchase-order endpoints: a source pushes its purchase orders and reads their status, each its own only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath

from router import purchasing
from router.api.auth import Rt, require_admin, require_source
from router.api.intake import pushed_body
from router.db import wrap_db_errors
from router.errors import NotFound
from router.purchasing import PurchaseAccepted
from router.sql import queries

__all__ = ["ForeignInOrderController", "PurchaseOrderController"]


class PurchaseLineOut(msgspec.Struct, frozen=True, kw_only=True):
    """One purchase-order line: advised quantity and what `received` events have reported so far."""

    line_id: str
    article_number: str
    quantity: Decimal
    received: Decimal


class PurchaseEventOut(msgspec.Struct, frozen=True, kw_only=True):
    """One `received` event and whether the source accepted it."""

    kind: str
    delivery_id: str
    state: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    attempts: int
    last_error: str | None
    lines: list[dict[str, Any]]


class PurchaseOrderOut(msgspec.Struct, frozen=True, kw_only=True):
    """A purchase order's status as its source (or the admin) sees it."""

    source: str
    number: str
    wms_number: str
    state: str
    wms_in_order_id: int | None
    wms_status: int | None
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    placed_at: dt.datetime | None
    lines: list[PurchaseLineOut]
    events: list[PurchaseEventOut]


class ForeignInOrdersOut(msgspec.Struct, frozen=True, kw_only=True):
    """Purchase orders seen in the WMS that the router did not create: ignored, only counted."""

    in_orders: int
    sightings: int
    last_seen_at: dt.datetime | None


class PurchaseOrderController(Controller):
    """`/api/sources/{source}/purchase-orders`: that source's key or the admin's."""

    path = "/api/sources/{source:str}/purchase-orders"
    tags = ["purchase orders"]  # noqa: RUF012 - litestar reads it as a class attribute

    @post(
        "/",
        status_code=202,
        summary="Push a purchase order",
        description=(
            "Stored raw first, then given the source's suffix like orders (`PO-77` of ERP becomes `PO-77-ERP`) "
            "and sent to the WMS once (`ProcessInOrder`). The same purchase order twice is outcome `duplicate`; "
            "changed content under a known number is 409. Goods received come back as `received` events."
        ),
    )
    async def push(self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str]) -> PurchaseAccepted:
        """Accept one purchase order from this source."""
        owner, body = await pushed_body(request, rt, source)
        return await purchasing.receive(rt.pool, owner, headers=dict(request.headers), body=body, lane=rt.wms_lane)

    @get("/{number:str}", summary="One purchase order (by the source's number or its WMS number)")
    async def read(
        self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str], number: FromPath[str]
    ) -> PurchaseOrderOut:
        """A purchase order of this source with its lines and events; another source's is 404."""
        owner = await require_source(request, rt, source)
        with wrap_db_errors():
            row = await rt.pool.fetchrow(queries["get_purchase_order_for_source"], owner.id, number)
            if row is None:
                raise NotFound(f"no purchase order {number!r} of source {owner.name!r}")
            lines = await rt.pool.fetch(queries["purchase_order_lines"], row["id"])
            events = await rt.pool.fetch(queries["events_of_purchase_order"], row["id"])
        return PurchaseOrderOut(
            source=row["source_name"],
            number=row["source_number"],
            wms_number=row["wms_number"],
            state=row["state"],
            wms_in_order_id=row["wms_in_order_id"],
            wms_status=row["wms_status"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            placed_at=row["placed_at"],
            lines=[
                PurchaseLineOut(
                    line_id=r["line_id"],
                    article_number=r["article_number"],
                    quantity=r["quantity"],
                    received=r["received"],
                )
                for r in lines
            ],
            events=[
                PurchaseEventOut(
                    kind=str(e["payload"].get("kind", "received")),
                    delivery_id=e["idempotency_key"],
                    state=e["state"],
                    created_at=e["created_at"],
                    delivered_at=e["delivered_at"],
                    attempts=e["attempts"],
                    last_error=e["last_error"],
                    lines=list(e["payload"].get("lines", [])),
                )
                for e in events
            ],
        )


class ForeignInOrderController(Controller):
    """`/api/purchase-orders/foreign`: admin only."""

    path = "/api/purchase-orders/foreign"
    tags = ["purchase orders"]  # noqa: RUF012 - litestar reads it as a class attribute

    @get("/", summary="Purchase orders of foreign origin seen in the WMS (ignored, counted)")
    async def summary(self, request: Request[Any, Any, Any], rt: Rt) -> ForeignInOrdersOut:
        """How many were seen and how often (once per status)."""
        await require_admin(request, rt)
        with wrap_db_errors():
            row = await rt.pool.fetchrow(queries["foreign_in_orders_summary"])
        return ForeignInOrdersOut(
            in_orders=row["in_orders"], sightings=row["sightings"], last_seen_at=row["last_seen_at"]
        )
