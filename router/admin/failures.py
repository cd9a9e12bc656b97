"""What went wrong or was set aside: dead letters with their replay, and foreign WMS orders counted."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template

from router.admin.pages import admin_form, page, see_other
from router.admin.session import Rt, require_admin
from router.db import MAX_ID

__all__ = ["FailuresController"]


class FailuresController(Controller):
    """`/admin/dead-letters`, `/admin/foreign`."""

    path = "/"

    @get("/dead-letters")
    async def dead_letters(
        self,
        request: Request[Any, Any, Any],
        rt: Rt,
        before: Annotated[int | None, QueryParameter(name="before", ge=1, le=MAX_ID)] = None,
        replayed: Annotated[int | None, QueryParameter(name="replayed", ge=1)] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=500)] = 50,
    ) -> Template:
        """Failed deliveries, newest first, each with a replay button."""
        session = await require_admin(request, rt)
        rows = await rt.outbox.dead_letters(before=before, limit=limit)
        return page(
            session,
            "dead_letters.html",
            nav="dead",
            dead=rows,
            replayed=replayed,
            next_before=rows[-1]["id"] if len(rows) == limit else None,
        )

    @post("/dead-letters/{dead_letter_id:int}/replay")
    async def replay(
        self, request: Request[Any, Any, Any], rt: Rt, dead_letter_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)]
    ) -> Redirect:
        """Pending again with attempts from zero (after its cause was fixed)."""
        await admin_form(request, rt)
        job = await rt.outbox.replay(dead_letter_id)
        return see_other(f"/admin/dead-letters?replayed={job.id}")

    @get("/foreign")
    async def foreign(
        self,
        request: Request[Any, Any, Any],
        rt: Rt,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=500)] = 50,
    ) -> Template:
        """WMS orders the router did not create: counted, never delivered."""
        session = await require_admin(request, rt)
        summary, recent = await rt.orders.foreign(limit)
        return page(session, "foreign.html", nav="foreign", summary=summary, recent=recent)
