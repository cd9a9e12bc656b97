"""Article update repository: what each source sent as article master data and what became of it."""

from __future__ import annotations

import datetime as dt

import asyncpg
import msgspec

from router.db import wrap_db_errors
from router.errors import ConflictError
from router.sql import queries

__all__ = ["MASTER_CONSTRAINT", "ArticleMasterTaken", "ArticleStore", "ArticleUpdateRecord"]

MASTER_CONSTRAINT = "sources_one_article_master"
"""The partial unique index allowing at most one article master."""


class ArticleMasterTaken(ConflictError):
    """Another source is the article master; change the master with PUT /api/articles/master."""

    code = "article_master_taken"


class ArticleUpdateRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One article update as received from a source, with its fate (pending, sent, ignored, failed)."""

    source: str
    article_number: str
    fate: str
    reason: str | None
    received_at: dt.datetime
    sent_at: dt.datetime | None


class ArticleStore:
    """Article updates in PostgreSQL."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def recent(self, *, limit: int = 50, source: str | None = None) -> list[ArticleUpdateRecord]:
        """The newest article updates (of one source, by name, when given), newest first."""
        with wrap_db_errors():
            rows = await self.pool.fetch(queries["recent_article_updates"], source, limit)
        return [
            ArticleUpdateRecord(
                source=r["source"],
                article_number=r["article_number"],
                fate=r["fate"],
                reason=r["reason"],
                received_at=r["received_at"],
                sent_at=r["sent_at"],
            )
            for r in rows
        ]
