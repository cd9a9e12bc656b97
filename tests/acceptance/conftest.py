"""Acceptance fixtures: the real router as a subprocess (`python -m router serve`), driven only over HTTP."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench._cluster import RouterProcess, base_env, wms_env
from simulators.ongoing_wms import OngoingWmsSimulator

USER, PASSWORD, GOODS_OWNER = "WSI-acc", "acc-password", "GO1"


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        sim.add_article("A-1", stock=1000)
        yield sim


@pytest.fixture
def router_env(db_dsn: str, wms: OngoingWmsSimulator) -> dict[str, str]:
    return (
        base_env(db_dsn)
        | wms_env(wms.url, USER, PASSWORD, GOODS_OWNER)
        | {
            "ROUTER_WMS_TIMEOUT": "60",
            "ROUTER_WMS_STRICT_XML": "true",
            "ROUTER_OUTBOX_SWEEP_SECONDS": "0.2",
            "ROUTER_OUTBOX_BACKOFF_BASE": "0.01",
            "ROUTER_OUTBOX_BACKOFF_CAP": "0.1",
            "ROUTER_LOG_LEVEL": "info",
            "ROUTER_FANBACK_POLL_SECONDS": "0.3",
            "ROUTER_FANBACK_OVERLAP_SECONDS": "5",
        }
    )


@pytest.fixture
def spawn(router_env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Start router processes (each on its own port); all are stopped at the end."""
    started: list[RouterProcess] = []

    def start(port: int | None = None) -> RouterProcess:
        proc = RouterProcess(router_env, tmp_path / f"router-{len(started)}.log", port=port).start()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        for proc in started:
            sys.stderr.write(f"--- {proc.log}\n{proc.output()}\n")


@pytest.fixture
def healthy() -> Callable[[RouterProcess], Awaitable[None]]:
    """Wait until a process answers /healthz (it migrates first); fail at once if it exits."""
    return lambda proc: proc.healthy(timeout=30.0)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep the call report on the item so `spawn` can show router logs of a failed test."""
    report = yield
    if call.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
