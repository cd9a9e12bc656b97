"""Shared benchmark plumbing: a PostgreSQL server, migrated databases, router subprocesses, the WMS and a source."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from bench._cluster import HOOK_SECRET, RouterProcess, base_env, register, wms_env
from router import migrate
from router.pg import start_embedded, with_database
from simulators.callback import CallbackReceiver
from simulators.ongoing_wms import OngoingWmsSimulator

USER, PASSWORD, GOODS_OWNER = "u", "p", "GO"

T = TypeVar("T")


class Postgres:
    """ROUTER_BENCH_DSN, or an embedded server in a temporary directory."""

    def __init__(self) -> None:
        self.dsn = os.environ.get("ROUTER_BENCH_DSN")
        self._server: Any = None
        self._dir: str | None = None
        if not self.dsn:
            self._dir = tempfile.mkdtemp(prefix="router-bench-")
            self.dsn, self._server = start_embedded(Path(self._dir))

    @property
    def bin_dir(self) -> Path:
        """Where pgbench lives (pgserver ships it)."""
        import pgserver

        return Path(pgserver.__file__).parent / "pginstall" / "bin"

    async def new_database(self) -> str:
        assert self.dsn
        name = f"bench_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(self.dsn)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        dsn = with_database(self.dsn, name)
        await asyncio.to_thread(migrate.upgrade, dsn)
        return dsn

    def close(self) -> None:
        if self._server is not None:
            self._server.cleanup()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)


class Router(RouterProcess):
    """A `router serve` subprocess, started at once (stdout dropped, stderr kept in a pipe)."""

    def __init__(self, dsn: str, *, wms: dict[str, str] | None = None, workers: bool = True) -> None:
        env = base_env(dsn) | {
            "ROUTER_LOG_LEVEL": "warning",
            "ROUTER_DB_POOL_MAX": "20",
            "ROUTER_RUN_WORKERS": "true" if workers else "false",
            "ROUTER_OUTBOX_SWEEP_SECONDS": "0.5",
        }
        super().__init__(env | (wms or {}))
        self.start()

    async def ready(self, timeout: float = 30) -> None:
        await self.healthy(timeout)


def bench_wms() -> OngoingWmsSimulator:
    """The Ongoing WMS simulator every benchmark runs against."""
    return OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER)


def bench_wms_env(sim: OngoingWmsSimulator, **extra: str) -> dict[str, str]:
    """The router's variables for `bench_wms()`'s simulator, and `extra` ROUTER_* variables."""
    return wms_env(sim.url, USER, PASSWORD, GOODS_OWNER) | extra


@dataclass(frozen=True)
class CallbackRun:
    """A router on its own database and WMS simulator, with source `se` registered to a callback receiver."""

    sim: OngoingWmsSimulator
    receiver: CallbackReceiver
    router: Router
    key: str


@contextlib.asynccontextmanager
async def callback_run(
    pg: Postgres, *, stock: int, env: dict[str, str], webhooks: bool = False, order_webhooks: bool = True
) -> AsyncIterator[CallbackRun]:
    """Article A-1 with `stock` in the WMS; with `webhooks` the WMS sends its webhooks to /hooks/wms."""
    dsn = await pg.new_database()
    with bench_wms() as sim, CallbackReceiver({"se": "cb"}) as receiver:
        sim.add_article("A-1", stock=stock)
        router = Router(dsn, wms=bench_wms_env(sim, ROUTER_WMS_WEBHOOK_SECRET=HOOK_SECRET, **env))
        try:
            await router.ready()
            if webhooks:
                hook = f"{router.url}/hooks/wms"
                sim.webhooks.configure(hook, headers={"X-Webhook-Secret": HOOK_SECRET}, orders=order_webhooks)
            key = await register(router.url, "se", "SE", callback_url=receiver.url_for("se"), callback_secret="cb")
            yield CallbackRun(sim, receiver, router, key)
        finally:
            router.stop()


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    """p50 and p99 of the samples."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def wait_for(probe: Callable[[], T | None], *, timeout: float = 120.0, what: str = "benchmark condition") -> T:
    """Poll `probe` every millisecond until it returns neither None nor False; what it returned."""
    deadline = time.monotonic() + timeout
    while (value := probe()) is None or value is False:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached")
        await asyncio.sleep(0.001)
    return value
