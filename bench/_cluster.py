"""Router processes (`python -m router serve`) on one PostgreSQL, for the benchmarks and tests/acceptance alike."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from simulators.testing import eventually

ADMIN_KEY = "adm_router-key"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
HOOK_SECRET = "router-hook-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def inherited_env() -> dict[str, str]:
    """This process's environment without any ROUTER_* variable (a child router reads only what it is given)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ROUTER_")}


def base_env(dsn: str) -> dict[str, str]:
    """What every router process needs: its database, the admin key and a fresh secret key."""
    return inherited_env() | {
        "ROUTER_DATABASE_URL": dsn,
        "ROUTER_ADMIN_KEY": ADMIN_KEY,
        "ROUTER_SECRET_KEY": Fernet.generate_key().decode(),
    }


def wms_env(url: str, user: str, password: str, goods_owner: str) -> dict[str, str]:
    """The ROUTER_WMS_* connection variables for the Ongoing WMS (simulator) at `url`."""
    return {
        "ROUTER_WMS_URL": url,
        "ROUTER_WMS_USERNAME": user,
        "ROUTER_WMS_PASSWORD": password,
        "ROUTER_WMS_GOODS_OWNER": goods_owner,
    }


class RouterProcess:
    """One `router serve` subprocess on a fixed port (a restart comes back on the same address).

    Its output goes to `log`, or without one stdout is dropped and stderr kept in a pipe.
    """

    def __init__(self, env: dict[str, str], log: Path | None = None, *, port: int | None = None) -> None:
        self.port = port or free_port()
        self.env = dict(env, ROUTER_PORT=str(self.port))
        self.log = log
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> RouterProcess:
        with contextlib.ExitStack() as stack:
            out = stack.enter_context(self.log.open("ab")) if self.log else subprocess.DEVNULL
            err = subprocess.STDOUT if self.log else subprocess.PIPE
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "router", "serve"], env=self.env, stdout=out, stderr=err
            )
        return self

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

    def output(self) -> str:
        """The end of what the process wrote (from a pipe only once it has exited)."""
        if self.log is not None:
            return self.log.read_text(errors="replace")[-4000:]
        if self.proc is not None and self.proc.stderr is not None and not self.alive:
            return self.proc.stderr.read().decode(errors="replace")[-4000:]
        return ""

    async def healthy(self, timeout: float = 60.0) -> None:
        """Wait until the process answers /healthz (it migrates first); fail at once if it exits."""

        async def probe() -> bool:
            if not self.alive:
                code = self.proc.returncode if self.proc is not None else None
                raise RuntimeError(f"router on {self.port} exited with {code}:\n{self.output()}")
            try:
                async with httpx.AsyncClient(timeout=1) as client:
                    return (await client.get(f"{self.url}/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(probe, timeout=timeout, interval=0.05, what=f"router on {self.port} healthy")


async def register(
    url: str,
    name: str,
    suffix: str,
    *,
    order_type: str = "B2C",
    callback_url: str | None = None,
    callback_secret: str | None = None,
) -> str:
    """Register a generic source as the admin (with a callback when given); its API key."""
    body: dict[str, object] = {"name": name, "kind": "generic", "suffix": suffix, "order_type": order_type}
    if callback_url is not None:
        body |= {"settings": {"callback_url": callback_url}, "credentials": {"callback_secret": callback_secret}}
    async with httpx.AsyncClient(base_url=url, headers=ADMIN, timeout=10) as admin:
        response = await admin.post("/api/sources", json=body)
    if response.status_code != 201:
        raise RuntimeError(f"registering {name} answered {response.status_code}: {response.text}")
    key: str = response.json()["api_key"]
    return key


def router_env(dsn: str, wms: dict[str, str], *, wms_timeout: float = 1.0) -> dict[str, str]:
    """The environment every router process of a chaos or scale run shares (one secret key, as credentials are shared).

    `wms` holds the ROUTER_WMS_* connection variables; anything in it overrides the defaults here.
    """
    env = base_env(dsn)
    env.update(
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
