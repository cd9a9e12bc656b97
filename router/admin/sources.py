"""The admin view's home: every source (master marked, credentials as set/unset) and registering a new one."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Template

from connectors import connector_kinds
from router.admin.pages import admin_form, page
from router.admin.session import AdminSession, Rt, require_admin
from router.errors import ConflictError, InputError
from router.naming import normalize_suffix
from router.runtime import Runtime
from router.sourcerules import check_source

__all__ = ["SourcesController"]

_FIELDS = ("name", "kind", "suffix", "order_type")


async def _home(
    rt: Runtime, session: AdminSession, *, status: int = 200, error: str | None = None, entered: dict[str, str]
) -> Template:
    sources = await rt.sources.list()
    dead = await rt.outbox.dead_letters(before=None, limit=100)
    summary, _ = await rt.orders.foreign(1)
    return page(
        session,
        "sources.html",
        status=status,
        nav="sources",
        sources=sources,
        master=next((s for s in sources if s.is_article_master), None),
        kinds=sorted(connector_kinds()),
        dead_letters=len(dead),
        foreign_events=summary["events_ignored"],
        error=error,
        entered=entered,
    )


class SourcesController(Controller):
    """`/admin` and `/admin/sources`."""

    path = "/"

    @get("/")
    async def home(self, request: Request[Any, Any, Any], rt: Rt) -> Template:
        """Sources with their suffix, order type, state and master flag; the registration form."""
        return await _home(rt, await require_admin(request, rt), entered={"kind": "generic"})

    @post("/sources")
    async def register(self, request: Request[Any, Any, Any], rt: Rt) -> Template:
        """Register a source; its API key is shown on the answer page, once."""
        from router.api.schemas import SourceCreate  # noqa: PLC0415 - router.api imports this package

        session, form = await admin_form(request, rt)
        entered = {k: form.get(k, "").strip() for k in _FIELDS}
        try:
            data = msgspec.convert(entered, SourceCreate)
            check_source(data.kind, {})
            source, key = await rt.sources.create(
                name=data.name,
                kind=data.kind,
                suffix=normalize_suffix(data.suffix),
                order_type=data.order_type,
                is_article_master=False,
                settings={},
                credentials=None,
            )
        except msgspec.ValidationError as exc:
            return await _home(rt, session, status=422, error=f"Not registered: {exc}", entered=entered)
        except (InputError, ConflictError) as exc:
            return await _home(rt, session, status=exc.status, error=f"Not registered: {exc.message}", entered=entered)
        return page(session, "source_created.html", status=201, nav="sources", source=source, api_key=str(key))
