"""The `router` command: serve, migrate, sources, replay, reconcile, stock sync, backfill, sandbox."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from router.cli_stock import backfill_command, backfill_cursor, reconcile_command, stock_sync_command
from router.cli_support import EXIT_ERROR, console, one_line, progress_bar, runtime, summary
from router.errors import InputError, RouterError
from router.logs import configure_logging
from router.settings import Settings, get_settings

if TYPE_CHECKING:
    from router.runtime import Runtime

__all__ = ["backfill_cursor", "main", "one_line"]


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
    admin = sub.add_parser("admin", help="the admin view").add_subparsers(dest="action", required=True)
    admin.add_parser("end-sessions", help="sign every browser out of the admin view now")
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


async def _sources(args: argparse.Namespace, settings: Settings) -> None:
    from router.naming import normalize_suffix  # noqa: PLC0415
    from router.store.sources import SourceChanges  # noqa: PLC0415

    async with runtime(settings) as rt:
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
    async with runtime(settings) as rt:
        ids = await _dead_letter_ids(rt, args.kind) if args.all else list(args.ids)
        replayed = skipped = 0
        with progress_bar() as progress:
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
        summary("replay", dead_letters=len(ids), replayed=replayed, skipped=skipped)


async def _admin(args: argparse.Namespace, settings: Settings) -> None:
    from router.sql import queries  # noqa: PLC0415

    assert args.action == "end-sessions"  # noqa: S101 - the parser allows nothing else
    async with runtime(settings) as rt:
        ended = await rt.pool.fetchval(queries["end_all_admin_sessions"])
    console.print(f"admin sessions ended: {ended}")


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
            async with runtime(settings):
                console.print("database is at the newest revision")

        _run(_migrate())
    elif args.command == "sandbox":
        from router.sandbox import SandboxOptions, run_sandbox  # noqa: PLC0415

        options = SandboxOptions(duration=args.duration, rate=args.rate, data_dir=args.data_dir, port=args.port)
        result = _run(run_sandbox(options))
    else:
        commands: dict[str, Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int | None]]] = {
            "sources": _sources,
            "admin": _admin,
            "replay": _replay,
            "reconcile": reconcile_command,
            "stock": stock_sync_command,
            "backfill": backfill_command,
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
