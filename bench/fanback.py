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
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import ADMIN_KEY, Postgres, Router
from bench._loadgen import post_all
from router.testing import order_json
from simulators.callback import CallbackReceiver
from simulators.ongoing_wms import OngoingWmsSimulator

SECRET = "bench-hook-secret"


async def wait_for(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark condition not reached")
        await asyncio.sleep(0.001)


async def run_path(pg: Postgres, *, webhooks: bool, orders: int, samples: int, poll_seconds: float) -> dict[str, float]:
    dsn = await pg.new_database()
    with (
        OngoingWmsSimulator(username="u", password="p", goods_owner_code="GO") as sim,
        CallbackReceiver({"se": "cb"}) as receiver,
    ):
        sim.add_article("A-1", stock=10_000_000)
        env = {
            "ROUTER_WMS_URL": sim.url,
            "ROUTER_WMS_USERNAME": "u",
            "ROUTER_WMS_PASSWORD": "p",
            "ROUTER_WMS_GOODS_OWNER": "GO",
            "ROUTER_WMS_WEBHOOK_SECRET": SECRET,
            "ROUTER_FANBACK_POLL_SECONDS": str(30.0 if webhooks else poll_seconds),
            "ROUTER_FANBACK_OVERLAP_SECONDS": "5",
            "ROUTER_OUTBOX_SWEEP_SECONDS": "1",
        }
        router = Router(dsn, wms=env)
        await router.ready()
        if webhooks:
            sim.webhooks.configure(f"{router.url}/hooks/wms", headers={"X-Webhook-Secret": SECRET})
        async with httpx.AsyncClient(base_url=router.url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as admin:
            response = await admin.post(
                "/api/sources",
                json={
                    "name": "se",
                    "kind": "generic",
                    "suffix": "SE",
                    "order_type": "B2C",
                    "settings": {"callback_url": receiver.url_for("se")},
                    "credentials": {"callback_secret": "cb"},
                },
            )
            key = response.json()["api_key"]
        total = orders + samples
        await post_all(
            [router.url], "/api/sources/se/orders", key, [order_json(str(n)) for n in range(total)], connections=8
        )
        await wait_for(lambda: len(sim.orders()) == total)

        started = time.monotonic()
        for n in range(orders):
            sim.pick(f"{n}-SE")
            sim.ship(f"{n}-SE", way_bill=f"WB{n}")
        await wait_for(lambda: len(receiver.deliveries("se", "shipped")) >= orders)
        rate = orders / (time.monotonic() - started)

        latencies = []
        for n in range(orders, total):
            sim.pick(f"{n}-SE")
            changed = time.monotonic()
            sim.ship(f"{n}-SE", way_bill=f"WB{n}")
            number = f"{n}-SE"
            await wait_for(
                lambda number=number: any(
                    d.body.get("wms_order_number") == number for d in receiver.deliveries("se", "shipped")
                )
            )
            arrived = next(
                d.received_at for d in receiver.deliveries("se", "shipped") if d.body.get("wms_order_number") == number
            )
            latencies.append(arrived - changed)
        router.stop()
    latencies.sort()
    return {
        "events_per_s": rate,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


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
