from __future__ import annotations

from typing import Any

import httpx

from bench._cluster import register
from router.testing import order_json
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually


async def push(url: str, key: str, number: str) -> None:
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
        response = await client.post("/api/sources/se/orders", json=order_json(number))
    assert response.status_code == 202, response.text


def committed_posts(sim: OngoingWmsSimulator, number: str) -> int:
    return sum(
        1 for r in sim.requests if r.operation == "ProcessOrder" and r.committed and r.fields.get("number") == number
    )


async def test_sigkill_mid_dispatch_then_restart_loses_and_duplicates_nothing(
    spawn: Any, healthy: Any, wms: OngoingWmsSimulator
) -> None:
    first = spawn()
    await healthy(first)
    key = await register(first.url, "se", "SE")

    # The WMS commits the first order, then holds the answer: the router is mid-dispatch when killed.
    wms.faults.commit_then_timeout(1, delay=60, operation="ProcessOrder")
    for n in range(1, 6):
        await push(first.url, key, str(n))
    await eventually(lambda: committed_posts(wms, "1-SE") == 1, what="the first order committed in the WMS")
    first.kill()

    second = spawn()
    await healthy(second)
    for n in range(6, 9):
        await push(second.url, key, str(n))

    numbers = [f"{n}-SE" for n in range(1, 9)]
    await eventually(lambda: len(wms.orders()) == len(numbers), timeout=30, what="all orders in the WMS")
    assert sorted(o.number for o in wms.orders()) == sorted(numbers)
    assert {n: committed_posts(wms, n) for n in numbers} == dict.fromkeys(numbers, 1)

    async with httpx.AsyncClient(base_url=second.url, headers={"Authorization": f"Bearer {key}"}) as client:

        async def all_in_wms() -> bool:
            page = (await client.get("/api/sources/se/orders")).json()["items"]
            return len(page) == len(numbers) and all(o["state"] == "in_wms" for o in page)

        await eventually(all_in_wms, what="every order in_wms at the router")
        order_one = (await client.get("/api/sources/se/orders/1")).json()["order"]
    assert order_one["wms_order_id"] == wms.order("1-SE").order_id  # type: ignore[union-attr]


async def test_two_processes_at_once_each_order_exactly_once(
    spawn: Any, healthy: Any, wms: OngoingWmsSimulator
) -> None:
    wms.faults.latency = 0.005
    a, b = spawn(), spawn()
    await healthy(a)
    await healthy(b)
    key = await register(a.url, "se", "SE")
    for n in range(30):
        await push(a.url if n % 2 else b.url, key, str(100 + n))
    await eventually(lambda: len(wms.orders()) == 30, timeout=30, what="30 orders in the WMS")
    numbers = [o.number for o in wms.orders()]
    assert len(set(numbers)) == 30
    assert all(committed_posts(wms, n) == 1 for n in numbers)
