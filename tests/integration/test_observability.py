"""Metrics move as orders flow, health and readiness tell the truth, and no secret reaches a log line."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import structlog
from prometheus_client.parser import text_string_to_metric_families

from router.crypto import parse_api_key
from router.logs import configure_logging
from router.settings import FanbackSettings, WmsSettings
from router.testing import ADMIN_KEY, SECRET_KEY, RouterUnderTest, make_settings, order_json, running_router
from simulators.callback import CallbackReceiver
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually

USER, PASSWORD, GOODS_OWNER = "WSI-observe", "wms-Pa55word-obs", "GO1"
HOOK_SECRET = "wms-hook-secret-obs-77"
CALLBACK_SECRET = "obs-callback-secret-Tr4"
UPSTREAM_TOKEN = "upstream-token-obs-Kk9"
SOURCE = "obsse"


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with OngoingWmsSimulator(username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        sim.add_article("OB-1", stock=50)
        yield sim


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver({SOURCE: CALLBACK_SECRET}) as rx:
        yield rx


def settings_for(db_dsn: str, wms_url: str) -> Any:
    wms = WmsSettings(url=wms_url, username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER, timeout=2.0)
    fanback = FanbackSettings(poll_seconds=0.2, overlap_seconds=5, webhook_secret=HOOK_SECRET)
    return dataclasses.replace(make_settings(db_dsn, wms=wms), fanback=fanback)


async def scrape(router: RouterUnderTest) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics by (name, sorted labels)."""
    async with httpx.AsyncClient(base_url=router.url) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def total(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    return sum(
        value
        for (sample, sample_labels), value in samples.items()
        if sample == name and set(labels.items()) <= set(sample_labels)
    )


async def push(router: RouterUnderTest, key: str, body: Any) -> httpx.Response:
    async with router.client(key) as client:
        return await client.post(f"/api/sources/{SOURCE}/orders", json=body)


async def delivered(router: RouterUnderTest, key: str, number: str, kind: str) -> bool:
    async with router.client(key) as client:
        events = (await client.get(f"/api/sources/{SOURCE}/orders/{number}")).json()["events"]
    return any(e["kind"] == kind and e["state"] == "delivered" for e in events)


async def register(router: RouterUnderTest, receiver: CallbackReceiver) -> str:
    return await router.add_source(
        SOURCE,
        "OB",
        settings={"callback_url": receiver.url_for(SOURCE)},
        credentials={"callback_secret": CALLBACK_SECRET, "api_token": UPSTREAM_TOKEN},
    )


async def test_metrics_move_as_orders_flow_into_the_wms_and_events_back(
    db_dsn: str, wms: OngoingWmsSimulator, receiver: CallbackReceiver
) -> None:
    async with running_router(settings_for(db_dsn, wms.url)) as router:
        key = await register(router, receiver)
        before = await scrape(router)
        for number in ("1", "2", "3"):
            assert (await push(router, key, order_json(number, article="OB-1"))).status_code == 202
        assert (await push(router, key, order_json("1", article="OB-1"))).status_code == 202  # a duplicate
        assert (await push(router, key, {"order_number": "4"})).status_code == 422
        for number in ("1", "2", "3"):
            await eventually(lambda n=number: wms.order(f"{n}-OB") is not None, what=f"{number}-OB in the WMS")
        wms.pick("1-OB")
        wms.ship("1-OB", way_bill="WB-1", tracking_url="https://track.example/WB-1", transporter="PostNord")
        await eventually(lambda: delivered(router, key, "1", "shipped"), what="shipped delivered")
        async with httpx.AsyncClient(base_url=router.url) as client:  # a WMS webhook for an order not ours
            foreign = await client.post(
                "/hooks/wms", json={"orderNumber": "9999-XX"}, headers={"X-Webhook-Secret": HOOK_SECRET}
            )
        assert foreign.status_code == 202

        async def moved() -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
            after = await scrape(router)
            return (
                after
                if total(after, "router_wms_dispatch_total") - total(before, "router_wms_dispatch_total") >= 3
                else None
            )

        after = await eventually(moved, what="dispatches counted")

    def delta(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert delta("router_orders_ingested_total", source=SOURCE, outcome="created") == 3
    assert delta("router_orders_ingested_total", source=SOURCE, outcome="duplicate") == 1
    assert delta("router_inbox_payloads_total", source=SOURCE, fate="accepted") == 4
    assert delta("router_inbox_payloads_total", source=SOURCE, fate="rejected") == 1
    assert delta("router_wms_dispatch_seconds_count", kind="order.send") >= 3
    assert delta("router_events_created_total", kind="shipped") >= 1
    assert delta("router_events_delivered_total", kind="shipped") >= 1
    assert delta("router_foreign_events_ignored_total") >= 1


async def test_healthz_and_readyz_report_the_database_and_the_wms(db_dsn: str, wms: OngoingWmsSimulator) -> None:
    async with running_router(settings_for(db_dsn, wms.url)) as router, httpx.AsyncClient(base_url=router.url) as c:
        assert (await c.get("/healthz")).json() == {"status": "ok"}
        ready = await c.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"ready": True, "checks": {"database": "ok", "wms": "ok"}}
    with socket.socket() as closed:  # a port nothing listens on: the WMS is unreachable
        closed.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{closed.getsockname()[1]}/observe/service.asmx"
    async with running_router(settings_for(db_dsn, dead_url)) as router, httpx.AsyncClient(base_url=router.url) as c:
        assert (await c.get("/healthz")).status_code == 200  # alive, just not ready
        unready = await c.get("/readyz")
        assert unready.status_code == 503
        body = unready.json()
        assert body["ready"] is False
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["wms"].startswith("failed")


@pytest.fixture
def production_logs() -> Iterator[io.StringIO]:
    """The logging `router serve` installs (debug level, JSON lines, redaction), written to a buffer we read.

    Only the output stream differs from production; the old configuration comes back afterwards.
    """
    old = structlog.get_config()
    buffer = io.StringIO()
    configure_logging("debug", json=True)
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(buffer))
    yield buffer
    structlog.reset_defaults()
    structlog.configure(**old)


