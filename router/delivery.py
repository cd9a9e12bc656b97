"""Delivers warehouse events to their owning source through its connector; retries, dead letters."""

from __future__ import annotations

import contextlib
from typing import Any

import anyio
import asyncpg
import httpx
import msgspec
import structlog

from connectors import ConnectorContext, connector_class
from connectors.base import Reporter
from router import metrics
from router.db import transaction, wrap_db_errors
from router.domain import WarehouseEvent
from router.errors import FatalUpstreamError, RetriableUpstreamError
from router.outbox import CHANNEL, Job, Outbox, Priority, backoff_delay, enqueue
from router.settings import OutboxSettings
from router.sql import queries
from router.store.sources import SourceStore

__all__ = ["DeliveryWorker"]

log = structlog.get_logger(__name__)


class DeliveryWorker:
    """Claims `event.deliver` jobs of every source lane (several at once, one order's events in order)."""

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
    ) -> None:
        self.dsn = dsn
        self.pool = pool
        self.sources = sources
        self.http = http
        self.wms_lane = wms_lane
        self.settings = settings
        self.concurrency = concurrency
        self.outbox = Outbox(pool)
        self._wake = anyio.Event()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if payload.startswith("source:"):
            self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled; reconnect after database trouble."""
        while True:
            try:
                await self._run_once()
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                log.warning("delivery.connection_lost", error=type(exc).__name__)
                await anyio.sleep(min(self.settings.sweep_seconds, 2.0))

    async def _run_once(self) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(self.dsn)
        try:
            await conn.add_listener(CHANNEL, self._on_notify)
            pid = conn.get_server_pid()
            while True:
                self._wake = anyio.Event()
                async with anyio.create_task_group() as tg:
                    for _ in range(self.concurrency):
                        tg.start_soon(self._drain, pid)
                due = await conn.fetchval(queries["next_delivery_due"])
                wait = self.settings.sweep_seconds if due is None else max(0.0, min(due, self.settings.sweep_seconds))
                with anyio.move_on_after(wait):
                    await self._wake.wait()
        finally:
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)

    async def _drain(self, pid: int) -> None:
        while True:
            with wrap_db_errors():
                row = await self.pool.fetchrow(queries["claim_delivery"], self.settings.lease_seconds, pid)
            if row is None:
                return
            job = Job(
                id=row["id"],
                lane=row["lane"],
                kind=row["kind"],
                priority=row["priority"],
                order_id=row["order_id"],
                idempotency_key=row["idempotency_key"],
                payload=dict(row["payload"]),
                attempts=row["attempts"],
                last_error=row["last_error"],
            )
            await self.deliver(job)

    async def deliver(self, job: Job) -> None:
        """Hand one event to its source's connector and settle the job."""
        event_id = int(job.payload["event_id"])
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["get_event"], event_id)
        if row is None or row["state"] == "delivered":
            await self.outbox.finish(job.id)
            return
        payload: dict[str, Any] = dict(row["payload"])
        counters = payload.pop("_counters", {}) or {}
        event = msgspec.convert(payload, WarehouseEvent)
        try:
            reporter = await self._reporter(row["source_id"])
            await reporter.report(event)
        except FatalUpstreamError as exc:
            await self._failed(job, event_id, event, f"source refused: {exc.message}", permanent=True)
            return
        except RetriableUpstreamError as exc:
            await self._failed(
                job, event_id, event, f"{exc.code}: {exc.message}", permanent=False, after=exc.retry_after
            )
            return
        except Exception as exc:
            log.exception("delivery.unexpected_error", job_id=job.id)
            await self._failed(job, event_id, event, f"internal error: {type(exc).__name__}", permanent=False)
            return
        async with transaction(self.pool) as conn:
            await conn.execute(queries["mark_event_delivered"], event_id)
            await self.outbox.finish(job.id, conn)
            if counters.get("reported") or counters.get("returned"):
                await enqueue(
                    conn,
                    lane=self.wms_lane,
                    kind="wms.report_counters",
                    priority=Priority.READ,
                    idempotency_key=f"counters:{event.idempotency_key}",
                    order_id=job.order_id,
                    payload={"wms_order_number": event.wms_order_number, **counters},
                )
        metrics.EVENTS_DELIVERED.labels(event.kind.value, "delivered").inc()
        log.info("event.delivered", kind=event.kind.value, key=event.idempotency_key, source_id=row["source_id"])

    async def _reporter(self, source_id: int) -> Reporter:
        source = await self.sources.get_by_id(source_id)
        credentials = await self.sources.credentials(source.id)
        connector = connector_class(source.kind)(
            ConnectorContext(source=source, credentials=credentials, http=self.http)
        )
        if not isinstance(connector, Reporter):
            raise FatalUpstreamError(f"sources of kind {source.kind!r} cannot receive events")
        return connector

    async def _failed(
        self,
        job: Job,
        event_id: int,
        event: WarehouseEvent,
        error: str,
        *,
        permanent: bool,
        after: float | None = None,
    ) -> None:
        dead = permanent or job.attempts >= self.settings.max_attempts
        async with transaction(self.pool) as conn:
            await conn.execute(queries["mark_event_failed"], event_id, error[:2000], "dead" if dead else "pending")
            if dead:
                await self.outbox.bury(job.id, error, conn)
        if dead:
            metrics.EVENTS_DELIVERED.labels(event.kind.value, "dead_letter").inc()
            metrics.DEAD_LETTERS.labels(job.kind).inc()
            log.warning("event.dead_letter", key=event.idempotency_key, error=error, attempts=job.attempts)
            return
        delay = backoff_delay(job.attempts, base=self.settings.backoff_base, cap=self.settings.backoff_cap)
        await self.outbox.retry_later(job.id, max(delay, after or 0.0), error)
        log.info("event.retry", key=event.idempotency_key, attempt=job.attempts, error=error)
