"""The chaos run's world: a warehouse working the orders, and the fault injectors of WMS and sources."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import anyio

from simulators.callback import CallbackReceiver
from simulators.ongoing_wms import OngoingWmsSimulator

if TYPE_CHECKING:
    from bench._chaos import ChaosConfig
    from bench._chaos_check import ChaosReport, Planned

# What the warehouse does with an order (weights): partial picks, returns and cancels included.
FATES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("pick", "ship"), 25),
    (("pick1", "pick", "ship"), 10),
    (("pick", "ship", "return"), 15),
    (("cancel",), 15),
    (("pick1",), 5),
    (("pick",), 5),
    ((), 25),
)


class Warehouse:
    """Works each order through its fate, one step at a time, spread over the run (so the router sees
    intermediate states sometimes and only the end state at other times); arms webhook knobs per move."""

    def __init__(
        self,
        sim: OngoingWmsSimulator,
        plans: Sequence[Planned],
        config: ChaosConfig,
        rng: random.Random,
        report: ChaosReport,
    ) -> None:
        self.sim = sim
        self.config = config
        self.rng = rng
        self.report = report
        fates, weights = zip(*FATES, strict=True)
        self.todo: dict[str, list[str]] = {p.wms_number: list(rng.choices(fates, weights)[0]) for p in plans}
        self.total_steps = sum(len(steps) for steps in self.todo.values())
        self.steps_done = 0
        self.started = time.monotonic()
        self.finished = anyio.Event()

    async def run(self) -> None:
        self.started = time.monotonic()
        while any(self.todo.values()):
            present = {o.number for o in self.sim.orders()}
            for number, steps in self.todo.items():
                if steps and number in present and self.rng.random() < 0.3:
                    self._step(number, steps.pop(0))
            await anyio.sleep(0.02)  # the warehouse's pace, not a wait for anything
        self.finished.set()

    def _step(self, number: str, step: str) -> None:
        if self.rng.random() < self.config.webhook_duplicate_rate:
            self.sim.webhooks.duplicate_next(1)
        if self.rng.random() < self.config.webhook_reorder_rate:
            self.sim.webhooks.reorder_next(1)
        order = self.sim.order(number)
        assert order is not None
        if step == "pick1":
            first = next((ln for ln in order.lines if ln.ordered > 1), None)
            self.sim.pick(number, {first.code or "": 1} if first else None)
        elif step == "pick":
            self.sim.pick(number)
        elif step == "ship":
            self.sim.ship(number, f"WB-{number}", tracking_url=f"https://track.example/{number}")
        elif step == "return":
            self.sim.return_lines(number, {order.lines[0].code or "": 1})
        elif step == "cancel":
            self.sim.cancel(number)
        self.steps_done += 1
        self.report.add(f"warehouse {step}")


async def inject_wms_faults(sim: OngoingWmsSimulator, config: ChaosConfig, rng: random.Random) -> None:
    """For every SOAP call seen, arm a fault for a coming call with the configured odds (the knobs are
    "next n calls"; rolling per observed call gives the rates per call), and keep latency on."""
    sim.faults.latency = config.latency
    seen = 0
    while True:
        count = len(sim.requests)
        for _ in range(count - seen):
            roll = rng.random()
            if len(sim.faults.armed()) >= 2:
                continue
            if roll < config.fail_rate:
                sim.faults.fail_next(1, status=500)
            elif roll < config.fail_rate + config.timeout_rate:
                sim.faults.commit_then_timeout(1, delay=config.wms_timeout + 0.5)
        seen = count
        await anyio.sleep(0.01)  # sampling the request log


async def inject_callback_faults(
    receivers: Mapping[str, CallbackReceiver], config: ChaosConfig, rng: random.Random
) -> None:
    """Sources answer 500 to a share of deliveries (transient: the router must retry, same delivery id),
    and refuse `config.refusals` early ones with 422 (permanent: a dead letter each, nothing more)."""
    seen = dict.fromkeys(receivers, 0)
    refusals = config.refusals
    while True:
        for name, receiver in receivers.items():
            count = len(receiver.deliveries())
            for _ in range(count - seen[name]):
                roll = rng.random()
                if refusals and roll < 0.1:
                    refusals -= 1
                    receiver.fail_next(1, status=422)
                elif roll < config.callback_fail_rate:
                    receiver.fail_next(1)
            seen[name] = count
        await anyio.sleep(0.02)  # sampling the receivers' records
