"""Article master data endpoints: who is master, switching it, and article updates pushed by a source."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from router import articles
from router.api.auth import Rt, require_admin
from router.api.intake import pushed_body
from router.db import wrap_db_errors
from router.sql import queries
from router.store.articles import ArticleStore, ArticleUpdateRecord

__all__ = ["ArticleMasterController", "SourceArticleController"]


class MasterIn(msgspec.Struct, frozen=True, kw_only=True):
    """Which source becomes the article master."""

    source: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class MasterOut(msgspec.Struct, frozen=True, kw_only=True):
    """The article master (None: no source is) and each source's recent article updates with their fate."""

    master: str | None
    master_kind: str | None
    updates: dict[str, list[ArticleUpdateRecord]]


class ArticleAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """What became of a pushed article update: `pending` (queued for the WMS) or `ignored` with the reason."""

    article_number: str | None
    fate: str
    reason: str | None
    inbox_id: int
    received_at: dt.datetime | None = None


async def _master(rt: Any, per_source: int) -> MasterOut:
    with wrap_db_errors():
        master = await rt.pool.fetchrow(queries["get_article_master"])
    store = ArticleStore(rt.pool)
    updates = {s.name: await store.recent(limit=per_source, source=s.name) for s in await rt.sources.list()}
    return MasterOut(
        master=None if master is None else master["name"],
        master_kind=None if master is None else master["kind"],
        updates={name: found for name, found in updates.items() if found},
    )


class ArticleMasterController(Controller):
    """`/api/articles/master`: admin only."""

    path = "/api/articles/master"
    tags = ["articles"]  # noqa: RUF012 - litestar reads it as a class attribute

    @get("/", summary="The article master and recent article updates per source")
    async def read(
        self,
        request: Request[Any, Any, Any],
        rt: Rt,
        *,
        limit: Annotated[int, QueryParameter(ge=1, le=500, description="updates per source")] = 20,
    ) -> MasterOut:
        """Which source is master, and each source's newest updates (sent, ignored, failed, pending)."""
        await require_admin(request, rt)
        return await _master(rt, limit)

    @put(
        "/",
        summary="Make a source the article master",
        description="Atomic: the previous master stops being one in the same transaction; never two masters.",
    )
    async def switch(self, request: Request[Any, Any, Any], rt: Rt, data: JSONBody[MasterIn]) -> MasterOut:
        """Switch the article master."""
        await require_admin(request, rt)
        await rt.sources.set_article_master(data.source)
        return await _master(rt, 20)


class SourceArticleController(Controller):
    """`/api/sources/{source}/articles`: that source's key or the admin's."""

    path = "/api/sources/{source:str}/articles"
    tags = ["articles"]  # noqa: RUF012 - litestar reads it as a class attribute

    @post(
        "/",
        status_code=202,
        summary="Push an article update (generic JSON)",
        description=(
            "Stored raw first. From the article master it is sent to the WMS (`ProcessArticle`, after orders); "
            "from any other source it is kept with fate `ignored: not master`. `active: false` or `deleted: true` "
            "makes the article inactive in the WMS and clears its barcode. A bad field gives 422 naming it."
        ),
    )
    async def push(self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str]) -> ArticleAccepted:
        """Accept one article update from this source."""
        owner, body = await pushed_body(request, rt, source)
        result = await rt.ingestor.receive(owner, channel=articles.CHANNEL, headers=dict(request.headers), body=body)
        with wrap_db_errors():
            row = await rt.pool.fetchrow(queries["article_update_of_inbox"], result.inbox_id)
        if row is None:  # the connector found nothing to keep (Ignored)
            return ArticleAccepted(article_number=None, fate="ignored", reason=None, inbox_id=result.inbox_id)
        return ArticleAccepted(
            article_number=row["article_number"],
            fate=row["fate"],
            reason=row["reason"],
            inbox_id=result.inbox_id,
            received_at=row["received_at"],
        )
