"""Oversold units in one simulated sales day: naive stock sync versus the reservation ledger.

Simulated in-process (no HTTP, no database) so a whole day runs in seconds; the ledger side uses the
ledger's own pure rules (`router.ledger.available`, `is_short`, `settles`, `push_target`). The same stream of
customer attempts is replayed twice:

* naive: each source shows the WMS's sellable figure from its own read, taken every 15 simulated minutes
  (staggered across sources), minus its own sales since that read; the WMS figure only drops once an order
  has reached the WMS (dispatch delay).
* ledger: each source shows the last target pushed to it (newest version wins; push latency a few seconds),
  minus its own sales since that target was computed; the ledger reserves every order on arrival and reads
  the WMS every minute, settling placed reservations by the read-start rule.

A customer buys only if the shop shows at least the quantity; whatever is accepted beyond physical stock is
oversold. Prints the figures; not a test.

    .venv/bin/python bench/oversell.py [--seed 1] [--sources 4] [--orders-per-hour 1500]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import heapq
import random
from collections import defaultdict
from decimal import Decimal

from router.ledger import available, is_short, push_target, settles

DAY = 12 * 3600.0
T0 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    """Simulated seconds since opening as a timestamp."""
    return T0 + dt.timedelta(seconds=seconds)


@dataclasses.dataclass(frozen=True)
class Attempt:
    """A customer trying to buy `qty` of `article` in a source's shop at time `t`."""

    t: float
    source: int
    article: str
    qty: int
    dispatch_delay: float  # seconds until the order exists in the WMS, if accepted


@dataclasses.dataclass(frozen=True)
class Day:
    """The stream and the physical stock it sells from."""

    attempts: list[Attempt]
    stock: dict[str, int]
    sources: int


def make_day(*, seed: int, sources: int, orders_per_hour: float, hot: int, cold: int) -> Day:
    """Poisson arrivals per source; a third of attempts go to a few hot articles with little stock."""
    rng = random.Random(seed)
    stock = {f"HOT-{i}": rng.randint(2, 15) for i in range(hot)}
    stock |= {f"COLD-{i}": rng.randint(40, 200) for i in range(cold)}
    hot_names = [a for a in stock if a.startswith("HOT")]
    cold_names = [a for a in stock if a.startswith("COLD")]
    attempts: list[Attempt] = []
    rate = orders_per_hour / 3600.0 / sources
    for source in range(sources):
        t = rng.expovariate(rate)
        while t < DAY:
            article = rng.choice(hot_names) if rng.random() < 1 / 3 else rng.choice(cold_names)
            qty = 1 if rng.random() < 0.8 else 2
            attempts.append(Attempt(t, source, article, qty, rng.uniform(1.0, 30.0)))
            t += rng.expovariate(rate)
    attempts.sort(key=lambda a: a.t)
    return Day(attempts=attempts, stock=stock, sources=sources)


def oversold(day: Day, accepted: dict[str, int]) -> int:
    """Units accepted beyond physical stock."""
    return sum(max(0, n - day.stock[a]) for a, n in accepted.items())


class Wms:
    """Sellable = physical stock minus orders already in the WMS (no restock during the day)."""

    def __init__(self, stock: dict[str, int]) -> None:
        self.stock = stock
        self.arrivals: list[tuple[float, str, int]] = []  # heap of (time in WMS, article, qty)
        self.netted: dict[str, int] = defaultdict(int)

    def order(self, t_in_wms: float, article: str, qty: int) -> None:
        heapq.heappush(self.arrivals, (t_in_wms, article, qty))

    def sellable(self, t: float, article: str) -> int:
        while self.arrivals and self.arrivals[0][0] <= t:
            _, a, q = heapq.heappop(self.arrivals)
            self.netted[a] += q
        return self.stock[article] - self.netted[article]


