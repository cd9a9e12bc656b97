"""The `router` command: serve, migrate, sources, replay, reconcile, stock sync, backfill, sandbox."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import msgspec
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from router.errors import InputError, RouterError
from router.logs import configure_logging
from router.settings import Settings, get_settings

if TYPE_CHECKING:
    import asyncpg

    from router.reconcile import Report
    from router.runtime import Runtime

__all__ = ["backfill_cursor", "main", "one_line"]

console = Console(stderr=True)
EXIT_ERROR = 2
EXIT_DIFFERENCES = 1
LOCK_POLL_SECONDS = 0.5


def _since(text: str) -> dt.datetime:
    """`2026-02-17` or an ISO datetime; without an offset it is UTC."""
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date or ISO datetime: {text!r}") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="router", description="Multi-source order router for Ongoing WMS.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API and the workers (embedded PostgreSQL without a DSN)")
    serve.add_argument("--host", help="listen address (ROUTER_HOST)")
    serve.add_argument("--port", type=int, help="listen port (ROUTER_PORT)")
    serve.add_argument("--no-workers", action="store_true", help="API only")
    sub.add_parser("migrate", help="apply the database migrations and exit")
    sources = sub.add_parser("sources", help="manage sources").add_subparsers(dest="action", required=True)
    add = sources.add_parser("add", help="register a source and print its API key once")
    add.add_argument("name")
    add.add_argument("--kind", default="generic")
    add.add_argument("--suffix", required=True)
    add.add_argument("--order-type", default="B2C")
    add.add_argument("--settings", default="{}", help="JSON object")
    sources.add_parser("list", help="list sources")
    disable = sources.add_parser("disable", help="disable a source")
    disable.add_argument("name")
    replay = sub.add_parser("replay", help="replay dead letters: by id, or --all (optionally of one --kind)")
    replay.add_argument("ids", nargs="*", type=int)
    replay.add_argument("--all", action="store_true", help="every dead letter")
    replay.add_argument("--kind", help="with --all: only this job kind (order.send, event.deliver, stock.push, ...)")
    reconcile = sub.add_parser(
        "reconcile", help="compare sources' last stock, the ledger and the WMS; exit 1 on errors"
    )
    reconcile.add_argument("--json", action="store_true", help="print the differences as JSON")
    stock = sub.add_parser("stock", help="stock in the ledger").add_subparsers(dest="action", required=True)
    sync = stock.add_parser("sync", help="read all stock from the WMS now (holds the WMS lane)")
    sync.add_argument("--wait", type=float, default=0.0, help="seconds to wait for the WMS lane to be free")
    backfill = sub.add_parser("backfill", help="pull a pull source again from a date")
    backfill.add_argument("source")
    backfill.add_argument("--since", type=_since, required=True, help="date or ISO datetime (UTC unless given)")
    sandbox = sub.add_parser("sandbox", help="the router with every simulator and sample sources, for a first look")
    sandbox.add_argument("--duration", type=float, help="seconds to run (default: until Ctrl-C)")
    sandbox.add_argument("--rate", type=float, default=12.0, help="orders per minute across all sources")
    sandbox.add_argument("--data-dir", help="keep the database here (default: a throwaway temp directory)")
    sandbox.add_argument("--port", type=int, default=0, help="router port (default: any free one)")
    return parser


def _with(settings: Settings, *, host: str | None, port: int | None) -> Settings:
    http = settings.http
    http = dataclasses.replace(http, host=host) if host else http
    http = dataclasses.replace(http, port=port) if port is not None else http
    return dataclasses.replace(settings, http=http)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _summary(title: str, **counts: object) -> None:
    """The end summary: one line on stdout, `title: key n, key n`."""
    parts = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items())
    sys.stdout.write(f"{title}: {parts}\n")


@contextlib.asynccontextmanager
async def _runtime(settings: Settings) -> AsyncIterator[Runtime]:
    from router.runtime import Runtime  # noqa: PLC0415 - heavy imports only for commands that need them

    stack = contextlib.AsyncExitStack()
    try:
        rt = await stack.enter_async_context(Runtime.open(settings))
    except RouterError:
        raise
    except Exception as exc:  # OSError from the driver, or SQLAlchemy's wrapper of it from the migrations
        raise RouterError(f"cannot connect to the database: {one_line(exc)}") from exc
    async with stack:
        yield rt


async def _sources(args: argparse.Namespace, settings: Settings) -> None:
    from router.naming import normalize_suffix  # noqa: PLC0415
    from router.store.sources import SourceChanges  # noqa: PLC0415

    async with _runtime(settings) as rt:
        if args.action == "add":
            from router.sourcerules import check_source  # noqa: PLC0415

            try:
                source_settings = json.loads(args.settings)
            except json.JSONDecodeError as exc:
                raise InputError(f"--settings is not JSON: {exc}", field="settings") from None
            check_source(args.kind, source_settings)
            source, key = await rt.sources.create(
                name=args.name,
                kind=args.kind,
                suffix=normalize_suffix(args.suffix),
                order_type=args.order_type,
                is_article_master=False,
                settings=source_settings,
                credentials=None,
            )
            console.print(f"source [bold]{source.name}[/] suffix {source.suffix}; API key (shown once):")
            sys.stdout.write(f"{key}\n")
        elif args.action == "list":
            table = Table("name", "kind", "suffix", "order type", "master", "enabled", "credentials")
            for s in await rt.sources.list():
                master = "yes" if s.is_article_master else ""
                creds = "set" if s.has_credentials else ""
                table.add_row(s.name, s.kind, s.suffix, s.order_type, master, str(s.enabled), creds)
            Console().print(table)
        else:
            await rt.sources.change(args.name, SourceChanges(enabled=False))
            console.print(f"source {args.name} disabled")


async def _dead_letter_ids(rt: Runtime, kind: str | None) -> list[int]:
    ids: list[int] = []
    before: int | None = None
    while rows := await rt.outbox.dead_letters(before=before, limit=500):
        ids.extend(r["id"] for r in rows if kind is None or r["kind"] == kind)
        before = rows[-1]["id"]
    return sorted(ids)


async def _replay(args: argparse.Namespace, settings: Settings) -> None:
    from router.errors import NotReplayable  # noqa: PLC0415

    if not args.ids and not args.all:
        raise RouterError("name dead letters by id, or give --all")
    if args.kind and not args.all:
        raise RouterError("--kind works with --all")
    async with _runtime(settings) as rt:
        ids = await _dead_letter_ids(rt, args.kind) if args.all else list(args.ids)
        replayed = skipped = 0
        with _progress() as progress:
            task = progress.add_task("replaying dead letters", total=len(ids))
            for job_id in ids:
                try:
                    await rt.outbox.replay(job_id)
                    replayed += 1
                except NotReplayable as exc:  # replayed meanwhile by someone else, or not dead at all
                    if not args.all:
                        raise
                    console.print(f"skipped: {exc.message}")
                    skipped += 1
                progress.advance(task)
        _summary("replay", dead_letters=len(ids), replayed=replayed, skipped=skipped)


async def _reconcile(args: argparse.Namespace, settings: Settings) -> int:
    from router.reconcile import reconcile  # noqa: PLC0415

    async with _runtime(settings) as rt, _wms(settings) as wms:
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
    with _progress() as progress:
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
    _summary("reconcile", articles=report.articles, sources=report.sources, errors=len(report.errors), pending=pending)


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


async def _stock_sync(args: argparse.Namespace, settings: Settings) -> None:
    """The lane's own full read (`StockSync.full`), run here while holding the goods owner's lane lock.

    Holding the lane is what keeps every WMS call of a goods owner sequential across router processes, so
    this waits (`--wait`) for the lane rather than reading beside a running router that holds it.
    """
    from router.sql import queries  # noqa: PLC0415
    from router.stocksync import StockSync  # noqa: PLC0415

    async with _runtime(settings) as rt:
        total = await rt.pool.fetchval(queries["count_snapshots"])
        busy = (
            f"the WMS lane {rt.wms_lane} is held by a running router, which reads all stock every "
            f"{settings.ledger.full_sync_seconds:g} s (ROUTER_LEDGER_FULL_SYNC_SECONDS); stop it or give --wait"
        )
        async with (
            _advisory(rt.dsn, queries["try_lane_lock"], rt.wms_lane, wait=args.wait, busy=busy),
            _wms(settings) as wms,
        ):
            with _progress() as progress:
                task = progress.add_task("reading stock from the WMS", total=total or None)
                counted = _CountingLines(wms, lambda: progress.advance(task))
                changed = await StockSync(rt.pool, counted, settings.ledger).full()  # type: ignore[arg-type]
        _summary("stock sync", articles_read=counted.lines, available_changed=len(changed))


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


async def _backfill(args: argparse.Namespace, settings: Settings) -> None:
    from connectors import connector_class  # noqa: PLC0415
    from connectors.base import Puller  # noqa: PLC0415
    from router.pull import MAX_PAGES_PER_ROUND, PullWorker  # noqa: PLC0415
    from router.sql import queries  # noqa: PLC0415

    async with _runtime(settings) as rt:
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
            with _progress() as progress:
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
        _summary("backfill", pages=pages, documents=documents, new=stored, already_seen=seen, rejected=rejected)


def one_line(exc: BaseException) -> str:
    """An error as one line for stderr: a RouterError's message, an unreachable database, or the exception."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, RouterError):
        cause = exc.__cause__
        if isinstance(cause, OSError):
            return f"{exc.message} ({_os_error(cause)})"
        return exc.message
    if isinstance(exc, OSError):
        return _os_error(exc)
    orig = getattr(exc, "orig", None)  # SQLAlchemy (migrations) wraps the driver's error
    if isinstance(orig, BaseException):
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        return f"database: {first}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _os_error(exc: OSError) -> str:
    text = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, ConnectionRefusedError) and "refused" not in text.lower():
        return f"connection refused ({text})"
    return text


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run on uvloop where it is installed (a third less CPU per request), else on asyncio's loop."""
    try:
        import uvloop  # noqa: PLC0415
    except ImportError:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    result: int | None = 0
    if args.command == "serve":
        from router.service import serve  # noqa: PLC0415

        settings = _with(settings, host=args.host, port=args.port)
        if args.no_workers:
            settings = dataclasses.replace(settings, run_workers=False)
        _run(serve(settings))
    elif args.command == "migrate":

        async def _migrate() -> None:
            async with _runtime(settings):
                console.print("database is at the newest revision")

        _run(_migrate())
    elif args.command == "sandbox":
        from router.sandbox import SandboxOptions, run_sandbox  # noqa: PLC0415

        options = SandboxOptions(duration=args.duration, rate=args.rate, data_dir=args.data_dir, port=args.port)
        result = _run(run_sandbox(options))
    else:
        commands: dict[str, Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int | None]]] = {
            "sources": _sources,
            "replay": _replay,
            "reconcile": _reconcile,
            "stock": _stock_sync,
            "backfill": _backfill,
        }
        result = _run(commands[args.command](args, settings))
    return result or 0


def main(argv: Sequence[str] | None = None, *, settings: Settings | None = None) -> int:
    """Entry point of the `router` console script; errors are one line on stderr and exit code 2."""
    args = _parser().parse_args(argv)
    try:
        settings = settings or get_settings()
        configure_logging(settings.log_level)
        return _dispatch(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the CLI's promise: one clear line, never a traceback
        console.print(f"[red]error:[/] {escape(one_line(exc))}", highlight=False, soft_wrap=True)
        return EXIT_ERROR
