"""`router sandbox`: the router on an embedded PostgreSQL with every simulator on loopback and orders flowing.

One command shows the whole mission: a Swedish Shopify shop (`SE`), an EU WooCommerce shop (`EU`), the
24SevenOffice ERP (`ERP`, B2B, the article master) and Omnium (`OM`) all sell from one Ongoing WMS goods
owner. Orders are placed in each upstream simulator at `--rate` per minute (webhooks for the shops, pulls
for the ERP and Omnium), the warehouse picks and ships them, and events and stock flow back.

The first line on stdout is JSON (`{"sandbox": "ready", "router": ..., "admin_key": ...}`) for scripts and
tests; the rest of what to look at goes to stderr. It stops after `--duration` seconds or on Ctrl-C/SIGTERM.
"""

from __future__ import annotations

import contextlib
import functools
import json
import secrets
import signal
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import msgspec
from anyio.abc import TaskStatus
from rich.console import Console

from router.crypto import CredentialBox, read_or_create_secret
from router.logs import configure_logging
from router.runtime import Runtime
from router.sandbox_world import GOODS_OWNER, SOURCES, World
from router.service import run_router
from router.settings import (
    DatabaseSettings,
    FanbackSettings,
    HttpSettings,
    LedgerSettings,
    OutboxSettings,
    SecuritySettings,
    Settings,
    WmsSettings,
)

__all__ = ["SandboxOptions", "run_sandbox", "sandbox_settings"]

console = Console(stderr=True, highlight=False)
WAREHOUSE_TICK = 2.0


class SandboxOptions(msgspec.Struct, frozen=True, kw_only=True):
    """What `router sandbox` was asked for."""

    duration: float | None = None
    rate: float = 12.0
    data_dir: str | None = None
    port: int = 0


