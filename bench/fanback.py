"""Fan-back throughput and latency: WMS change -> the owning source's callback, webhook path vs poll only.

    .venv/bin/python bench/fanback.py [--orders 200] [--samples 40] [--poll-seconds 1.0]

For each path (WMS webhooks to /hooks/wms with a slow backstop poll; then webhooks off and only the poll):
1. events/s: ship N orders at once in the simulator, time until the source has N `shipped` events;
2. latency: ship one order at a time, time from the WMS change to the source's callback; p50/p99.
The router runs as `router serve` subprocesses; the WMS simulator and the source's receiver run here.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import Postgres, callback_run, percentiles, wait_for
from bench._loadgen import post_all
from router.testing import order_json


async def run_path(pg: Postgres, *, webhooks: bool, orders: int, samples: int, poll_seconds: float) -> dict[str, float]:
    env = {
        "ROUTER_FANBACK_POLL_SECONDS": str(30.0 if webhooks else poll_seconds),
        "ROUTER_FANBACK_OVERLAP_SECONDS": "5",
        "ROUTER_OUTBOX_SWEEP_SECONDS": "1",
    }
    async with callback_run(pg, stock=10_000_000, env=env, webhooks=webhooks) as run:
        sim, receiver = run.sim, run.receiver
        total = orders + samples
        payloads: list[object] = [order_json(str(n)) for n in range(total)]
        await post_all([run.router.url], "/api/sources/se/orders", run.key, payloads, connections=8)
        await wait_for(lambda: len(sim.orders()) == total, what="every order in the WMS")

        started = time.monotonic()
        for n in range(orders):
            sim.pick(f"{n}-SE")
            sim.ship(f"{n}-SE", way_bill=f"WB{n}")
        await wait_for(lambda: len(receiver.deliveries("se", "shipped")) >= orders, what="every order shipped")
        rate = orders / (time.monotonic() - started)

        latencies = []
        for n in range(orders, total):
            sim.pick(f"{n}-SE")
            changed = time.monotonic()
            sim.ship(f"{n}-SE", way_bill=f"WB{n}")
            number = f"{n}-SE"

            def arrived(number: str = number) -> float | None:
                shipped = receiver.deliveries("se", "shipped")
                return next((d.received_at for d in shipped if d.body.get("wms_order_number") == number), None)

            latencies.append(await wait_for(arrived, what=f"{number} shipped") - changed)
    p50, p99 = percentiles(latencies)
    return {"events_per_s": rate, "p50_ms": p50 * 1000, "p99_ms": p99 * 1000}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--poll-seconds", type=float, default=1.0)
    args = parser.parse_args()
    pg = Postgres()
    try:
        hook = await run_path(
            pg, webhooks=True, orders=args.orders, samples=args.samples, poll_seconds=args.poll_seconds
        )
        poll = await run_path(
            pg, webhooks=False, orders=args.orders, samples=args.samples, poll_seconds=args.poll_seconds
        )
    finally:
        pg.close()
    for name, figures in (("webhook", hook), (f"poll only ({args.poll_seconds:g} s)", poll)):
        print(
            f"{name:<18} {figures['events_per_s']:8.1f} events/s   latency p50 {figures['p50_ms']:7.1f} ms"
            f"   p99 {figures['p99_ms']:7.1f} ms"
        )
    print(
        f"webhook vs poll: throughput x{hook['events_per_s'] / poll['events_per_s']:.2f}, "
        f"p50 latency x{hook['p50_ms'] / poll['p50_ms']:.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
