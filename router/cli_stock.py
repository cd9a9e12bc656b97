"""The CLI's long stock and pull work: `reconcile`, `stock sync` and `backfill`, with progress and summaries."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import msgspec
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from router.cli_support import EXIT_DIFFERENCES, progress_bar, runtime, summary
from router.errors import RouterError

if TYPE_CHECKING:
    import asyncpg

    from router.reconcile import Report
    from router.settings import Settings

__all__ = ["backfill_command", "backfill_cursor", "reconcile_command", "stock_sync_command"]

LOCK_POLL_SECONDS = 0.5


async def reconcile_command(args: argparse.Namespace, settings: Settings) -> int:
    """`router reconcile`: each source's last figure vs the ledger vs a fresh WMS read; 1 when errors."""
    from router.reconcile import reconcile  # noqa: PLC0415

    async with runtime(settings) as rt, _wms(settings) as wms:
        with _quiet_progress(as_json=args.json) as progress:
            task = progress.add_task("reading stock from the WMS", total=None)
            report = await reconcile(
                rt.pool, wms, page_size=settings.ledger.page_size, on_line=lambda: progress.advance(task)
            )
    if args.json:
        sys.stdout.write(msgspec.json.encode(report).decode() + "\n")
    else:
        _print_report(report)
    return EXIT_DIFFERENCES if report.errors else 0


@contextlib.contextmanager
def _quiet_progress(*, as_json: bool) -> Iterator[Progress]:
    with progress_bar() as progress:
        progress.disable = as_json
        yield progress


def _print_report(report: Report) -> None:
    table = Table("article", "source", "told", "ledger", "WMS", "difference", "verdict", title="stock differences")
    for d in report.differences:
        verdict = f"[yellow]pending[/]: {d.reason}" if d.pending else f"[red]error[/]: {d.reason}"
        cells = (d.told, d.ledger_available, d.wms_available)
        told, ledger, wms = ("" if v is None else str(v) for v in cells)
        table.add_row(d.article_number, d.source or "(ledger)", told, ledger, wms, f"{d.difference:+}", verdict)
    if report.differences:
        Console().print(table)
    pending = len(report.differences) - len(report.errors)
    summary("reconcile", articles=report.articles, sources=report.sources, errors=len(report.errors), pending=pending)


@contextlib.asynccontextmanager
async def _wms(settings: Settings) -> AsyncIterator[Any]:
    from router.wms.client import WmsClient  # noqa: PLC0415

    wms = settings.wms
    if not wms.url:
        raise RouterError("ROUTER_WMS_URL is not set: there is no WMS to read")
    client = await WmsClient.open(
        url=wms.url,
        username=wms.username,
        password=wms.password,
        goods_owner_code=wms.goods_owner_code,
        timeout=wms.timeout,
        strict_xml=wms.strict_xml,
    )
    try:
        yield client
    finally:
        await client.aclose()


@contextlib.asynccontextmanager
async def _advisory(dsn: str, query: str, arg: object, *, wait: float, busy: str) -> AsyncIterator[None]:
    """Hold a session advisory lock (try `query` until `wait` seconds passed) on a dedicated connection."""
    import anyio  # noqa: PLC0415
    import asyncpg  # noqa: PLC0415

    from router.db import wrap_db_errors  # noqa: PLC0415

    with wrap_db_errors():
        conn: asyncpg.Connection = await asyncpg.connect(dsn)
    try:
        held = bool(await conn.fetchval(query, arg))
        with anyio.move_on_after(wait):
            while not held:
                await anyio.sleep(LOCK_POLL_SECONDS)  # nothing signals a lock's release
                held = bool(await conn.fetchval(query, arg))
        if not held:
            raise RouterError(busy)
        yield
    finally:
        with contextlib.suppress(Exception):
            await conn.close(timeout=2)  # ends the session: the lock goes with it


