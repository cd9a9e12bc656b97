from __future__ import annotations

from typing import Any

import anyio
import httpx

from bench._cluster import register
from router.testing import order_json
from simulators.callback import CallbackReceiver
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually


async def test_sigkill_while_the_source_accepts_an_event_redelivers_it_once_with_the_same_id(
    spawn: Any, healthy: Any, wms: OngoingWmsSimulator
) -> None:
    with CallbackReceiver({"se": "cb-secret"}) as receiver:
        first = spawn()
        await healthy(first)
        key = await register(first.url, "se", "SE", callback_url=receiver.url_for("se"), callback_secret="cb-secret")
        async with httpx.AsyncClient(base_url=first.url, headers={"Authorization": f"Bearer {key}"}) as client:
            assert (await client.post("/api/sources/se/orders", json=order_json("42"))).status_code == 202
        await eventually(lambda: wms.order("42-SE") is not None, what="order in the WMS")

        # The source receives the shipment, then the router dies before its answer. Only `shipped` is held:
        # stock pushes after the order's reservation go to the same receiver and must pass.
        holding = receiver.hold_next("shipped")
        wms.pick("42-SE")
        wms.ship("42-SE", way_bill="WB-42")
        assert await anyio.to_thread.run_sync(holding.wait, 30), "the shipment never reached the source"
        first.kill()
        receiver.release()

        second = spawn()
        await healthy(second)
        await eventually(lambda: len(receiver.deliveries("se", "shipped")) == 2, timeout=30, what="re-delivery")
        await eventually(
            lambda: wms.order("42-SE").lines[0].reported == 1,  # type: ignore[union-attr]
            timeout=30,
            what="picked counter reported after the source accepted",
        )
    deliveries = receiver.deliveries("se", "shipped")
    assert len(deliveries) == 2
    assert deliveries[0].delivery_id == deliveries[1].delivery_id
    assert all(d.signature_ok for d in deliveries)
