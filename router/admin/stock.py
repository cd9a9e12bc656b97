"""Stock in the admin view: every article the ledger knows, and one article's figures explained."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from router.admin.pages import page
from router.admin.session import Rt, require_admin
from router.db import wrap_db_errors
from router.errors import NotFound
from router.sql import queries

__all__ = ["StockController"]


class StockController(Controller):
    """`/admin/stock`."""

    path = "/stock"

    @get("/")
    async def overview(
        self,
        request: Request[Any, Any, Any],
        rt: Rt,
        after: Annotated[str | None, QueryParameter(name="from", max_length=200)] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=1000)] = 200,
    ) -> Template:
        """Available per article, with the snapshot's age and the open reservations."""
        session = await require_admin(request, rt)
        with wrap_db_errors():
            rows = await rt.pool.fetch(queries["admin_stock_overview"], after or None, limit)
        return page(session, "stock.html", nav="stock", articles=rows, start=after or "")

    @get("/{article:str}")
    async def article(self, request: Request[Any, Any, Any], rt: Rt, article: FromPath[str]) -> Template:
        """The same ledger explanation as `GET /api/stock/{article}`: snapshot, reservations, what sources were told."""
        session = await require_admin(request, rt)
        with wrap_db_errors():
            async with rt.pool.acquire() as conn:
                stock = await conn.fetchrow(queries["stock_of_article"], article)
                if stock is None:
                    raise NotFound(f"the ledger knows no article {article!r}")
                reservations = await conn.fetch(queries["open_reservations_of_article"], article)
                targets = await conn.fetch(queries["targets_of_article"], article)
                shortages = await conn.fetch(queries["shortages_of_article"], article, 20)
        return page(
            session,
            "article_stock.html",
            nav="stock",
            stock=stock,
            reservations=reservations,
            targets=targets,
            shortages=shortages,
        )
