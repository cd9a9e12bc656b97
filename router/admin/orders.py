"""Orders per source in the admin view: WMS number, state and WMS status, and one order's event timeline."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from router.admin.pages import page
from router.admin.session import Rt, require_admin
from router.db import MAX_ID

__all__ = ["OrdersController"]


class OrdersController(Controller):
    """`/admin/orders`."""

    path = "/orders"

    @get("/")
    async def orders(
        self,
        request: Request[Any, Any, Any],
        rt: Rt,
        source: Annotated[str | None, QueryParameter(name="source", max_length=63)] = None,
        before: Annotated[int | None, QueryParameter(name="before", ge=1, le=MAX_ID)] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=500)] = 50,
    ) -> Template:
        """A source's orders, newest first (the first source when none is chosen)."""
        from router.api.schemas import OrderOut  # noqa: PLC0415 - router.api imports this package

        session = await require_admin(request, rt)
        sources = await rt.sources.list()
        chosen = await rt.sources.get(source) if source else (sources[0] if sources else None)
        rows = (
            [] if chosen is None else await rt.orders.list_for_source(chosen.id, before=before, state=None, limit=limit)
        )
        return page(
            session,
            "orders.html",
            nav="orders",
            sources=sources,
            chosen=chosen,
            orders=[OrderOut.of(r) for r in rows],
            next_before=rows[-1]["id"] if len(rows) == limit else None,
        )

    @get("/{source:str}/{number:str}")
    async def order(
        self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str], number: FromPath[str]
    ) -> Template:
        """One order (by the source's number or its WMS number) with every event told to its source."""
        from router.api.schemas import EventOut, OrderOut  # noqa: PLC0415 - router.api imports this package

        session = await require_admin(request, rt)
        owner = await rt.sources.get(source)
        row = await rt.orders.get_for_source(owner.id, number)
        events = [EventOut.of(e) for e in await rt.orders.events(row["id"])]
        return page(session, "order.html", nav="orders", order=OrderOut.of(row), events=events)
