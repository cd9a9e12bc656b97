"""`/api/stock/{article}` (admin): the ledger's view of one article, and the forensics of its shortages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, cast

import asyncpg
from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter

from router.api.auth import Rt, require_admin
from router.db import wrap_db_errors
from router.errors import NotFound
from router.sql import queries

__all__ = ["StockController"]


def _plain(value: object) -> object:
    """JSON-friendly: quantities as numbers (integers when whole), times as ISO 8601."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _row(row: asyncpg.Record | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: _plain(v) for k, v in dict(row).items()}


class StockController(Controller):
    """`/api/stock`."""

    path = "/api/stock"
    tags = ["stock"]  # noqa: RUF012 - litestar reads it as a class attribute

    @get("/{article:str}", summary="One article: snapshot, open reservations, available, what each source was told")
    async def article(
        self,
        request: Request[Any, Any, Any],
        rt: Rt,
        article: FromPath[str],
        shortages: Annotated[int, QueryParameter(ge=0, le=200)] = 20,
    ) -> dict[str, Any]:
        """The ledger's figures for `article`, with the forensics of its most recent short orders."""
        await require_admin(request, rt)
        with wrap_db_errors():
            async with rt.pool.acquire() as conn:
                stock = await conn.fetchrow(queries["stock_of_article"], article)
                if stock is None:
                    raise NotFound(f"the ledger knows no article {article!r}")
                reservations = await conn.fetch(queries["open_reservations_of_article"], article)
                targets = await conn.fetch(queries["targets_of_article"], article)
                short_rows = await conn.fetch(queries["shortages_of_article"], article, shortages)
                forensics = []
                for short in short_rows:
                    told = await conn.fetch(queries["told_before"], article, short["created_at"])
                    forensics.append({**(_row(short) or {}), "sources_told": [_row(t) for t in told]})
        body = {
            "article_number": article,
            "known": stock["known"],
            "available": stock["available"],
            "sellable": stock["sellable"],
            "held": stock["held"],
            "placed": stock["placed"],
            "version": stock["version"],
            "snapshot": None
            if stock["read_started_at"] is None
            else {
                "sellable": stock["snapshot_sellable"],
                "on_hand": stock["on_hand"],
                "read_started_at": stock["read_started_at"].isoformat(),
                "read_kind": stock["read_kind"],
                "applied_at": stock["applied_at"].isoformat(),
                "age_seconds": stock["snapshot_age_seconds"],
            },
            "reservations": [_row(r) for r in reservations],
            "sources": [_row(t) for t in targets],
            "shortages": forensics,
        }
        return cast("dict[str, Any]", _plain(body))