async def test_no_secret_appears_in_any_log_line_through_a_full_flow(
    db_dsn: str,
    wms: OngoingWmsSimulator,
    receiver: CallbackReceiver,
    production_logs: io.StringIO,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_router(settings_for(db_dsn, wms.url)) as router:
        key = await register(router, receiver)
        async with router.client(key) as client:
            assert (
                await client.post(f"/api/sources/{SOURCE}/orders", json=order_json("7", article="OB-1"))
            ).status_code == 202
            bad = await client.post(
                f"/api/sources/{SOURCE}/orders", json={"order_number": "8"}, headers={"X-API-Key": key}
            )
            assert bad.status_code == 422
            # Presented in the wrong place and to the wrong source: failures are logged without the key.
            assert (await client.get("/api/sources/other/orders")).status_code == 404
        async with httpx.AsyncClient(base_url=router.url) as anonymous:
            assert (await anonymous.get("/api/sources", headers={"Authorization": f"Bearer {key}x"})).status_code == 401
            hook = await anonymous.post(
                "/hooks/wms", json={"orderNumber": "7-OB"}, headers={"X-Webhook-Secret": HOOK_SECRET}
            )
            assert hook.status_code == 202
        await eventually(lambda: wms.order("7-OB") is not None, what="7-OB in the WMS")
        wms.pick("7-OB")
        wms.ship("7-OB", way_bill="WB-7")
        await eventually(lambda: delivered(router, key, "7", "shipped"), what="shipped delivered")
        assert receiver.deliveries(SOURCE, "shipped")[0].signature_ok
    lines = [line for line in production_logs.getvalue().splitlines() if line.strip()]
    events = {json.loads(line)["event"] for line in lines}
    assert {"router.serving", "order.ingested", "dispatch.placed", "event.delivered"} <= events, events
    lines += [record.getMessage() for record in caplog.records]  # the libraries' stdlib logging too
    secret_part = parse_api_key(key).secret
    for secret in (key, secret_part, ADMIN_KEY, SECRET_KEY, CALLBACK_SECRET, UPSTREAM_TOKEN, HOOK_SECRET, PASSWORD):
        leaking = [line for line in lines if secret in line]
        assert not leaking, f"{secret[:6]}… is logged: {leaking[:3]}"
