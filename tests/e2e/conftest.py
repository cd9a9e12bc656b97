"""End to end per platform kind: the platform's simulator, a running router, the WMS simulator, real PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest

from router.settings import FanbackSettings, LedgerSettings, Settings, WmsSettings
from router.testing import RouterUnderTest, make_settings, running_router
from simulators.ongoing_wms import OngoingWmsSimulator
from simulators.testing import eventually
from tests.support.wms import stocked_wms

USER, PASSWORD, GOODS_OWNER = "WSI-e2e", "wms-password", "GO1"
HOOK_SECRET = "wms-hook-secret"
STOCK = dict.fromkeys(("SKU-1", "SKU-2", "SKU-3"), 50)


@pytest.fixture
def wms() -> Iterator[OngoingWmsSimulator]:
    with stocked_wms(STOCK, username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER) as sim:
        yield sim


def e2e_settings(db_dsn: str, wms: OngoingWmsSimulator, *, stock: bool = False) -> Settings:
    """Fast fan-back polls; with `stock`, a stock read twice a second so WMS changes reach the sources."""
    wms_settings = WmsSettings(
        url=wms.url, username=USER, password=PASSWORD, goods_owner_code=GOODS_OWNER, timeout=5.0, strict_xml=True
    )
    ledger = LedgerSettings(sync_enabled=stock, full_sync_seconds=3600, delta_sync_seconds=0.5, settle_skew_seconds=0)
    fanback = FanbackSettings(poll_seconds=0.2, overlap_seconds=5, webhook_secret=HOOK_SECRET)
    return dataclasses.replace(make_settings(db_dsn, wms=wms_settings), ledger=ledger, fanback=fanback)


@pytest.fixture
async def router(db_dsn: str, wms: OngoingWmsSimulator) -> AsyncIterator[RouterUnderTest]:
    async with running_router(e2e_settings(db_dsn, wms)) as r:
        yield r


@pytest.fixture
async def stock_router(db_dsn: str, wms: OngoingWmsSimulator) -> AsyncIterator[RouterUnderTest]:
    async with running_router(e2e_settings(db_dsn, wms, stock=True)) as r:
        yield r


async def register(router: RouterUnderTest, **body: Any) -> dict[str, Any]:
    """Register a source through the admin API; fails the test when refused."""
    response = await router.admin.post("/api/sources", json=body)
    assert response.status_code == 201, response.text
    registered: dict[str, Any] = response.json()
    return registered


async def wms_status(wms: OngoingWmsSimulator, number: str, status: int) -> bool:
    """Whether the WMS simulator holds `number` in `status` (for `eventually`)."""
    order = wms.order(number)
    return order is not None and order.status == status


async def event_states(db: asyncpg.Pool, wms_number: str) -> dict[str, str]:
    """Each event kind of one order with its delivery state."""
    rows = await db.fetch(
        "SELECT e.kind, e.state FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.wms_order_number = $1",
        wms_number,
    )
    return {r["kind"]: r["state"] for r in rows}


async def delivered(db: asyncpg.Pool, wms_number: str, kind: str) -> bool:
    """Whether the owning source accepted an event of `kind` for the order."""
    return (await event_states(db, wms_number)).get(kind) == "delivered"


@pytest.fixture
def kit() -> SimpleNamespace:
    """Helpers handed to the test modules as one object."""
    return SimpleNamespace(
        register=register, wms_status=wms_status, event_states=event_states, delivered=delivered, eventually=eventually
    )
