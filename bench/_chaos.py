"""The chaos run shared by tests/chaos (CI-sized) and bench/chaos.py (long): faults, kills, then invariants.

Router processes (`python -m router serve`) share one PostgreSQL; generic sources each have their own
CallbackReceiver; the Ongoing WMS simulator fails 10 % of calls with HTTP 500, commits-then-times-out 5 %,
adds latency, and duplicates and reorders 20 % of its webhooks; orders are pushed concurrently (clients move
to another process on connection errors), the warehouse picks, ships, cancels and returns, and processes
are SIGKILLed and restarted. Then faults stop, everything drains, and `bench._chaos_check` judges.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import httpx

from bench._chaos_check import (
    ChaosReport,
    Planned,
    check_dead_letters,
    check_events,
    check_orders,
    check_stock,
    drained,
)
from bench._chaos_world import Warehouse, inject_callback_faults, inject_wms_faults
from bench._cluster import ADMIN, HOOK_SECRET, Cluster, register, router_env, wms_env
from simulators.callback import CallbackReceiver, Delivery
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually

USER, PASSWORD, GOODS_OWNER = "WSI-chaos", "chaos-password", "GO-CHAOS"
ARTICLES = ("A-1", "A-2", "A-3", "A-4")
SUFFIXES = ("SE", "EU", "NO", "DK", "FI", "DE", "PL", "NL")


@dataclass(frozen=True, kw_only=True)
class ChaosConfig:
    """How big and how nasty the run is."""

    processes: int = 3
    sources: int = 3
    orders: int = 60
    kills: int = 3
    refusals: int = 2
    seed: int = 1
    fail_rate: float = 0.10
    timeout_rate: float = 0.05
    latency: float = 0.005
    webhook_duplicate_rate: float = 0.20
    webhook_reorder_rate: float = 0.20
    callback_fail_rate: float = 0.05
    wms_timeout: float = 1.0
    concurrency: int = 6
    push_rate: float | None = None
    drain_timeout: float = 60.0


def plan_orders(config: ChaosConfig, rng: random.Random) -> tuple[list[Planned], list[dict[str, Any]]]:
    """The order stream: one to three lines of the known articles, round-robin over the sources."""
    sources = [
        {"name": f"src-{s.lower()}", "suffix": s, "order_type": "B2B" if i % 2 else "B2C"}
        for i, s in enumerate(SUFFIXES[: config.sources])
    ]
    plans: list[Planned] = []
    for i in range(config.orders):
        source = sources[i % len(sources)]
        articles = rng.sample(ARTICLES, rng.randint(1, 3))
        lines = tuple((str(n + 1), a, rng.randint(1, 3)) for n, a in enumerate(articles))
        plans.append(
            Planned(
                source=source["name"],
                suffix=source["suffix"],
                order_type=source["order_type"],
                number=str(10_000 + i),
                lines=lines,
            )
        )
    return plans, sources


def order_body(plan: Planned) -> dict[str, Any]:
    return {
        "order_number": plan.number,
        "order_type": plan.order_type,
        "lines": [
            {"line_id": lid, "article_number": art, "quantity": q, "unit_price": "10.00"} for lid, art, q in plan.lines
        ],
        "ship_to": {
            "name": "Chaos Customer",
            "address1": "Storgatan 1",
            "postcode": "11122",
            "city": "Stockholm",
            "country_code": "SE",
        },
        "currency": "SEK",
    }


@contextlib.contextmanager
def _receivers(sources: Sequence[dict[str, Any]]) -> Iterator[dict[str, CallbackReceiver]]:
    with contextlib.ExitStack() as stack:
        yield {s["name"]: stack.enter_context(CallbackReceiver({s["name"]: f"cb-{s['name']}"})) for s in sources}


async def run_chaos(dsn: str, config: ChaosConfig, log_dir: Path) -> ChaosReport:
    """One chaos run against the migrated database `dsn`; router logs go to `log_dir`."""
    rng = random.Random(config.seed)
    plans, sources = plan_orders(config, rng)
    with (
        OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim,
        _receivers(sources) as receivers,
    ):
        for article in ARTICLES:
            sim.add_article(article, stock=1_000_000)
        wms = wms_env(sim.url, USER, PASSWORD, GOODS_OWNER)
        cluster = Cluster(router_env(dsn, wms, wms_timeout=config.wms_timeout), config.processes, log_dir)
        run = _Run(sim=sim, cluster=cluster, receivers=receivers, plans=plans, config=config, rng=rng)
        try:
            await cluster.start()
            await run.register(cluster.procs[0].url, sources)
            run.point_webhooks(cluster.procs[0].url)
            started = time.monotonic()
            await run.storm()
            run.report.add("chaos seconds", round(time.monotonic() - started, 1))
            await run.calm_and_drain()
            await run.judge()
        finally:
            cluster.stop()
    return run.report


@dataclass(kw_only=True)
class _Run:
    sim: OngoingWmsSimulator
    cluster: Cluster
    receivers: dict[str, CallbackReceiver]
    plans: Sequence[Planned]
    config: ChaosConfig
    rng: random.Random
    report: ChaosReport = field(default_factory=ChaosReport)
    keys: dict[str, str] = field(default_factory=dict)
    accepted: set[str] = field(default_factory=set)

    async def register(self, url: str, sources: Sequence[dict[str, Any]]) -> None:
        for s in sources:
            self.keys[s["name"]] = await register(
                url,
                s["name"],
                s["suffix"],
                order_type=s["order_type"],
                callback_url=self.receivers[s["name"]].url_for(s["name"]),
                callback_secret=f"cb-{s['name']}",
            )

    def point_webhooks(self, url: str) -> None:
        """Where the WMS sends its webhooks (what a load balancer in front of the processes would do)."""
        self.sim.webhooks.configure(f"{url}/hooks/wms", headers={"X-Webhook-Secret": HOOK_SECRET}, inventory=False)

    async def storm(self) -> None:
        """Push every order while faults fly, the warehouse works and processes die."""
        warehouse = Warehouse(self.sim, self.plans, self.config, random.Random(self.rng.random()), self.report)
        kills_done = anyio.Event()

        async def killer() -> None:
            total = len(self.plans) + warehouse.total_steps
            for k in range(self.config.kills):
                threshold = total * (k + 1) // (self.config.kills + 1)
                await eventually(
                    lambda t=threshold: len(self.accepted) + warehouse.steps_done >= t, timeout=3600, interval=0.05
                )
                await self.kill_one()
            kills_done.set()

        async with anyio.create_task_group() as chaos:
            chaos.start_soon(inject_wms_faults, self.sim, self.config, random.Random(self.rng.random()))
            chaos.start_soon(inject_callback_faults, self.receivers, self.config, random.Random(self.rng.random()))
            chaos.start_soon(warehouse.run)
            chaos.start_soon(killer)
            async with httpx.AsyncClient(timeout=10) as client, anyio.create_task_group() as pushers:
                limiter = anyio.Semaphore(self.config.concurrency)
                started = time.monotonic()
                for i, plan in enumerate(self.plans):
                    if self.config.push_rate:
                        await anyio.sleep(max(0.0, i / self.config.push_rate - (time.monotonic() - started)))
                    await limiter.acquire()
                    pushers.start_soon(self.push, client, plan, limiter)
            await warehouse.finished.wait()
            await kills_done.wait()
            chaos.cancel_scope.cancel()

    async def kill_one(self) -> None:
        """SIGKILL a random process and start it again on its port (webhooks go elsewhere meanwhile)."""
        victim = self.rng.choice(self.cluster.procs)
        if (self.sim.webhooks.url or "").startswith(victim.url):
            self.point_webhooks(next(p for p in self.cluster.procs if p is not victim).url)
        victim.kill()
        self.report.add("router processes killed (SIGKILL)")
        victim.start()
        await victim.healthy()

    async def push(self, client: httpx.AsyncClient, plan: Planned, limiter: anyio.Semaphore) -> None:
        """POST one order until a process answers; sometimes twice (a client retrying after success)."""
        try:
            for _ in range(2 if self.rng.random() < 0.1 else 1):
                while True:
                    url = self.rng.choice(self.cluster.live_urls())
                    try:
                        response = await client.post(
                            f"{url}/api/sources/{plan.source}/orders",
                            json=order_body(plan),
                            headers={"Authorization": f"Bearer {self.keys[plan.source]}"},
                        )
                    except httpx.TransportError:
                        self.report.add("client retries (connection errors)")
                        await anyio.sleep(0.05)  # a client's back-off before trying another process
                        continue
                    break
                if response.status_code != 202:
                    self.report.violations.append(
                        f"push of {plan.wms_number} answered {response.status_code}: {response.text}"
                    )
                    return
                self.report.add("order pushes answered 202")
            self.accepted.add(plan.wms_number)
            self.report.add("orders accepted")
        finally:
            limiter.release()

    def deliveries(self) -> list[Delivery]:
        return [d for r in self.receivers.values() for d in r.deliveries()]

    async def calm_and_drain(self) -> None:
        """Faults off, every process up, then wait on real state until the owners heard everything."""
        self.sim.faults.clear()
        self.sim.webhooks.release_held()
        for receiver in self.receivers.values():
            receiver.fail_next(0)
        for proc in self.cluster.procs:
            if not proc.alive:
                proc.start()
            await proc.healthy()
        numbers = {p.wms_number for p in self.plans}
        timeout = self.config.drain_timeout
        await eventually(
            lambda: numbers <= {o.number for o in self.sim.orders()}, timeout=timeout, what="every order in the WMS"
        )
        started = time.monotonic()
        await eventually(
            lambda: drained(self.plans, self.sim.orders(), self.deliveries()),
            timeout=timeout,
            interval=0.1,
            what="every event at its owner",
        )
        self.report.add("drain seconds (events)", round(time.monotonic() - started, 1))

    async def judge(self) -> None:
        """A final stock read, then every invariant against the simulators' records."""
        quiet_at = dt.datetime.now(dt.UTC)
        sellable = {a: self.sim.inventory(a).sellable for a in ARTICLES}
        async with httpx.AsyncClient(base_url=self.cluster.procs[0].url, headers=ADMIN, timeout=10) as admin:

            async def ledger() -> dict[str, dict[str, Any]]:
                return {a: (await admin.get(f"/api/stock/{a}")).json() for a in ARTICLES}

            async def settled() -> dict[str, dict[str, Any]] | None:
                rows = await ledger()
                fresh = all(
                    r.get("snapshot") and dt.datetime.fromisoformat(r["snapshot"]["read_started_at"]) > quiet_at
                    for r in rows.values()
                )
                agree = all(Decimal(str(r["available"])) == sellable[a] for a, r in rows.items())
                return rows if fresh and agree else None

            try:
                rows = await eventually(settled, timeout=30, interval=0.2, what="a stock read after the run settles")
            except TimeoutError:  # judge what there is: the mismatch is reported, not hidden
                rows = await ledger()
            dead = (await admin.get("/api/dead-letters", params={"limit": 500})).json()["items"]
        deliveries = self.deliveries()
        check_orders(self.report, self.plans, self.accepted, self.sim.orders())
        check_events(self.report, self.plans, self.sim.orders(), deliveries)
        check_stock(self.report, rows, sellable)
        check_dead_letters(self.report, deliveries, dead)
        self.report.add("injected source callback 500", sum(1 for d in deliveries if d.answered == 500))
        fault_figures(self.sim, self.report)


def fault_figures(sim: OngoingWmsSimulator, report: ChaosReport) -> None:
    """What the WMS simulator's own records say was injected."""
    requests = sim.requests
    report.add("WMS calls", len(requests))
    report.add("injected WMS HTTP 500", sum(1 for r in requests if r.outcome.startswith("failed with HTTP 500")))
    report.add("injected commit-then-timeout", sum(1 for r in requests if "response held" in r.outcome))
    hooks = sim.webhooks.deliveries()
    per_event: dict[int, int] = {}
    for h in hooks:
        if h.outcome != "dropped":
            per_event[h.event_id] = per_event.get(h.event_id, 0) + 1
    report.add("WMS webhooks sent", len(hooks))
    report.add("webhooks duplicated", sum(1 for n in per_event.values() if n > 1))
    highest, reordered = 0, 0
    for h in hooks:
        reordered += h.event_id < highest
        highest = max(highest, h.event_id)
    report.add("webhooks reordered", reordered)
    report.add("webhooks failed (process down)", sum(1 for h in hooks if h.outcome == "failed"))
    posts = [r for r in requests if r.operation == "ProcessOrder" and r.committed]
    report.add("committed ProcessOrder calls", len(posts))
