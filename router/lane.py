"""A lane: one holder at a time across all router processes, woken by LISTEN/NOTIFY, with a sweep as fallback."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

import anyio
import asyncpg
import structlog

from router.outbox import CHANNEL, Job, Outbox
from router.sql import queries

__all__ = ["LaneWorker", "Periodic"]

log = structlog.get_logger(__name__)

Handler = Callable[[Job], Awaitable[None]]


class Periodic:
    """Work the lane holder does every `interval` seconds between jobs (e.g. the WMS poll)."""

    def __init__(self, name: str, interval: float, run: Callable[[], Awaitable[object]]) -> None:
        self.name = name
        self.interval = interval
        self.run = run
        self.due = 0.0  # monotonic time; 0 runs it as soon as the lane is held


class LaneWorker:
    """Runs the rows of one lane strictly one at a time, in priority order, in whichever process holds it.

    The holder keeps a session-level advisory lock on a dedicated connection; if the process dies, the
    server drops the session and another process takes the lane over. Rows leased by the dead session
    are free at once (the claim checks `pg_stat_activity`).
    """

    def __init__(
        self,
        *,
        dsn: str,
        pool: asyncpg.Pool,
        lane: str,
        handler: Handler,
        lease_seconds: float,
        sweep_seconds: float,
        periodic: list[Periodic] | None = None,
    ) -> None:
        self.dsn = dsn
        self.outbox = Outbox(pool)
        self.lane = lane
        self.handler = handler
        self.lease_seconds = lease_seconds
        self.sweep_seconds = sweep_seconds
        self._wake = anyio.Event()
        self.holding = False
        self.periodic = periodic or []

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if payload == self.lane:
            self._wake.set()

    async def run(self) -> None:
        """Hold the lane and work it until cancelled; reconnect after database trouble."""
        while True:
            try:
                await self._run_once()
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                self.holding = False
                log.warning("lane.connection_lost", lane=self.lane, error=type(exc).__name__)
                await anyio.sleep(min(self.sweep_seconds, 2.0))

    async def _run_once(self) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(self.dsn)
        try:
            await conn.add_listener(CHANNEL, self._on_notify)
            pid = conn.get_server_pid()
            while not await conn.fetchval(queries["try_lane_lock"], self.lane):
                await self._wait(self.sweep_seconds)
            self.holding = True
            log.info("lane.acquired", lane=self.lane, backend_pid=pid)
            while True:
                self._wake = anyio.Event()
                await self._run_periodic()
                while job := await self.outbox.claim(self.lane, lease_seconds=self.lease_seconds, holder_pid=pid):
                    await self.handler(job)
                    await self._run_periodic()
                due = await conn.fetchval(queries["next_due"], self.lane)
                wait = self.sweep_seconds if due is None else max(0.0, min(due, self.sweep_seconds))
                if self.periodic:
                    wait = min(wait, max(0.0, min(p.due for p in self.periodic) - anyio.current_time()))
                await self._wait(wait)
        finally:
            self.holding = False
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)

    async def _run_periodic(self) -> None:
        for task in self.periodic:
            if anyio.current_time() >= task.due:
                task.due = anyio.current_time() + task.interval
                try:
                    await task.run()
                except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    raise
                except Exception:
                    log.exception("lane.periodic_failed", lane=self.lane, task=task.name)

    async def _wait(self, seconds: float) -> None:
        with anyio.move_on_after(seconds):
            await self._wake.wait()
        self._wake = anyio.Event()
