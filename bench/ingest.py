"""Ingest and WMS-lane throughput, each against a baseline measured in the same run.

    .venv/bin/python bench/ingest.py [--clients 16] [--orders 4000] [--routers 1 2] [--lane-orders 150]

1. Orders/s accepted durably over HTTP (raw payload stored, order + lines + outbox row committed) with N
   concurrent clients, against `pgbench -N` TPS on the same server with the same client count.
2. Orders/s dispatched through the single WMS lane against the Ongoing simulator with 20 ms added latency,
   against the lane's ceiling of 1/latency.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._cluster import register
from bench._harness import Postgres, Router, bench_wms, bench_wms_env
from bench._loadgen import post_all
from router.testing import order_json

ARTICLES = 200
"""Distinct articles in the order stream."""


async def ingest(urls: list[str], key: str, *, clients: int, orders: int, prefix: str = "B") -> float:
    """Push `orders` distinct orders with `clients` keep-alive connections spread over `urls`; orders/s."""
    # Orders spread over 200 articles, as a real stream is: every order reserves its articles atomically, so
    # orders for one hot article serialise on its counter row (bench/oversell.py is about that case).
    payloads: list[object] = [order_json(f"{prefix}{n}", article=f"ART-{n % ARTICLES}") for n in range(orders)]
    elapsed, statuses = await post_all(urls, "/api/sources/se/orders", key, payloads, connections=clients)
    failures = sum(1 for s in statuses if s != 202)
    if failures or len(statuses) != orders:
        raise RuntimeError(f"{failures} of {len(statuses)} pushes failed")
    return orders / elapsed


def pgbench(pg: Postgres, dsn: str, *, clients: int, seconds: int) -> float:
    """`pgbench -N` (simple-update, no branch contention) TPS with `clients` connections."""
    exe = str(pg.bin_dir / "pgbench")
    subprocess.run([exe, "-i", "-q", "-s", "4", dsn], check=True, capture_output=True)  # noqa: S603
    out = subprocess.run(  # noqa: S603
        [exe, "-N", "-c", str(clients), "-j", "2", "-T", str(seconds), dsn], check=True, capture_output=True, text=True
    ).stdout
    match = re.search(r"tps = ([0-9.]+)", out)
    if not match:
        raise RuntimeError(out)
    return float(match.group(1))


async def lane(pg: Postgres, *, orders: int, latency: float) -> float:
    """Orders/s through the WMS lane against the simulator with `latency` added to every call."""
    dsn = await pg.new_database()
    with bench_wms() as sim:
        for n in range(ARTICLES):  # every article the order stream uses, so the WMS takes each order
            sim.add_article(f"ART-{n}", stock=1_000_000)
        sim.faults.latency = latency
        wms = bench_wms_env(sim)
        router = Router(dsn, wms=wms, workers=False)  # intake only: the lane starts after the burst
        await router.ready()
        key = await register(router.url, "se", "SE")
        await ingest([router.url], key, clients=8, orders=orders)
        router.stop()
        worker = Router(dsn, wms=wms, workers=True)
        await worker.ready()
        while len(sim.orders()) < orders:
            await asyncio.sleep(0.01)
        worker.stop()
        posts = [r.at for r in sim.requests if r.operation == "ProcessOrder"]
    # Steady state: from the first order the WMS received to the last (process start-up excluded).
    elapsed = (max(posts) - min(posts)).total_seconds()
    return (len(posts) - 1) / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--orders", type=int, default=4000)
    parser.add_argument("--routers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--lane-orders", type=int, default=150)
    parser.add_argument("--latency", type=float, default=0.020)
    args = parser.parse_args()

    pg = Postgres()
    try:
        assert pg.dsn
        bench_db = await pg.new_database()
        tps = pgbench(pg, bench_db, clients=args.clients, seconds=args.pgbench_seconds)
        print(f"baseline  pgbench -N, {args.clients} clients: {tps:,.0f} TPS")
        for count in args.routers:
            dsn = await pg.new_database()
            routers = [Router(dsn, workers=False) for _ in range(count)]
            for r in routers:
                await r.ready()
            key = await register(routers[0].url, "se", "SE")
            await ingest([r.url for r in routers], key, clients=args.clients, orders=200, prefix="W")  # warm-up
            rate = await ingest([r.url for r in routers], key, clients=args.clients, orders=args.orders)
            for r in routers:
                r.stop()
            print(
                f"ingest    {count} router process(es), {args.clients} clients, {args.orders} orders: "
                f"{rate:,.0f} orders/s  (ratio to pgbench -N TPS: {rate / tps:.2f})"
            )
        rate = await lane(pg, orders=args.lane_orders, latency=args.latency)
        ceiling = 1 / args.latency
        print(
            f"wms lane  {args.lane_orders} orders, {args.latency * 1000:.0f} ms per call: {rate:,.1f} orders/s  "
            f"(ratio to 1/latency = {ceiling:.0f}/s: {rate / ceiling:.2f})"
        )
    finally:
        pg.close()


if __name__ == "__main__":
    asyncio.run(main())
