"""The router processes of a chaos or scale run: `python -m router serve` subprocesses on one PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from bench._harness import free_port
from simulators.testing import eventually

ADMIN_KEY = "adm_chaos-key"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
HOOK_SECRET = "chaos-hook-secret"


class RouterProcess:
    """One `router serve` subprocess on a fixed port (a restart comes back on the same address)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.env = dict(env, ROUTER_PORT=str(self.port))
        self.log = log
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "router", "serve"], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    async def healthy(self, timeout: float = 60.0) -> None:
        async def probe() -> bool:
            if not self.alive:
                tail = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"router on {self.port} exited:\n{tail}")
            try:
                async with httpx.AsyncClient(timeout=1) as client:
                    return (await client.get(f"{self.url}/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(probe, timeout=timeout, interval=0.05, what=f"router on {self.port} healthy")


def router_env(dsn: str, wms: dict[str, str], *, wms_timeout: float = 1.0) -> dict[str, str]:
    """The environment every router process of a run shares (one secret key, as credentials are shared).

    `wms` holds the ROUTER_WMS_* connection variables; anything in it overrides the defaults here.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROUTER_")}
    env.update(
        ROUTER_DATABASE_URL=dsn,
        ROUTER_ADMIN_KEY=ADMIN_KEY,
        ROUTER_SECRET_KEY=Fernet.generate_key().decode(),
        ROUTER_WMS_TIMEOUT=str(wms_timeout),
        ROUTER_WMS_STRICT_XML="true",
        ROUTER_WMS_WEBHOOK_SECRET=HOOK_SECRET,
        ROUTER_DB_POOL_MAX="8",
        ROUTER_LOG_LEVEL="warning",
        ROUTER_OUTBOX_SWEEP_SECONDS="0.2",
        ROUTER_OUTBOX_BACKOFF_BASE="0.02",
        ROUTER_OUTBOX_BACKOFF_CAP="0.3",
        ROUTER_OUTBOX_LEASE_SECONDS="15",
        ROUTER_FANBACK_POLL_SECONDS="0.5",
        ROUTER_FANBACK_OVERLAP_SECONDS="5",
        ROUTER_FANBACK_RECONCILE_EVERY="5",
        ROUTER_LEDGER_FULL_SYNC_SECONDS="2",
        ROUTER_LEDGER_DELTA_SYNC_SECONDS="1",
        ROUTER_LEDGER_DELTA_OVERLAP_SECONDS="5",
        ROUTER_LEDGER_SETTLE_SKEW_SECONDS="0.3",
    )
    env.update(wms)
    return env


class Cluster:
    """The router processes of a run, and the clients' view of them (any live one will do)."""

    def __init__(self, env: dict[str, str], count: int, log_dir: Path) -> None:
        self.procs = [RouterProcess(env, log_dir / f"router-{i}.log") for i in range(count)]

    async def start(self) -> None:
        for proc in self.procs:
            proc.start()
        for proc in self.procs:
            await proc.healthy()

    def live_urls(self) -> list[str]:
        return [p.url for p in self.procs if p.alive] or [p.url for p in self.procs]

    def stop(self) -> None:
        for proc in self.procs:
            proc.stop()
