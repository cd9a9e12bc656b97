"""Works the source lanes: delivers warehouse events to the owning source, fetches what webhooks refer to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import asyncpg
import httpx
import structlog

from connectors.base import Expander
from router import metrics
from router.claimloop import ClaimLoop
from router.domain import Source
from router.errors import FatalUpstreamError, RetriableUpstreamError, RouterError
from router.eventdelivery import ORDER_EVENTS, EventDelivery
from router.ingest import Ingestor
from router.outbox import Job, backoff_delay
from router.pull import store_and_ingest
from router.settings import OutboxSettings
from router.store.sources import SourceStore

__all__ = ["DELIVER_JOB", "FETCH_JOB", "DeliveryWorker"]

log = structlog.get_logger(__name__)

DELIVER_JOB = "event.deliver"
"""Deliver one `order_events` row to its source (payload: `event_id`)."""
FETCH_JOB = "source.fetch"
"""Fetch what a reference-only webhook points to, store and ingest it (payload: `references`, `inbox_id`)."""


class DeliveryWorker(ClaimLoop):
    """Claims the jobs of every source lane (several at once, one order's events in order), by kind.

    `event.deliver` hands an event to the connector's `report()`; `source.fetch` asks an `Expander`
    connector for the documents a webhook referred to and stores and ingests each once (`store_and_ingest`).
    """

    name = "delivery"
    lane_prefix = "source:"
    claim_query = "claim_delivery"
    next_due_query = "next_delivery_due"

    def __init__(
        self,
        *,
        dsn: str,
        pool: asyncpg.Pool,
        sources: SourceStore,
        http: httpx.AsyncClient,
        wms_lane: str,
        settings: OutboxSettings,
        concurrency: int,
        ingestor: Ingestor | None = None,
    ) -> None:
        super().__init__(dsn=dsn, pool=pool, settings=settings, concurrency=concurrency)
        self.sources = sources
        self.http = http
        self.wms_lane = wms_lane
        self.ingestor = ingestor or Ingestor(pool, wms_lane=wms_lane)
        self.deliver = EventDelivery(
            ORDER_EVENTS, pool=pool, sources=sources, http=http, wms_lane=wms_lane, settings=settings
        )
        self.handlers: Mapping[str, Callable[[Job], Awaitable[None]]] = {
            DELIVER_JOB: self.deliver,
            FETCH_JOB: self.fetch,
        }

    async def handle(self, job: Job) -> None:
        """Run the job's handler; a kind this process does not know is a dead letter (never retried blindly)."""
        handler = self.handlers.get(job.kind)
        if handler is None:
            await self.outbox.bury(job.id, f"no handler for jobs of kind {job.kind!r} on source lanes")
            metrics.DEAD_LETTERS.labels(job.kind).inc()
            log.warning("delivery.unknown_job_kind", job_id=job.id, kind=job.kind)
            return
        await handler(job)

    async def fetch(self, job: Job) -> None:
        """Fetch each reference of a stored webhook; store every document raw and ingest it once."""
        source_id = int(job.lane.removeprefix(self.lane_prefix))
        references = [str(r) for r in job.payload.get("references", [])]
        try:
            source = await self.sources.get_by_id(source_id)
            connector = await self._expander(source)
            stored = 0
            for reference in references:
                for item in await connector.fetch(reference):
                    stored += await store_and_ingest(self.pool, self.ingestor, source, item, channel="fetch") != "seen"
        except FatalUpstreamError as exc:
            await self._job_failed(job, f"source refused: {exc.message}", permanent=True)
            return
        except RouterError as exc:  # upstream down or throttled, database trouble: the schedule retries
            after = exc.retry_after if isinstance(exc, RetriableUpstreamError) else None
            await self._job_failed(job, f"{exc.code}: {exc.message}", permanent=False, after=after)
            return
        except Exception as exc:
            log.exception("fetch.unexpected_error", job_id=job.id)
            await self._job_failed(job, f"internal error: {type(exc).__name__}", permanent=False)
            return
        await self.outbox.finish(job.id)
        log.info("fetch.done", source=source.name, references=len(references), stored=stored)

    async def _job_failed(self, job: Job, error: str, *, permanent: bool, after: float | None = None) -> None:
        if permanent or job.attempts >= self.settings.max_attempts:
            await self.outbox.bury(job.id, error)
            metrics.DEAD_LETTERS.labels(job.kind).inc()
            log.warning("fetch.dead_letter", job_id=job.id, error=error, attempts=job.attempts)
            return
        delay = backoff_delay(job.attempts, base=self.settings.backoff_base, cap=self.settings.backoff_cap)
        await self.outbox.retry_later(job.id, max(delay, after or 0.0), error)
        log.info("fetch.retry", job_id=job.id, attempt=job.attempts, error=error)

    async def _expander(self, source: Source) -> Expander:
        connector = await self.sources.connector(source, self.http)
        if not isinstance(connector, Expander):
            raise FatalUpstreamError(f"sources of kind {source.kind!r} do not fetch webhook references")
        return connector
