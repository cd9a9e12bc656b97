from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from router.ledger import available, is_short, push_target, settles
from router.stockpush import changed_targets, source_of_lane
from router.stocksync import stock_lines
from router.wms.inventory import WmsStockLine

T0 = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
SKEW = dt.timedelta(seconds=2)


def test_available_subtracts_what_the_wms_does_not_yet_include() -> None:
    assert available(Decimal(10), Decimal(3), Decimal(2)) == 5
    assert available(Decimal(1), Decimal(3), Decimal(0)) == -2


@pytest.mark.parametrize(
    ("before", "quantity", "short"), [(5, 5, False), (4, 5, True), (0, 1, True), (-3, 1, True), (10, 1, False)]
)
def test_short_when_less_than_ordered_was_available(before: int, quantity: int, *, short: bool) -> None:
    assert is_short(Decimal(before), Decimal(quantity)) is short


def test_a_held_reservation_never_settles() -> None:
    assert not settles(None, T0 + dt.timedelta(days=1), SKEW)


def test_a_read_that_started_before_placing_plus_skew_does_not_settle() -> None:
    placed = T0
    assert not settles(placed, T0 - dt.timedelta(seconds=1), SKEW)
    assert not settles(placed, T0, SKEW)
    assert not settles(placed, T0 + dt.timedelta(seconds=1.999), SKEW)


def test_a_read_that_started_after_placing_plus_skew_settles() -> None:
    assert settles(T0, T0 + SKEW, SKEW)
    assert settles(T0, T0 + dt.timedelta(minutes=5), SKEW)
    assert settles(T0, T0, dt.timedelta(0))


@pytest.mark.parametrize(("avail", "buffer", "target"), [(10, 0, 10), (10, 3, 7), (2, 3, 0), (-5, 0, 0), (0, 0, 0)])
def test_target_is_available_minus_buffer_never_negative(avail: int, buffer: int, target: int) -> None:
    assert push_target(Decimal(avail), buffer) == target


def test_only_changed_values_are_sent_but_every_newer_version_is_recorded() -> None:
    targets, send = changed_targets(["A", "B", "C"], [Decimal(3), Decimal(0), Decimal(5)], [7, 8, 9], [None, 0, 4])
    assert [(t.article_number, t.available, t.version) for t in targets] == [("A", 3, 7), ("B", 0, 8), ("C", 5, 9)]
    assert send == [True, False, True]


def test_lane_names_the_source() -> None:
    assert source_of_lane("stock:42") == 42


def test_lines_without_a_sellable_figure_are_not_guessed() -> None:
    lines = [
        WmsStockLine(article_number="A", article_name=None, on_hand=Decimal(5), sellable=Decimal(4), allocated=None),
        WmsStockLine(article_number="B", article_name=None, on_hand=Decimal(5), sellable=None, allocated=None),
    ]
    assert stock_lines(lines) == [("A", Decimal(4), Decimal(5))]