@contextlib.contextmanager
def _database(data_dir: Path) -> Iterator[str]:
    """The embedded PostgreSQL under `data_dir/pg`, stopped again when the sandbox ends."""
    from router.pg import ensure_runtime_dir  # noqa: PLC0415

    ensure_runtime_dir()
    import pgserver  # noqa: PLC0415 - heavy import

    data_dir.mkdir(parents=True, exist_ok=True)
    get_server = pgserver.get_server  # type: ignore[attr-defined]  # re-exported without __all__
    server = get_server(str((data_dir / "pg").resolve()), cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


def sandbox_settings(*, dsn: str, data_dir: Path, world: World, admin_key: str, port: int) -> Settings:
    """Settings for the sandbox: the simulated WMS, quick polls and stock reads, quiet logs."""
    s = world.secrets
    secret_key, _ = read_or_create_secret(data_dir / "secret.key", CredentialBox)
    return Settings(
        database=DatabaseSettings(url=dsn, data_dir=data_dir, pool_min=1, pool_max=10),
        http=HttpSettings(host="127.0.0.1", port=port),
        security=SecuritySettings(admin_key=admin_key, secret_key=secret_key),
        wms=WmsSettings(
            url=world.wms.url,
            username=s["wms_user"],
            password=s["wms_password"],
            goods_owner_code=GOODS_OWNER,
            timeout=10.0,
        ),
        outbox=OutboxSettings(backoff_base=0.5, backoff_cap=10.0, lease_seconds=30.0, sweep_seconds=1.0),
        fanback=FanbackSettings(poll_seconds=5.0, overlap_seconds=30.0, webhook_secret=s["wms_webhook"]),
        ledger=LedgerSettings(sync_enabled=True, full_sync_seconds=60.0, delta_sync_seconds=5.0, settle_skew_seconds=1),
        log_level="warning",
    )


def _where(url: str, admin_key: str, world: World) -> dict[str, Any]:
    return {
        "sandbox": "ready",
        "router": url,
        "admin": f"{url}/admin",
        "admin_key": admin_key,
        "schema": f"{url}/schema",
        "metrics": f"{url}/metrics",
        "simulators": world.urls(),
        "sources": {name: {"kind": k, "suffix": sfx, "order_type": t} for name, (k, sfx, t) in SOURCES.items()},
    }


def _announce(where: dict[str, Any], options: SandboxOptions) -> None:
    sys.stdout.write(json.dumps(where) + "\n")
    sys.stdout.flush()
    lasting = f"for {options.duration:g} s" if options.duration else "until Ctrl-C"
    lines = [
        f"[bold]Sandbox running[/] {lasting}, {options.rate:g} orders/min across {len(SOURCES)} sources.",
        f"  router       {where['router']}",
        f"  admin        {where['admin']}   key: {where['admin_key']}",
        f"  API docs     {where['schema']}",
        f"  metrics      {where['metrics']}",
        *(f"  {name:<12} {url}" for name, url in where["simulators"].items()),
        f"  WMS orders   curl {where['simulators']['ongoing_wms']}/_sim/orders",
        "  sources      "
        + ", ".join(f"{n} ({k}, {sfx}, {t})" for n, (k, sfx, t) in SOURCES.items())
        + "; erp is the article master",
        f"  stock        curl -H 'Authorization: Bearer {where['admin_key']}' {where['router']}/api/stock/MUG-1",
    ]
    console.print("\n".join(lines), soft_wrap=True)


async def _until_signal(stop: anyio.Event) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for _ in signals:
            stop.set()
            return


async def _until_duration(stop: anyio.Event, seconds: float) -> None:
    await anyio.sleep(seconds)
    stop.set()


async def _router_until_stopped(
    rt: Runtime,
    sock: socket.socket,
    stop: anyio.Event,
    done: anyio.Event,
    *,
    task_status: TaskStatus[str] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """The router as `router serve` runs it; `done` once its HTTP has drained and its workers stopped."""
    try:
        await run_router(rt, sock=sock, install_signal_handlers=False, stop=stop, task_status=task_status)
    finally:
        done.set()


async def run_sandbox(options: SandboxOptions) -> int:
    """Run the sandbox until the duration is over or a signal arrives; print a summary; exit code 0."""
    configure_logging("warning")  # the sandbox narrates itself; warnings and errors still show
    admin_key = "adm_" + secrets.token_urlsafe(24)
    world = World()
    with contextlib.ExitStack() as stack:
        data_dir = (
            Path(options.data_dir)
            if options.data_dir
            else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="router-sandbox-")))
        )
        stack.enter_context(world.running())
        dsn = await anyio.to_thread.run_sync(lambda: stack.enter_context(_database(data_dir)))
        settings = sandbox_settings(dsn=dsn, data_dir=data_dir, world=world, admin_key=admin_key, port=options.port)
        sock = socket.create_server(("127.0.0.1", options.port))
        stop, done = anyio.Event(), anyio.Event()
        async with Runtime.open(settings) as rt, anyio.create_task_group() as tg:
            tg.start_soon(_until_signal, stop)
            url = await tg.start(functools.partial(_router_until_stopped, rt, sock, stop, done))
            headers = {"Authorization": f"Bearer {admin_key}"}
            async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as admin:
                await world.register(admin, url)
            _announce(_where(url, admin_key, world), options)
            tg.start_soon(world.drive_orders, options.rate)
            tg.start_soon(world.drive_warehouse, WAREHOUSE_TICK)
            if options.duration is not None:
                tg.start_soon(_until_duration, stop, options.duration)
            await done.wait()  # stopped by the duration, a signal, or the router ending on its own
            tg.cancel_scope.cancel()
        created = ", ".join(f"{name} {world.created[name]}" for name in SOURCES)
        in_wms = ", ".join(f"{sfx} {n}" for sfx, n in sorted(world.wms_orders_by_suffix().items()))
        sys.stdout.write(
            f"sandbox: orders placed {created}; in the WMS {in_wms or 'none'}; shipped {world.shipped()}\n"
        )
    return 0
