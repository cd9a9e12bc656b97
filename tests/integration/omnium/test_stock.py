from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from router.domain import StockTarget
from router.errors import FatalUpstreamError
from simulators.omnium import OmniumSimulator


def target(article: str, available: int, version: int) -> StockTarget:
    return StockTarget(article_number=article, available=Decimal(available), version=version)


def update_many(sim: OmniumSimulator) -> list[Any]:
    return [r for r in sim.requests if r.path == "/api/Inventory/UpdateMany"]


async def test_stock_is_pushed_in_batches_and_unchanged_values_are_skipped(
    sim: OmniumSimulator, make_connector: Any
) -> None:
    connector = make_connector(inventory_batch_size=2)
    await connector.push_stock([target(f"SKU-{i}", 10 + i, 1) for i in range(5)])
    calls = update_many(sim)
    assert [len(c.body) for c in calls] == [2, 2, 1]
    assert all(c.query == {"isReservedInventoryOverwritten": "false"} for c in calls)
    assert calls[0].body[0] == {"sku": "SKU-0", "warehouseCode": "oslo-warehouse", "inventory": 10}
    assert sim.inventory_item("SKU-4", "oslo-warehouse").inventory == Decimal(14)

    await connector.push_stock(
        [target("SKU-0", 10, 2), target("SKU-1", 99, 1), target("SKU-2", 7, 3), target("SKU-2", 8, 2)]
    )
    calls = update_many(sim)
    assert len(calls) == 4
    assert calls[-1].body == [{"sku": "SKU-2", "warehouseCode": "oslo-warehouse", "inventory": 7}]
    assert sim.inventory_item("SKU-1", "oslo-warehouse").inventory == Decimal(11)  # an older version lost


async def test_pushing_stock_needs_a_warehouse_code(sim: OmniumSimulator, make_connector: Any) -> None:
    connector = make_connector(inventory_warehouse_code=None)
    with pytest.raises(FatalUpstreamError, match="inventory_warehouse_code"):
        await connector.push_stock([target("SKU-1", 1, 1)])
    assert update_many(sim) == []


async def test_a_throttled_batch_is_sent_again_after_retry_after(
    sim: OmniumSimulator, make_connector: Any, clock: Any
) -> None:
    connector = make_connector()
    sim.throttle_next(1, retry_after=3)
    await connector.push_stock([target("SKU-1", 5, 1)])
    assert [c.status for c in update_many(sim)] == [429, 200]
    assert clock.slept == [3]
    assert sim.inventory_item("SKU-1", "oslo-warehouse").inventory == Decimal(5)
