"""Scale-out: the same order stream through 1, 2 and 3 router processes on one PostgreSQL.

    .venv/bin/python bench/scale.py [--orders 600] [--processes 1 2 3] [--clients 12] [--latency 0.01]

For each process count, against a fresh database and a fresh Ongoing simulator with `--latency` added to
every SOAP call: push every order over keep-alive connections spread across all processes, then wait
until the WMS holds them all. Prints orders accepted/s at the API, orders into the WMS/s (first push to
last order in the WMS), whether each order is in the WMS exactly once (by number and by committed
ProcessOrder), and the WMS lane's concurrency as the simulator's request log shows it: every call sleeps
`latency` before it is processed and is logged when done, so one caller at a time leaves consecutive log
times at least `latency` apart; a shorter gap means two calls overlapped. Ratios are against 1 process.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from bench._cluster import Cluster, register, router_env
from bench._harness import Postgres, bench_wms, bench_wms_env
from bench._loadgen import post_all
from router.testing import order_json
from simulators.testing import eventually


async def run(pg: Postgres, *, processes: int, orders: int, clients: int, latency: float) -> dict[str, float]:
    dsn = await pg.new_database()
    with bench_wms() as sim:
        for n in range(50):
            sim.add_article(f"ART-{n}", stock=10_000_000)
        sim.faults.latency = latency
        wms = bench_wms_env(
            sim,
            # Reads in the lane as a production router would do them (rarely), so the lane sends orders.
            ROUTER_FANBACK_POLL_SECONDS="10",
            ROUTER_LEDGER_FULL_SYNC_SECONDS="60",
            ROUTER_LEDGER_DELTA_SYNC_SECONDS="10",
            ROUTER_OUTBOX_SWEEP_SECONDS="1",
            ROUTER_DB_POOL_MAX="10",
        )
        cluster = Cluster(router_env(dsn, wms, wms_timeout=30), processes, Path(tempfile.mkdtemp(prefix="scale-")))
        try:
            await cluster.start()
            key = await register(cluster.procs[0].url, "se", "SE")
            payloads: list[object] = [order_json(str(n), article=f"ART-{n % 50}") for n in range(orders)]
            started = time.monotonic()
            elapsed, statuses = await post_all(
                [p.url for p in cluster.procs], "/api/sources/se/orders", key, payloads, connections=clients
            )
            await eventually(lambda: len(sim.orders()) >= orders, timeout=600, interval=0.01, what="all in the WMS")
            into_wms = time.monotonic() - started
        finally:
            cluster.stop()
        requests = sim.requests
        numbers = collections.Counter(o.number for o in sim.orders())
        posts = collections.Counter(
            str(r.fields.get("number")) for r in requests if r.operation == "ProcessOrder" and r.committed
        )
    expected = {f"{n}-SE" for n in range(orders)}
    times = sorted(r.at for r in requests)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    return {
        "accepted_per_s": sum(1 for s in statuses if s == 202) / elapsed,
        "wms_per_s": orders / into_wms,
        "rejected": sum(1 for s in statuses if s != 202),
        "exactly_once": float(set(numbers) == expected and set(numbers.values()) == {1} and set(posts.values()) == {1}),
        "calls": len(requests),
        "overlaps": sum(1 for g in gaps if g < 0.9 * latency),
        "min_gap_ms": min(gaps) * 1000 if gaps else 0.0,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--latency", type=float, default=0.01)
    args = parser.parse_args()
    pg = Postgres()
    results: dict[int, dict[str, float]] = {}
    try:
        for n in args.processes:
            results[n] = await run(pg, processes=n, orders=args.orders, clients=args.clients, latency=args.latency)
    finally:
        pg.close()
    base = results[args.processes[0]]
    print(
        f"{args.orders} orders, {args.clients} client connections, WMS latency {args.latency * 1000:g} ms per call, "
        f"ceiling of one lane 1/latency = {1 / args.latency:.0f} calls/s"
    )
    print(
        f"{'processes':>9} {'accepted/s':>11} {'x':>5} {'into WMS/s':>11} {'x':>5} {'exactly once':>13} "
        f"{'WMS calls':>10} {'overlapping':>12} {'min gap ms':>11}"
    )
    for n, r in results.items():
        print(
            f"{n:>9} {r['accepted_per_s']:>11.1f} {r['accepted_per_s'] / base['accepted_per_s']:>5.2f} "
            f"{r['wms_per_s']:>11.1f} {r['wms_per_s'] / base['wms_per_s']:>5.2f} "
            f"{'yes' if r['exactly_once'] else 'NO':>13} {r['calls']:>10.0f} {r['overlaps']:>12.0f} "
            f"{r['min_gap_ms']:>11.2f}"
        )
    if any(not r["exactly_once"] or r["overlaps"] or r["rejected"] for r in results.values()):
        print("FAILED: an order is not exactly once in the WMS, a push was refused, or WMS calls overlapped")
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
