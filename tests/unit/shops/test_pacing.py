from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.shopify.client import parse_retry_after
from connectors.shopify.pacing import LeakyBucketPacer, parse_call_limit


class FakeTime:
    """A clock that only moves when the pacer sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pacer(time: FakeTime, *, leak_rate: float = 2.0, size: int = 40, headroom: int = 2) -> LeakyBucketPacer:
    return LeakyBucketPacer(leak_rate=leak_rate, size=size, headroom=headroom, clock=time.clock, sleep=time.sleep)


async def test_a_burst_fills_to_the_headroom_then_proceeds_at_the_leak_rate() -> None:
    time = FakeTime()
    bucket = pacer(time)
    for _ in range(38):
        await bucket.acquire()
    assert time.slept == []
    await bucket.acquire()
    assert time.slept == [pytest.approx(0.5)]  # one call leaks in 1/2 s
    for _ in range(10):
        await bucket.acquire()
    assert time.now == pytest.approx(100 + 11 * 0.5)


@given(st.lists(st.tuples(st.floats(0, 3), st.booleans()), min_size=1, max_size=200))
async def test_the_estimate_never_exceeds_the_limit(steps: list[tuple[float, bool]]) -> None:
    time = FakeTime()
    bucket = pacer(time, leak_rate=4.0, size=40, headroom=2)
    for pause, observe in steps:
        time.now += pause
        await bucket.acquire()
        assert bucket.level() <= 38 + 1e-9
        if observe:
            bucket.observe(int(bucket.level()), 40)


async def test_the_header_raises_the_estimate_but_never_lowers_it() -> None:
    time = FakeTime()
    bucket = pacer(time)
    bucket.observe(35, 40)  # another process is using the same token
    assert bucket.level() == 35
    for _ in range(3):
        await bucket.acquire()
    assert time.slept == []  # 35 + 3 fits below 38
    await bucket.acquire()
    assert time.slept  # the 4th did not
    level = bucket.level()
    bucket.observe(1, 40)
    assert bucket.level() == level


async def test_a_429_marks_the_bucket_full_and_the_size_follows_the_header() -> None:
    time = FakeTime()
    bucket = pacer(time)
    bucket.full()
    assert bucket.level() == 40
    bucket.observe(10, 400)  # a Plus shop
    assert bucket.size == 400
    await bucket.acquire()
    assert time.slept == []


def test_a_non_positive_leak_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="leak_rate"):
        LeakyBucketPacer(leak_rate=0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("32/40", (32, 40)), (" 1 / 400 ", (1, 400)), ("40/0", None), ("x/40", None), ("", None), (None, None)],
)
def test_call_limit_header(header: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_call_limit(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2.0", 2.0),
        ("0.5", 0.5),
        ("-3", 0.0),
        ("Wed, 18 Feb 2026 07:00:10 GMT", 10.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after(header: str | None, expected: float | None) -> None:
    now = dt.datetime(2026, 2, 18, 7, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after(header, now=now) == expected
