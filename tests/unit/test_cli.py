"""The `router` command's pure parts: arguments, backfill cursors in each connector's format, one-line errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import asyncpg
import pytest

from connectors.omnium.pulling import decode_cursor as omnium_cursor
from connectors.omnium.settings import parse_settings
from connectors.shopify.connector import _decode_cursor as shopify_cursor
from connectors.tfso.cursor import Cursor as TfsoCursor
from connectors.tfso.cursor import Phase
from connectors.woocommerce.connector import _decode_cursor as woo_cursor
from router.cli import _parser, backfill_cursor, main, one_line
from router.errors import DatabaseError, NotFound, RouterError
from tests.support.logs import logging_restored

SINCE = dt.datetime(2026, 2, 17, 8, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """`main()` points logging at the (captured) stderr of its test: put back what was there before."""
    with logging_restored():
        yield


def test_backfill_cursors_are_read_by_each_connector_as_starting_at_the_date() -> None:
    assert shopify_cursor(backfill_cursor("shopify", SINCE)).high == SINCE
    assert shopify_cursor(backfill_cursor("shopify", SINCE)).page_info is None
    assert woo_cursor(backfill_cursor("woocommerce", SINCE)).high == SINCE
    assert woo_cursor(backfill_cursor("woocommerce", SINCE)).page == 0
    tfso = TfsoCursor.decode(backfill_cursor("tfso", SINCE))
    assert (tfso.phase, tfso.since) == (Phase.CHANGED, SINCE)
    settings = parse_settings({"base_url": "http://127.0.0.1:1"})
    omnium = omnium_cursor(backfill_cursor("omnium", SINCE), settings)
    assert (omnium.since, omnium.page, omnium.seen) == (SINCE, 0, {})


def test_a_kind_without_a_date_cursor_cannot_be_backfilled() -> None:
    with pytest.raises(RouterError, match="'generic' cannot be backfilled"):
        backfill_cursor("generic", SINCE)


def test_since_accepts_a_date_or_a_datetime_and_means_utc_without_an_offset() -> None:
    args = _parser().parse_args(["backfill", "se", "--since", "2026-02-17"])
    assert args.since == dt.datetime(2026, 2, 17, tzinfo=dt.UTC)
    args = _parser().parse_args(["backfill", "se", "--since", "2026-02-17T08:30:00+01:00"])
    assert args.since == dt.datetime(2026, 2, 17, 7, 30, tzinfo=dt.UTC)


def test_a_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        _parser().parse_args(["backfill", "se", "--since", "last tuesday"])
    assert exit_.value.code == 2
    assert "not a date or ISO datetime: 'last tuesday'" in capsys.readouterr().err


def test_replay_takes_ids_or_all_with_an_optional_kind() -> None:
    assert _parser().parse_args(["replay", "3", "4"]).ids == [3, 4]
    args = _parser().parse_args(["replay", "--all", "--kind", "stock.push"])
    assert (args.all, args.kind, args.ids) == (True, "stock.push", [])
    args = _parser().parse_args(["stock", "sync", "--wait", "5"])
    assert (args.command, args.action, args.wait) == ("stock", "sync", 5.0)
    args = _parser().parse_args(["sandbox", "--duration", "30", "--rate", "60"])
    assert (args.duration, args.rate, args.data_dir) == (30.0, 60.0, None)


def test_errors_become_one_line() -> None:
    assert one_line(NotFound("no source 'se'")) == "no source 'se'"
    refused = ConnectionRefusedError(111, "Connection refused")
    wrapped = DatabaseError("database error: ConnectionRefusedError")
    wrapped.__cause__ = refused
    assert one_line(wrapped) == "database error: ConnectionRefusedError (Connection refused)"
    assert one_line(refused) == "Connection refused"
    assert one_line(ConnectionRefusedError(111, "Connect call failed")) == "connection refused (Connect call failed)"
    assert one_line(TimeoutError("timed out")) == "timed out"
    grouped = ExceptionGroup("task group", [NotFound("no such dead letter")])
    assert one_line(grouped) == "no such dead letter"
    assert one_line(ValueError("first\nsecond")) == "ValueError: first"
    assert "\n" not in one_line(asyncpg.InterfaceError("pool is closed\nmore"))


def test_replay_without_ids_or_all_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: name dead letters by id, or give --all"
