"""Ledger throughput on one hot article, and stock change -> source callback latency.

    .venv/bin/python bench/ledger.py [--orders 2000] [--samples 30] [--delta-seconds 0.5]

1. Reservations/s with 2 router processes and 16 clients when every order takes the same article (all
   serialise on its counter row), against the same stream spread over 200 articles, in the same run.
2. Latency from a stock change in the WMS simulator to the new available figure arriving at a source's
   callback (delta read in the WMS lane -> ledger -> push), p50/p99, against the delta-read interval. Each
   sample changes stock right after the previous figure arrived, i.e. just after a read: the worst phase,
   so expect about one interval; changes at random times wait half of one on average.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._cluster import register
from bench._harness import Postgres, Router, callback_run, percentiles, wait_for
from bench._loadgen import post_all
from router.testing import order_json


async def reservations(pg: Postgres, *, orders: int, articles: int) -> float:
    dsn = await pg.new_database()
    routers = [Router(dsn, workers=False) for _ in range(2)]
    for r in routers:
        await r.ready()
    key = await register(routers[0].url, "se", "SE")
    payloads: list[object] = [order_json(f"R{n}", article=f"HOT-{n % articles}") for n in range(orders)]
    elapsed, statuses = await post_all(
        [r.url for r in routers], "/api/sources/se/orders", key, payloads, connections=16
    )
    for r in routers:
        r.stop()
    if any(s != 202 for s in statuses):
        raise RuntimeError("some pushes failed")
    return orders / elapsed


async def stock_latency(pg: Postgres, *, samples: int, delta_seconds: float, webhook: bool = False) -> list[float]:
    """Stock change -> callback latencies; with `webhook`, Ongoing's stock webhook triggers the read instead."""
    env = {
        "ROUTER_LEDGER_DELTA_SYNC_SECONDS": str(3600 if webhook else delta_seconds),
        "ROUTER_LEDGER_DELTA_OVERLAP_SECONDS": "5",
        "ROUTER_FANBACK_POLL_SECONDS": "60",
    }
    async with callback_run(pg, stock=100, env=env, webhooks=webhook, order_webhooks=False) as run:

        def told(value: int) -> float | None:
            for d in run.receiver.deliveries("se", "stock"):
                for target in d.body.get("targets", []):
                    if target.get("article_number") == "A-1" and int(float(target.get("available"))) == value:
                        return d.received_at
            return None

        async def wait_told(value: int) -> float:
            return await wait_for(lambda: told(value), timeout=60, what=f"the source told {value}")

        await wait_told(100)  # the first full read has reached the source
        latencies = []
        for n in range(1, samples + 1):
            changed = time.monotonic()
            run.sim.adjust_stock("A-1", 1, cause="received")
            latencies.append(await wait_told(100 + n) - changed)
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--delta-seconds", type=float, default=0.5)
    args = parser.parse_args()
    pg = Postgres()
    try:
        spread = await reservations(pg, orders=args.orders, articles=200)
        hot = await reservations(pg, orders=args.orders, articles=1)
        latencies = await stock_latency(pg, samples=args.samples, delta_seconds=args.delta_seconds)
        hooked = await stock_latency(pg, samples=args.samples, delta_seconds=args.delta_seconds, webhook=True)
    finally:
        pg.close()
    print(f"reservations, 2 router processes, 16 clients, 200 articles: {spread:8,.0f} /s")
    print(f"reservations, 2 router processes, 16 clients, 1 hot article: {hot:8,.0f} /s  (ratio {hot / spread:.2f})")
    p50, p99 = percentiles(latencies)
    print(
        f"stock change -> source callback ({len(latencies)} samples): p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
        f"  (delta read every {args.delta_seconds * 1000:.0f} ms; p50/interval {p50 / args.delta_seconds:.2f})"
    )
    h50, h99 = percentiles(hooked)
    print(
        f"stock webhook -> read -> source callback ({len(hooked)} samples): p50 {h50 * 1000:.0f} ms, "
        f"p99 {h99 * 1000:.0f} ms  (ratio to the delta read's p50 {h50 / p50:.2f})"
    )


if __name__ == "__main__":
    asyncio.run(main())
