"""Acceptance fixtures: the real router as a subprocess (`python -m router serve`), driven only over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from simulators.ongoing_wms import OngoingWmsSimulator

ADMIN_KEY = "adm_acceptance-key"
USER, PASSWORD, GOODS_OWNER = "WSI-acc", "acc-password", "GO1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RouterProcess:
    """One `router serve` subprocess; its output goes to a log file shown when a test fails."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.url = f"http://127.0.0.1:{env['ROUTER_PORT']}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> RouterProcess:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "router", "serve"], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

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
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        sim.add_article("A-1", stock=1000)
        yield sim


@pytest.fixture
def router_env(db_dsn: str, wms: OngoingWmsSimulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROUTER_")}
    env.update(
        ROUTER_DATABASE_URL=db_dsn,
        ROUTER_ADMIN_KEY=ADMIN_KEY,
        ROUTER_SECRET_KEY=Fernet.generate_key().decode(),
        ROUTER_WMS_URL=wms.url,
        ROUTER_WMS_USERNAME=USER,
        ROUTER_WMS_PASSWORD=PASSWORD,
        ROUTER_WMS_GOODS_OWNER=GOODS_OWNER,
        ROUTER_WMS_TIMEOUT="60",
        ROUTER_WMS_STRICT_XML="true",
        ROUTER_OUTBOX_SWEEP_SECONDS="0.2",
        ROUTER_OUTBOX_BACKOFF_BASE="0.01",
        ROUTER_OUTBOX_BACKOFF_CAP="0.1",
        ROUTER_LOG_LEVEL="info",
        ROUTER_FANBACK_POLL_SECONDS="0.3",
        ROUTER_FANBACK_OVERLAP_SECONDS="5",
    )
    return env


@pytest.fixture
def spawn(router_env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Start router processes (each on its own port); all are stopped at the end."""
    started: list[RouterProcess] = []

    def start(port: int | None = None) -> RouterProcess:
        env = dict(router_env, ROUTER_PORT=str(port or free_port()))
        proc = RouterProcess(env, tmp_path / f"router-{len(started)}.log").start()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        for proc in started:
            sys.stderr.write(f"--- {proc.log.name}\n{proc.output()}\n")


async def wait_healthy(proc: RouterProcess, *, timeout: float = 30.0) -> None:
    """Wait until the process answers /healthz (it migrates first)."""
    from simulators.testing import eventually

    async def healthy() -> bool:
        assert proc.proc is not None
        if proc.proc.poll() is not None:
            msg = f"router exited with {proc.proc.returncode}:\n{proc.output()}"
            raise AssertionError(msg)
        try:
            async with httpx.AsyncClient(timeout=1) as client:
                return (await client.get(f"{proc.url}/healthz")).status_code == 200
        except httpx.TransportError:
            return False

    await eventually(healthy, timeout=timeout, interval=0.05, what="router /healthz")


@pytest.fixture
def healthy() -> Any:
    return wait_healthy


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep the call report on the item so `spawn` can show router logs of a failed test."""
    report = yield
    if call.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