def run_naive(day: Day, *, read_every: float) -> tuple[int, int]:
    """Each source reads the WMS every `read_every` seconds (staggered); returns (accepted orders, oversold)."""
    wms = Wms(day.stock)
    read_at = [-(s * read_every / day.sources) for s in range(day.sources)]  # last read per source
    read_value: list[dict[str, int]] = [dict(day.stock) for _ in range(day.sources)]
    own_since: list[dict[str, int]] = [defaultdict(int) for _ in range(day.sources)]
    accepted: dict[str, int] = defaultdict(int)
    orders = 0
    for a in day.attempts:
        s = a.source
        if a.t - read_at[s] >= read_every:
            read_at[s] += read_every * int((a.t - read_at[s]) // read_every)
            read_value[s] = {art: wms.sellable(read_at[s], art) for art in day.stock}
            own_since[s] = defaultdict(int)
        shown = read_value[s][a.article] - own_since[s][a.article]
        if shown >= a.qty:
            own_since[s][a.article] += a.qty
            accepted[a.article] += a.qty
            wms.order(a.t + a.dispatch_delay, a.article, a.qty)
            orders += 1
    return orders, oversold(day, accepted)


@dataclasses.dataclass
class Reservation:
    """One order's reservation in the simulated ledger."""

    qty: int
    placed_at: float  # when the WMS confirms it (held before)
    settled: bool = False


@dataclasses.dataclass
class Shown:
    """What a source displays for one article: the newest target it received, less its own sales since."""

    version: int = -1
    value: int = 0
    computed_at: float = 0.0


class LedgerSim:
    """The ledger: reserve on arrival, push targets, settle on reads."""

    def __init__(self, day: Day, *, push_latency: tuple[float, float], skew: float, seed: int) -> None:
        self.day = day
        self.rng = random.Random(seed + 1)
        self.wms = Wms(day.stock)
        self.skew = dt.timedelta(seconds=skew)
        self.push_latency = push_latency
        self.sellable = {a: Decimal(n) for a, n in day.stock.items()}
        self.open: dict[str, list[Reservation]] = defaultdict(list)
        self.version = 0
        self.pushes: list[tuple[float, int, int, str, int, float]] = []  # arrival, version, source, article, ...
        self.shown: list[dict[str, Shown]] = [defaultdict(Shown) for _ in range(day.sources)]
        self.own: list[dict[str, list[tuple[float, int]]]] = [defaultdict(list) for _ in range(day.sources)]

    def available(self, article: str, now: float) -> Decimal:
        held = sum(r.qty for r in self.open[article] if r.placed_at > now)
        placed = sum(r.qty for r in self.open[article] if r.placed_at <= now)
        return available(self.sellable[article], Decimal(held), Decimal(placed))

    def push_all(self, article: str, now: float) -> None:
        self.version += 1
        value = int(push_target(self.available(article, now), 0))
        for s in range(self.day.sources):
            arrival = now + self.rng.uniform(*self.push_latency)
            heapq.heappush(self.pushes, (arrival, self.version, s, article, value, now))

    def read(self, now: float) -> None:
        """A WMS read started at `now` (every article; a delta read would only be cheaper)."""
        for article in self.day.stock:
            figure = Decimal(self.wms.sellable(now, article))
            keep = [r for r in self.open[article] if not settles(at(r.placed_at), at(now), self.skew)]
            before = self.available(article, now)
            self.sellable[article], self.open[article] = figure, keep
            if self.available(article, now) != before:
                self.push_all(article, now)

    def deliver_pushes(self, now: float) -> None:
        while self.pushes and self.pushes[0][0] <= now:
            _, v, s, article, value, computed = heapq.heappop(self.pushes)
            if v > self.shown[s][article].version:  # never an older value over a newer one
                self.shown[s][article] = Shown(v, value, computed)

    def shows(self, source: int, article: str) -> int:
        seen = self.shown[source][article]
        if seen.version < 0:
            seen = Shown(0, self.day.stock[article], 0.0)
        return seen.value - sum(q for t, q in self.own[source][article] if t >= seen.computed_at)

    def run(self, *, read_every: float) -> tuple[int, int, int]:
        """Returns (accepted orders, oversold units, orders marked short)."""
        accepted: dict[str, int] = defaultdict(int)
        orders = short_orders = 0
        next_read = 0.0
        for a in self.day.attempts:
            while next_read <= a.t:
                self.read(next_read)
                next_read += read_every
            self.deliver_pushes(a.t)
            if self.shows(a.source, a.article) < a.qty:
                continue
            self.own[a.source][a.article].append((a.t, a.qty))
            short_orders += is_short(self.available(a.article, a.t), Decimal(a.qty))
            self.open[a.article].append(Reservation(a.qty, a.t + a.dispatch_delay))
            self.wms.order(a.t + a.dispatch_delay, a.article, a.qty)
            accepted[a.article] += a.qty
            orders += 1
            self.push_all(a.article, a.t)
        return orders, oversold(self.day, accepted), short_orders


def main() -> None:
    """Run both and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sources", type=int, default=4)
    parser.add_argument("--orders-per-hour", type=float, default=1500.0)
    parser.add_argument("--hot", type=int, default=20)
    parser.add_argument("--cold", type=int, default=200)
    parser.add_argument("--naive-read-minutes", type=float, default=15.0)
    parser.add_argument("--ledger-read-seconds", type=float, default=60.0)
    parser.add_argument("--push-latency", type=float, nargs=2, default=(1.0, 5.0), metavar=("MIN", "MAX"))
    parser.add_argument("--skew", type=float, default=2.0)
    args = parser.parse_args()
    day = make_day(
        seed=args.seed, sources=args.sources, orders_per_hour=args.orders_per_hour, hot=args.hot, cold=args.cold
    )
    naive_orders, naive_over = run_naive(day, read_every=args.naive_read_minutes * 60)
    sim = LedgerSim(day, push_latency=(args.push_latency[0], args.push_latency[1]), skew=args.skew, seed=args.seed)
    ledger_orders, ledger_over, shorts = sim.run(read_every=args.ledger_read_seconds)
    total = sum(day.stock.values())
    print(
        f"one sales day: {len(day.attempts)} attempts, {args.sources} sources, {len(day.stock)} articles, {total} units"
    )
    print(
        f"naive  (WMS read every {args.naive_read_minutes:g} min): {naive_orders} orders, {naive_over} units oversold"
    )
    print(
        f"ledger (push {args.push_latency[0]:g}-{args.push_latency[1]:g} s, "
        f"read every {args.ledger_read_seconds:g} s): {ledger_orders} orders, "
        f"{ledger_over} units oversold ({shorts} orders marked short)"
    )
    ratio = "inf" if ledger_over == 0 and naive_over else f"{naive_over / max(ledger_over, 1):.1f}"
    print(f"oversold naive/ledger: {ratio}{' (ledger oversold nothing)' if ledger_over == 0 else ''}")


if __name__ == "__main__":
    main()
