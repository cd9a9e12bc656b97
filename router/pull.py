"""Polls every pull source (24SevenOffice, Omnium's safety net, shop reconciliation): one holder per source."""

from __future__ import annotations

import contextlib

import anyio
import asyncpg
import httpx
import msgspec
import structlog

from connectors import connector_class
from connectors.base import Puller
from router.db import transaction, wrap_db_errors
from router.domain import InboxState, PulledPayload, Source
from router.errors import InputError, RouterError
from router.ingest import Ingestor
from router.sql import queries
from router.store.inbox import InboxStore
from router.store.sources import SourceStore

__all__ = ["PullResult", "PullWorker", "store_and_ingest"]

log = structlog.get_logger(__name__)

DEFAULT_INTERVAL = 60.0
MAX_PAGES_PER_ROUND = 50


class PullResult(msgspec.Struct, frozen=True, kw_only=True):
    """What one pull round of a source brought."""

    pages: int
    documents: int
    stored: int
    rejected: int


class PullWorker:
    """Every enabled source whose connector is a Puller is pulled on `settings.poll_interval_seconds`.

    Across router processes one holder pulls a source at a time (an advisory lock held for the round).
    Each document is stored raw in the inbox before it is normalized; documents already stored (an overlap
    re-read) are skipped by their external id; the cursor advances only after its page is stored, so a
    failing page is pulled again from the old cursor.
    """

    def __init__(
        self,
        *,
        dsn: str,
        pool: asyncpg.Pool,
        sources: SourceStore,
        ingestor: Ingestor,
        http: httpx.AsyncClient,
        tick: float,
    ) -> None:
        self.dsn = dsn
        self.pool = pool
        self.sources = sources
        self.ingestor = ingestor
        self.http = http
        self.tick = tick
        self._due: dict[int, float] = {}

    async def run(self) -> None:
        """Pull due sources until cancelled."""
        while True:
            try:
                await self._round()
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, RouterError) as exc:
                log.warning("pull.round_failed", error=type(exc).__name__)
            await anyio.sleep(self.tick)

    async def _round(self) -> None:
        now = anyio.current_time()
        for source in await self.sources.list():
            if not source.enabled or not issubclass(connector_class(source.kind), Puller):
                continue
            if self._due.get(source.id, 0.0) > now:
                continue
            self._due[source.id] = now + _interval(source)
            conn: asyncpg.Connection = await asyncpg.connect(self.dsn)
            try:
                if not await conn.fetchval(queries["try_source_lock"], source.id):
                    continue  # another process is pulling it
                try:
                    await self.pull_source(source)
                except RouterError as exc:  # upstream down, bad credentials: try again next interval
                    log.warning("pull.failed", source=source.name, error=exc.message)
                finally:
                    await conn.fetchval(queries["source_unlock"], source.id)
            finally:
                with contextlib.suppress(Exception):
                    await conn.close(timeout=2)

    async def pull_source(self, source: Source) -> PullResult:
        """Pull pages until the connector has no more (bounded per round); store and ingest each document."""
        connector = await self.sources.connector(source, self.http)
        if not isinstance(connector, Puller):
            msg = f"sources of kind {source.kind!r} are not pulled"
            raise RouterError(msg)
        pages = documents = stored = rejected = 0
        for _ in range(MAX_PAGES_PER_ROUND):
            with wrap_db_errors():
                cursor = await self.pool.fetchval(queries["get_pull_cursor"], source.id)
            page = await connector.pull(cursor)
            pages += 1
            documents += len(page.items)
            for item in page.items:
                outcome = await self._store(source, item.external_id, item.body, item.headers)
                stored += outcome != "seen"
                rejected += outcome == "rejected"
            with wrap_db_errors():
                await self.pool.execute(queries["set_pull_cursor"], source.id, page.cursor)
            if not page.more:
                break
        if stored:
            log.info("pull.stored", source=source.name, pages=pages, documents=documents, stored=stored)
        return PullResult(pages=pages, documents=documents, stored=stored, rejected=rejected)

    async def _store(self, source: Source, external_id: str, body: bytes, headers: dict[str, str]) -> str:
        item = PulledPayload(external_id=external_id, body=body, headers=headers)
        return await store_and_ingest(self.pool, self.ingestor, source, item, channel="pull")


async def store_and_ingest(
    pool: asyncpg.Pool, ingestor: Ingestor, source: Source, item: PulledPayload, *, channel: str
) -> str:
    """Store one fetched document raw and ingest it, once per (source, external id).

    Returns `seen` (stored before: an overlapping read, a duplicated event), `rejected` (kept in the inbox
    with the reason, replayable) or `stored`. Shared by the pull poller and the webhook fetch jobs.
    """
    with wrap_db_errors():
        if await pool.fetchval(queries["pulled_before"], source.id, item.external_id):
            return "seen"
    inbox_id = await ingestor.inbox.store(source_id=source.id, channel=channel, headers=item.headers, body=item.body)
    async with transaction(pool) as conn:
        if await conn.fetchval(queries["claim_pulled_item"], source.id, item.external_id, inbox_id) is None:
            detail = {"detail": f"{item.external_id} was stored by another read at the same time"}
            await InboxStore.finish(conn, inbox_id, InboxState.IGNORED, error=detail)
            return "seen"
    try:
        await ingestor.process(source, inbox_id=inbox_id, headers=item.headers, body=item.body)
    except InputError:
        return "rejected"
    return "stored"


def _interval(source: Source) -> float:
    value = source.settings.get("poll_interval_seconds", DEFAULT_INTERVAL)
    return float(value) if isinstance(value, (int, float)) and value > 0 else DEFAULT_INTERVAL
