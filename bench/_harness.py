"""Shared benchmark plumbing: a PostgreSQL server, migrated databases, router subprocesses."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from cryptography.fernet import Fernet

from router import migrate
from router.pg import start_embedded, with_database

ADMIN_KEY = "adm_bench-key"


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Router:
    """A `router serve` subprocess."""

    def __init__(self, dsn: str, *, wms: dict[str, str] | None = None, workers: bool = True) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROUTER_")}
        env.update(
            ROUTER_DATABASE_URL=dsn,
            ROUTER_ADMIN_KEY=ADMIN_KEY,
            ROUTER_SECRET_KEY=Fernet.generate_key().decode(),
            ROUTER_PORT=str(self.port),
            ROUTER_LOG_LEVEL="warning",
            ROUTER_DB_POOL_MAX="20",
            ROUTER_RUN_WORKERS="true" if workers else "false",
            ROUTER_OUTBOX_SWEEP_SECONDS="0.5",
        )
        env.update(wms or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "router", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    async def ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=1) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode() if self.proc.stderr else "router exited")
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise TimeoutError("router did not start")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def register(url: str, name: str, suffix: str) -> str:
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as admin:
        response = await admin.post(
            "/api/sources", json={"name": name, "kind": "generic", "suffix": suffix, "order_type": "B2C"}
        )
        response.raise_for_status()
        key: str = response.json()["api_key"]
        return key
