"""Article master data in the admin view: which source is the master, switching it, and updates with their fate."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from router.admin.pages import admin_form, page, see_other
from router.admin.session import Rt, require_admin
from router.errors import InputError
from router.store.articles import ArticleStore

__all__ = ["ArticlesController"]


class ArticlesController(Controller):
    """`/admin/articles`."""

    path = "/articles"

    @get("/")
    async def articles(
        self,
        request: Request[Any, Any, Any],
        rt: Rt,
        source: Annotated[str | None, QueryParameter(name="source", max_length=63)] = None,
        switched: Annotated[str | None, QueryParameter(name="switched", max_length=63)] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=500)] = 50,
    ) -> Template:
        """The master (clearly marked), the switch, and the newest article updates of any or one source."""
        session = await require_admin(request, rt)
        sources = await rt.sources.list()
        updates = await ArticleStore(rt.pool).recent(limit=limit, source=source or None)
        return page(
            session,
            "articles.html",
            nav="articles",
            sources=sources,
            master=next((s for s in sources if s.is_article_master), None),
            updates=updates,
            chosen=source or "",
            switched=switched,
        )

    @post("/master")
    async def switch_master(self, request: Request[Any, Any, Any], rt: Rt) -> Redirect:
        """Make the chosen source the one article master (the old one stops being it, in one transaction)."""
        _, form = await admin_form(request, rt)
        name = form.get("source", "").strip()
        if not name:
            raise InputError("choose the source that becomes the article master", field="source")
        master = await rt.sources.set_article_master(name)
        return see_other(f"/admin/articles?switched={quote(master.name)}")
