"""ClaimLoop: workers that claim one kind of outbox job from many lanes, woken by NOTIFY, with a sweep."""

from __future__ import annotations

import abc
import contextlib
from typing import ClassVar, LiteralString

import anyio
import asyncpg
import structlog

from router.db import wrap_db_errors
from router.outbox import CHANNEL, Job, Outbox, job_of
from router.settings import OutboxSettings
from router.sql import queries

__all__ = ["ClaimLoop"]

log = structlog.get_logger(__name__)


class ClaimLoop(abc.ABC):
    """Runs `concurrency` claimers in this process; subclasses name their queries and handle each job.

    A dedicated connection LISTENs for the lanes' NOTIFY and identifies this process's leases (its backend
    pid): a lease whose session died is free at once, one whose holder is alive is never taken over.
    """

    name: ClassVar[str]
    lane_prefix: ClassVar[str]
    claim_query: ClassVar[LiteralString]
    next_due_query: ClassVar[LiteralString]

    def __init__(self, *, dsn: str, pool: asyncpg.Pool, settings: OutboxSettings, concurrency: int) -> None:
        self.dsn = dsn
        self.pool = pool
        self.settings = settings
        self.concurrency = concurrency
        self.outbox = Outbox(pool)
        self._wake = anyio.Event()

    @abc.abstractmethod
    async def handle(self, job: Job) -> None:
        """Do one claimed job and settle it (done, retry later, or dead letter)."""

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if payload.startswith(self.lane_prefix):
            self._wake.set()

    async def run(self) -> None:
        """Work until cancelled; reconnect after database trouble."""
        while True:
            try:
                await self._run_once()
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                log.warning("worker.connection_lost", worker=self.name, error=type(exc).__name__)
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
                due = await conn.fetchval(queries[self.next_due_query])
                wait = self.settings.sweep_seconds if due is None else max(0.0, min(due, self.settings.sweep_seconds))
                with anyio.move_on_after(wait):
                    await self._wake.wait()
        finally:
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)

    async def _drain(self, pid: int) -> None:
        while True:
            with wrap_db_errors():
                row = await self.pool.fetchrow(queries[self.claim_query], self.settings.lease_seconds, pid)
            if row is None:
                return
            await self.handle(job_of(row))
