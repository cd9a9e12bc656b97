"""`router serve`: the API and the workers in one process; any number of such processes share one database."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import anyio
import structlog
import uvicorn
from anyio.abc import TaskStatus

from router.api import create_app
from router.delivery import DeliveryWorker
from router.dispatch import WmsDispatcher
from router.lane import LaneWorker, Periodic
from router.podelivery import PurchaseDelivery
from router.pull import PullWorker
from router.runtime import Runtime
from router.settings import Settings
from router.stockpush import StockPushWorker
from router.wms.client import WmsClient

__all__ = ["run_router", "run_wms_lane", "run_workers", "serve"]

log = structlog.get_logger(__name__)


class _Server(uvicorn.Server):
    """uvicorn, optionally without taking over the process's signal handlers (embedded use)."""

    def __init__(self, config: uvicorn.Config, *, install_signal_handlers: bool) -> None:
        super().__init__(config)
        self._install = install_signal_handlers

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if self._install:
            with super().capture_signals():
                yield
        else:
            yield


async def run_workers(rt: Runtime) -> None:
    """Event delivery, pulling from pull sources, stock pushes, and the WMS lane (when configured)."""
    delivery = DeliveryWorker(
        dsn=rt.dsn,
        pool=rt.pool,
        sources=rt.sources,
        http=rt.http,
        wms_lane=rt.wms_lane,
        settings=rt.settings.outbox,
        concurrency=rt.settings.fanback.delivery_concurrency,
    )
    puller = PullWorker(
        dsn=rt.dsn,
        pool=rt.pool,
        sources=rt.sources,
        ingestor=rt.ingestor,
        http=rt.http,
        tick=min(1.0, rt.settings.outbox.sweep_seconds),
    )
    po_delivery = PurchaseDelivery(
        dsn=rt.dsn,
        pool=rt.pool,
        sources=rt.sources,
        http=rt.http,
        wms_lane=rt.wms_lane,
        settings=rt.settings.outbox,
        concurrency=1,
    )
    async with anyio.create_task_group() as tg:
        tg.start_soon(delivery.run)
        tg.start_soon(po_delivery.run)
        tg.start_soon(puller.run)
        tg.start_soon(run_wms_lane, rt)
        if rt.settings.ledger.sync_enabled:
            pusher = StockPushWorker(
                dsn=rt.dsn,
                pool=rt.pool,
                sources=rt.sources,
                http=rt.http,
                settings=rt.settings.outbox,
                concurrency=rt.settings.ledger.push_concurrency,
            )
            tg.start_soon(pusher.run)


async def run_wms_lane(rt: Runtime) -> None:
    """Hold the WMS lane when this process can: dispatch, cancellations, reads, and the periodic poll."""
    wms_settings = rt.settings.wms
    if not wms_settings.url:
        log.warning("workers.no_wms", hint="set ROUTER_WMS_URL to dispatch orders")
        return
    wms = await WmsClient.open(
        url=wms_settings.url,
        username=wms_settings.username,
        password=wms_settings.password,
        goods_owner_code=wms_settings.goods_owner_code,
        timeout=wms_settings.timeout,
        strict_xml=wms_settings.strict_xml,
    )
    rt.wms = wms
    try:
        dispatcher = WmsDispatcher(
            rt.pool,
            wms,
            wms_settings=wms_settings,
            outbox_settings=rt.settings.outbox,
            fanback_settings=rt.settings.fanback,
            ledger_settings=rt.settings.ledger,
        )
        poll = Periodic("wms.poll", rt.settings.fanback.poll_seconds, dispatcher.reader.poll)
        periodic = [poll]
        poll_seconds = rt.settings.fanback.poll_seconds
        periodic += [dispatcher.purchasing.periodic(poll_seconds), dispatcher.articles.periodic(poll_seconds)]
        if rt.settings.ledger.sync_enabled:
            periodic += dispatcher.stock.periodic()
        worker = LaneWorker(
            dsn=rt.dsn,
            pool=rt.pool,
            lane=rt.wms_lane,
            handler=dispatcher.handle,
            periodic=periodic,
            lease_seconds=rt.settings.outbox.lease_seconds,
            sweep_seconds=rt.settings.outbox.sweep_seconds,
        )
        await worker.run()
    finally:
        rt.wms = None
        with contextlib.suppress(Exception):
            await wms.aclose()


async def run_router(
    rt: Runtime,
    *,
    sock: socket.socket | None = None,
    install_signal_handlers: bool = True,
    stop: anyio.Event | None = None,
    task_status: TaskStatus[str] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Serve HTTP (on `sock`, or host:port from the settings) and run the workers until shut down.

    Shutdown comes from SIGINT/SIGTERM (when the handlers are installed) or from `stop` being set; the
    HTTP server drains, then the workers are cancelled.
    """
    settings = rt.settings
    if sock is None:
        sock = socket.create_server((settings.http.host, settings.http.port))
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        # Accepted connections inherit this: without it a response's body waits ~40 ms behind its headers
        # (Nagle against the client's delayed ACK).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    host, port = sock.getsockname()[:2]
    url = f"http://{host}:{port}"
    config = uvicorn.Config(create_app(rt), log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    server = _Server(config, install_signal_handlers=install_signal_handlers)

    async with anyio.create_task_group() as tg:

        async def http() -> None:
            await server.serve([sock])
            tg.cancel_scope.cancel()  # HTTP has stopped: stop the workers too

        async def stopper(event: anyio.Event) -> None:
            await event.wait()
            server.should_exit = True

        if settings.run_workers:
            tg.start_soon(run_workers, rt)
        if stop is not None:
            tg.start_soon(stopper, stop)
        tg.start_soon(http)
        while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
            await anyio.sleep(0.01)
        log.info("router.serving", url=url)
        task_status.started(url)


async def serve(settings: Settings) -> None:
    """Open the runtime, serve HTTP and run the workers until SIGINT/SIGTERM."""
    async with Runtime.open(settings) as rt:
        await run_router(rt)
