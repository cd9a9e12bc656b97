"""Fixtures for integration tests: a router on loopback over the test's own database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from router.testing import RouterUnderTest, make_settings, order_json, running_router


@pytest.fixture
async def router(db_dsn: str) -> AsyncIterator[RouterUnderTest]:
    """A router with no WMS configured (API only, nothing dispatched)."""
    async with running_router(make_settings(db_dsn)) as r:
        yield r


@pytest.fixture
def make_order() -> Any:
    """The order_json builder."""
    return order_json
