"""Inbox repository: every payload is stored raw before it is processed, then given its fate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg

from router.db import wrap_db_errors
from router.domain import InboxState
from router.errors import NotFound
from router.sql import queries

__all__ = ["InboxStore", "safe_headers"]

# Header values that authenticate a request are never stored next to the payload.
_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "proxy-authorization"})


def safe_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers worth keeping for inspection and replay, without credentials."""
    return {k.lower(): ("<redacted>" if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}


class InboxStore:
    """Raw payloads in PostgreSQL."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def store(self, *, source_id: int | None, channel: str, headers: Mapping[str, str], body: bytes) -> int:
        """Store a payload durably in its own transaction; returns its id."""
        with wrap_db_errors():
            inbox_id: int = await self.pool.fetchval(
                queries["insert_inbox"], source_id, channel, safe_headers(headers), body
            )
        return inbox_id

    @staticmethod
    async def finish(
        conn: asyncpg.Connection,
        inbox_id: int,
        state: InboxState,
        *,
        error: dict[str, Any] | None = None,
        order_id: int | None = None,
    ) -> None:
        """Record a payload's fate (in the caller's transaction)."""
        await conn.execute(queries["finish_inbox"], inbox_id, state.value, error, order_id)

    async def get(self, inbox_id: int, *, source_id: int | None) -> asyncpg.Record:
        """One stored payload with its body; another source's payload is NotFound."""
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["get_inbox"], inbox_id)
        if row is None or (source_id is not None and row["source_id"] != source_id):
            raise NotFound(f"no stored payload {inbox_id}")
        return row

    async def list(
        self, *, source_id: int | None, state: str | None, before: int | None, limit: int
    ) -> list[asyncpg.Record]:
        """Stored payloads, newest first."""
        with wrap_db_errors():
            rows: list[asyncpg.Record] = await self.pool.fetch(queries["list_inbox"], source_id, state, before, limit)
        return rows
