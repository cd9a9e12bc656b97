"""Pushes each source the newest stock target per article through its connector's `push_stock`.

Targets are coalesced per (source, article) with a version (`router.ledger`); a push job on lane
`stock:{source_id}` only says "this source has something new". The pusher, holding the source's advisory
lock for the whole push (one pusher per source across all processes), reads the source's targets newer
than what it was told, sends those whose value differs, and records them — never an older version over a
newer one. Other unclaimed jobs of the source that the same read covered are finished with it. Failures
retry with backoff and become dead letters like every outbox row.
"""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import httpx
import structlog

from connectors.base import StockPusher
from router import metrics
from router.claimloop import ClaimLoop
from router.db import transaction
from router.domain import StockTarget
from router.errors import FatalUpstreamError, RetriableUpstreamError
from router.outbox import Job, backoff_delay
from router.settings import OutboxSettings
from router.sql import queries
from router.store.sources import SourceStore

__all__ = ["StockPushWorker", "changed_targets", "source_of_lane"]

log = structlog.get_logger(__name__)


def source_of_lane(lane: str) -> int:
    """`stock:{source_id}` → source_id."""
    return int(lane.removeprefix("stock:"))


def changed_targets(
    articles: list[str], targets: list[Decimal], versions: list[int], pushed: list[Decimal | None]
) -> tuple[list[StockTarget], list[bool]]:
    """Targets newer than what the source has, and per article whether its value must actually be sent."""
    out = [
        StockTarget(article_number=a, available=t, version=v)
        for a, t, v in zip(articles, targets, versions, strict=True)
    ]
    send = [p is None or p != t for t, p in zip(targets, pushed, strict=True)]
    return out, send


class StockPushWorker(ClaimLoop):
    """Claims `stock.push` jobs of every source (several sources at once, one push per source at a time)."""

    name = "stockpush"
    lane_prefix = "stock:"
    claim_query = "claim_stock_push"
    next_due_query = "next_stock_push_due"

    def __init__(
        self,
        *,
        dsn: str,
        pool: asyncpg.Pool,
        sources: SourceStore,
        http: httpx.AsyncClient,
        settings: OutboxSettings,
        concurrency: int,
    ) -> None:
        super().__init__(dsn=dsn, pool=pool, settings=settings, concurrency=concurrency)
        self.sources = sources
        self.http = http

    async def handle(self, job: Job) -> None:
        """Push one source's changed figures."""
        await self.push(job)

    async def push(self, job: Job) -> None:
        """Send one source what changed since it was last told, and settle the job."""
        source_id = source_of_lane(job.lane)
        try:
            await self._push(job, source_id)
        except FatalUpstreamError as exc:
            await self._failed(job, f"source refused: {exc.message}", permanent=True)
        except RetriableUpstreamError as exc:
            await self._failed(job, f"{exc.code}: {exc.message}", permanent=False, after=exc.retry_after)
        except Exception as exc:
            log.exception("stockpush.unexpected_error", job_id=job.id)
            await self._failed(job, f"internal error: {type(exc).__name__}", permanent=False)

    async def _push(self, job: Job, source_id: int) -> None:
        source = await self.sources.get_by_id(source_id)
        connector = await self.sources.connector(source, self.http)
        async with transaction(self.pool) as conn:
            await conn.execute(queries["lock_source_pushes"], source_id)
            row = await conn.fetchrow(queries["unpushed_targets"], source_id, job.lane, job.id)
            targets, send = changed_targets(row["articles"], row["targets"], row["versions"], row["pushed"])
            outgoing = [t for t, s in zip(targets, send, strict=True) if s]
            if outgoing and source.enabled:
                if not isinstance(connector, StockPusher):
                    raise FatalUpstreamError(f"sources of kind {source.kind!r} cannot receive stock")
                await connector.push_stock(outgoing)
            sent = [s and source.enabled for s in send]
            await conn.execute(
                queries["record_pushed"],
                source_id,
                [t.article_number for t in targets],
                [t.available for t in targets],
                [t.version for t in targets],
                sent,
            )
            await conn.execute(queries["finish_jobs"], [job.id, *row["covered"]])
        metrics.STOCK_PUSHES.labels("pushed" if outgoing else "unchanged").inc()
        log.info("stock.pushed", source_id=source_id, sent=len(outgoing), skipped=len(targets) - len(outgoing))

    async def _failed(self, job: Job, error: str, *, permanent: bool, after: float | None = None) -> None:
        metrics.STOCK_PUSHES.labels("failed").inc()
        if permanent or job.attempts >= self.settings.max_attempts:
            await self.outbox.bury(job.id, error)
            metrics.DEAD_LETTERS.labels(job.kind).inc()
            log.warning("stockpush.dead_letter", job_id=job.id, lane=job.lane, error=error, attempts=job.attempts)
            return
        delay = backoff_delay(job.attempts, base=self.settings.backoff_base, cap=self.settings.backoff_cap)
        await self.outbox.retry_later(job.id, max(delay, after or 0.0), error)
        log.info("stockpush.retry", job_id=job.id, attempt=job.attempts, error=error)
