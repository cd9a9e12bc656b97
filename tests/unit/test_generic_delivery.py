from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest

from connectors.base import ConnectorContext
from connectors.generic import GenericConnector
from router.domain import EventKind, Source, StockTarget, WarehouseEvent
from router.errors import FatalUpstreamError, RetriableUpstreamError

TARGETS = [StockTarget(article_number="A-1", available=Decimal(3), version=1)]


def connector(settings: dict[str, object]) -> GenericConnector:
    source = Source(
        id=1,
        name="se",
        kind="generic",
        suffix="SE",
        order_type="B2C",
        is_article_master=False,
        enabled=True,
        settings=settings,
        has_credentials=False,
        created_at=dt.datetime.now(dt.UTC),
    )
    return GenericConnector(ConnectorContext(source=source))  # no HTTP client: any send attempt fails loudly


async def test_a_source_with_a_callback_url_is_sent_its_stock() -> None:
    with pytest.raises(FatalUpstreamError, match="HTTP client"):
        await connector({"callback_url": "http://127.0.0.1:9/cb"}).push_stock(TARGETS)


async def test_a_source_without_a_callback_url_is_not_sent_stock() -> None:
    # With no HTTP client, any attempt to send raises (as the test above shows); returning is the proof.
    assert await connector({}).push_stock(TARGETS) is None


async def test_events_without_a_callback_url_fail_visibly() -> None:
    event = WarehouseEvent(
        kind=EventKind.SHIPPED,
        idempotency_key="shipped:1-SE",
        source_order_number="1",
        wms_order_number="1-SE",
        occurred_at=dt.datetime.now(dt.UTC),
    )
    with pytest.raises(FatalUpstreamError, match="callback_url"):
        await connector({}).report(event)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (200, None),
        (204, None),
        (302, FatalUpstreamError),
        (400, FatalUpstreamError),
        (408, RetriableUpstreamError),
        (429, RetriableUpstreamError),
        (503, RetriableUpstreamError),
    ],
)
def test_callback_answers_are_classified(status: int, error: type[Exception] | None) -> None:
    response = httpx.Response(status, headers={"Retry-After": "7"}, text="x")
    if error is None:
        assert connector({}).classify_response(response) is None
    else:
        with pytest.raises(error) as raised:
            connector({}).classify_response(response)
        if error is RetriableUpstreamError:
            assert raised.value.retry_after == 7.0