async def stock_sync_command(args: argparse.Namespace, settings: Settings) -> None:
    """The lane's own full read (`StockSync.full`), run here while holding the goods owner's lane lock.

    Holding the lane is what keeps every WMS call of a goods owner sequential across router processes, so
    this waits (`--wait`) for the lane rather than reading beside a running router that holds it.
    """
    from router.sql import queries  # noqa: PLC0415
    from router.stocksync import StockSync  # noqa: PLC0415

    async with runtime(settings) as rt:
        total = await rt.pool.fetchval(queries["count_snapshots"])
        busy = (
            f"the WMS lane {rt.wms_lane} is held by a running router, which reads all stock every "
            f"{settings.ledger.full_sync_seconds:g} s (ROUTER_LEDGER_FULL_SYNC_SECONDS); stop it or give --wait"
        )
        async with (
            _advisory(rt.dsn, queries["try_lane_lock"], rt.wms_lane, wait=args.wait, busy=busy),
            _wms(settings) as wms,
        ):
            with progress_bar() as progress:
                task = progress.add_task("reading stock from the WMS", total=total or None)
                counted = _CountingLines(wms, lambda: progress.advance(task))
                changed = await StockSync(rt.pool, counted, settings.ledger).full()  # type: ignore[arg-type]
        summary("stock sync", articles_read=counted.lines, available_changed=len(changed))


class _CountingLines:
    """The WMS client as StockSync sees it, counting the lines of `iter_inventory` for the progress bar."""

    def __init__(self, wms: Any, tick: Callable[[], object]) -> None:
        self._wms = wms
        self._tick = tick
        self.lines = 0

    async def iter_inventory(self, **kwargs: Any) -> AsyncIterator[Any]:
        async for line in self._wms.iter_inventory(**kwargs):
            self.lines += 1
            self._tick()
            yield line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wms, name)


def backfill_cursor(kind: str, since: dt.datetime) -> str:
    """A pull cursor of `kind` that makes the next pull start at `since` (each connector's own format).

    The shop connectors re-read their usual overlap window before `since`; the router de-duplicates.
    """
    formats: dict[str, dict[str, object]] = {
        "shopify": {"high": since},
        "woocommerce": {"high": since},
        "tfso": {"v": 1, "phase": "changed", "since": since},
        "omnium": {"since": since},
    }
    if kind not in formats:
        raise RouterError(f"sources of kind {kind!r} cannot be backfilled from a date")
    return msgspec.json.encode(formats[kind]).decode()


async def backfill_command(args: argparse.Namespace, settings: Settings) -> None:
    """`router backfill SOURCE --since DATE`: pull the source again from that date, already stored skipped."""
    from connectors import connector_class  # noqa: PLC0415
    from connectors.base import Puller  # noqa: PLC0415
    from router.pull import MAX_PAGES_PER_ROUND, PullWorker  # noqa: PLC0415
    from router.sql import queries  # noqa: PLC0415

    async with runtime(settings) as rt:
        source = await rt.sources.get(args.source)
        if not issubclass(connector_class(source.kind), Puller):
            raise RouterError(
                f"source {source.name!r} ({source.kind}) is not pulled; its orders are pushed to the router"
            )
        cursor = backfill_cursor(source.kind, args.since)
        busy = f"source {source.name!r} is being pulled by a router right now; try again in a moment"
        worker = PullWorker(dsn=rt.dsn, pool=rt.pool, sources=rt.sources, ingestor=rt.ingestor, http=rt.http, tick=1)
        pages = documents = stored = rejected = 0
        async with _advisory(rt.dsn, queries["try_source_lock"], source.id, wait=30, busy=busy):
            await rt.pool.execute(queries["set_pull_cursor"], source.id, cursor)
            with progress_bar() as progress:
                task = progress.add_task(f"pulling {source.name} since {args.since:%Y-%m-%d %H:%M}", total=None)
                while True:
                    result = await worker.pull_source(source)
                    pages += result.pages
                    documents += result.documents
                    stored += result.stored
                    rejected += result.rejected
                    progress.update(task, advance=result.documents)
                    if result.pages < MAX_PAGES_PER_ROUND:
                        break
        seen = documents - stored
        summary("backfill", pages=pages, documents=documents, new=stored, already_seen=seen, rejected=rejected)
