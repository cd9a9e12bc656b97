"""The `router` command against real PostgreSQL and simulators: replay, stock sync, reconcile, backfill, errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Iterator
from decimal import Decimal

import anyio
import asyncpg
import httpx
import pytest

from router.cli import main
from router.crypto import CredentialBox
from router.settings import LedgerSettings, Settings, WmsSettings
from router.store.sources import SourceStore
from router.testing import SECRET_KEY, admin_sign_in, make_settings, running_router
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually
from simulators.tfso import Company, PostalAddress, TfsoSimulator
from tests.support.logs import logging_restored
from tests.support.wms import stocked_wms

USER, PASSWORD, GOODS_OWNER = "WSI-cli", "wms-password", "GO1"
STOCK = {"A-1": 10, "B-2": 4, "C-3": 0}


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """`main()` points logging at the (captured) stderr of its test: put back what was there before."""
    with logging_restored():
        yield


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with stocked_wms(STOCK, username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        yield sim


def cli_settings(db_dsn: str, sim: OngoingWmsSimulator | None = None) -> Settings:
    wms = (
        WmsSettings(url=sim.url, username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER, timeout=5.0)
        if sim is not None
        else None
    )
    sync = LedgerSettings(sync_enabled=True, full_sync_seconds=3600, delta_sync_seconds=3600, page_size=2)
    return dataclasses.replace(make_settings(db_dsn, wms=wms), ledger=sync)


async def router_cli(*argv: str, settings: Settings) -> int:
    """`router ...` as the console script runs it (its own event loop, here on a worker thread)."""
    return await anyio.to_thread.run_sync(functools.partial(main, list(argv), settings=settings))


async def test_replay_all_of_one_kind_revives_only_those_dead_letters(
    db_dsn: str, db: asyncpg.Pool, capsys: pytest.CaptureFixture[str]
) -> None:
    for n, kind in enumerate(["stock.push", "wms.read_orders", "stock.push", "stock.push"]):
        state = "done" if n == 3 else "dead"
        await db.execute(
            "INSERT INTO outbox (lane, kind, priority, idempotency_key, state) VALUES ('stock:1', $1, 50, $2, $3)",
            kind,
            f"k{n}",
            state,
        )

    assert await router_cli("replay", "--all", "--kind", "stock.push", settings=cli_settings(db_dsn)) == 0

    rows = await db.fetch("SELECT idempotency_key, state, attempts FROM outbox ORDER BY id")
    assert [(r["idempotency_key"], r["state"]) for r in rows] == [
        ("k0", "pending"),
        ("k1", "dead"),
        ("k2", "pending"),
        ("k3", "done"),
    ]
    out = capsys.readouterr().out
    assert "replay: dead letters 2, replayed 2, skipped 0" in out


async def test_stock_sync_reads_everything_into_the_ledger_and_waits_for_a_lane_a_router_holds(
    db_dsn: str, db: asyncpg.Pool, wms: OngoingWmsSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = cli_settings(db_dsn, wms)
    assert await router_cli("stock", "sync", settings=settings) == 0

    counters = {r["article_number"]: r["available"] for r in await db.fetch("SELECT * FROM stock_counters")}
    assert counters == {a: Decimal(q) for a, q in STOCK.items()}
    assert "stock sync: articles read 3, available changed 3" in capsys.readouterr().out

    async with running_router(settings) as router:
        await eventually(lambda: router.rt.wms is not None, what="the router holding the WMS lane")
        assert await router_cli("stock", "sync", "--wait", "0.5", settings=settings) == 2
    err = capsys.readouterr().err  # the in-process router logs to the same stderr
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        (
            "error: the WMS lane wms:GO1 is held by a running router, which reads all stock every 3600 s "
            "(ROUTER_LEDGER_FULL_SYNC_SECONDS); stop it or give --wait"
        )
    ]
    assert "Traceback" not in err


async def test_reconcile_exits_1_on_an_unexplained_difference_and_prints_json(
    db_dsn: str, wms: OngoingWmsSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = cli_settings(db_dsn, wms)
    assert await router_cli("stock", "sync", settings=settings) == 0
    capsys.readouterr()
    assert await router_cli("reconcile", "--json", settings=settings) == 0
    assert json.loads(capsys.readouterr().out)["differences"] == []

    wms.add_article("B-2", stock=1)  # stock changed with no inventory transaction to explain it

    assert await router_cli("reconcile", "--json", settings=settings) == 1
    report = json.loads(capsys.readouterr().out)
    found = [
        (d["article_number"], d["pending"], d["ledger_available"], d["wms_available"]) for d in report["differences"]
    ]
    assert found == [("B-2", False, "4", "1")]  # decimals as exact strings
    assert await router_cli("reconcile", settings=settings) == 1
    out = capsys.readouterr().out
    assert "reconcile: articles 3, sources 0, errors 1, pending 0" in out


async def test_backfill_pulls_a_pull_source_again_from_a_date(
    db_dsn: str, db: asyncpg.Pool, capsys: pytest.CaptureFixture[str]
) -> None:
    app, user, password = "5e1f3a0c-1111-4a2b-9c3d-000000000001", "api@kunde.no", "tfso-password"
    with TfsoSimulator(application_id=app, username=user, password=password) as erp:
        erp.add_company(Company(id=20002, name="Kunde AS", phone_mobile="+47 900 00 000", email_primary="a@b.no"))
        erp.add_product("A-1", "Mug", stock=5)
        for _ in range(3):
            erp.add_order(
                customer_id=20002,
                rows=[erp.row("A-1", 1, price=Decimal("99.50"), vat_rate=Decimal(25))],
                delivery_address=PostalAddress(street="Storgata 1", postal_code="0155", postal_area="OS", country="NO"),
                customer_name="Kunde AS",
                customer_delivery_phone="+47 22 00 00 00",
                invoice_email="faktura@kunde.no",
                currency="NOK",
            )
        sources = SourceStore(db, CredentialBox(SECRET_KEY))
        source, _ = await sources.create(
            name="erp",
            kind="tfso",
            suffix="ERP",
            order_type="B2B",
            is_article_master=True,
            settings={"base_url": erp.base_url},
            credentials={"application_id": app, "username": user, "password": password},
        )
        # The poller is already past these orders: its cursor is a changed-since read from tomorrow.
        tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
        await db.execute(
            "INSERT INTO pull_cursors (source_id, cursor) VALUES ($1, $2)",
            source.id,
            json.dumps({"v": 1, "phase": "changed", "since": tomorrow}),
        )
        since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
        settings = cli_settings(db_dsn)

        assert await router_cli("backfill", "erp", "--since", since, settings=settings) == 0
        assert await db.fetchval("SELECT count(*) FROM orders WHERE source_id = $1", source.id) == 3
        assert "documents 3, new 3, already seen 0, rejected 0" in capsys.readouterr().out

        assert await router_cli("backfill", "erp", "--since", since, settings=settings) == 0
        assert "new 0, already seen 3" in capsys.readouterr().out
        assert await db.fetchval("SELECT count(*) FROM orders WHERE source_id = $1", source.id) == 3


async def test_backfill_of_a_pushed_source_and_an_unknown_source_are_one_line_errors(
    db_dsn: str, db: asyncpg.Pool, capsys: pytest.CaptureFixture[str]
) -> None:
    await SourceStore(db, CredentialBox(SECRET_KEY)).create(
        name="se", kind="generic", suffix="SE", order_type="B2C", is_article_master=False, settings={}, credentials=None
    )
    settings = cli_settings(db_dsn)
    assert await router_cli("backfill", "se", "--since", "2026-01-01", settings=settings) == 2
    assert await router_cli("backfill", "nope", "--since", "2026-01-01", settings=settings) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == "error: source 'se' (generic) is not pulled; its orders are pushed to the router"
    assert lines[1].startswith("error: ")
    assert len(lines) == 2


async def test_an_unreachable_database_is_one_line_not_a_traceback(
    db_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = "postgresql://router@127.0.0.1:9/router"  # the discard port: nothing listens
    settings = dataclasses.replace(
        cli_settings(db_dsn), database=dataclasses.replace(cli_settings(db_dsn).database, url=closed)
    )
    assert await router_cli("sources", "list", settings=settings) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ")
    assert "refused" in err.lower()
    assert "Traceback" not in err


async def test_admin_end_sessions_signs_every_browser_out(db_dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    settings = cli_settings(db_dsn)
    async with running_router(settings) as router:
        async with httpx.AsyncClient(base_url=router.url) as one, httpx.AsyncClient(base_url=router.url) as two:
            for browser in (one, two):
                assert (await admin_sign_in(browser)).status_code == 303
                assert (await browser.get("/admin")).status_code == 200
            assert await router_cli("admin", "end-sessions", settings=settings) == 0
            assert "admin sessions ended: 2" in capsys.readouterr().err
            for browser in (one, two):
                assert (await browser.get("/admin")).status_code == 303
            assert (await admin_sign_in(one)).status_code == 303  # a new sign-in is a new session
            assert (await one.get("/admin")).status_code == 200
        assert await router_cli("admin", "end-sessions", settings=settings) == 0
        assert "admin sessions ended: 1" in capsys.readouterr().err
