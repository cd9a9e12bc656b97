"""The connector contract: the same checks generated for every connector kind (`make_connector_suite`)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Callable, Sequence
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connectors.base import ConnectorContext, Deduplicator, Reporter, StockPusher
from router.domain import CanonicalOrder, EventKind, EventLine, Source, StockTarget, WarehouseEvent
from router.errors import InputError
from router.ingest import route

SUFFIX = "CT"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Harness:
    """One connector kind against its simulator, with an order the simulator knows."""

    connector_cls: type[Any]
    settings: dict[str, object]
    credentials: dict[str, str]
    payload: tuple[bytes, dict[str, str]]
    """A delivery of the known order, as the router would store it."""
    source_order_number: str
    bad_payloads: Sequence[tuple[bytes, dict[str, str], str]]
    """Invalid deliveries and the field each InputError must name."""
    stock_writes: Callable[[], int]
    """How many writes of stock figures the simulator has received."""
    article: str
    event_lines: tuple[EventLine, ...]


HarnessFactory = Callable[[], contextlib.AbstractAsyncContextManager[Harness]]


def source_of(harness: Harness) -> Source:
    return Source(
        id=1,
        name="contract",
        kind=harness.connector_cls.kind,
        suffix=SUFFIX,
        order_type="B2C",
        is_article_master=False,
        enabled=True,
        settings=harness.settings,
        has_credentials=True,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


@contextlib.asynccontextmanager
async def connector_of(harness: Harness) -> AsyncIterator[Any]:
    async with httpx.AsyncClient(timeout=10) as http:
        context = ConnectorContext(source=source_of(harness), credentials=harness.credentials, http=http)
        connector = harness.connector_cls(context)
        try:
            yield connector
        finally:
            close = getattr(connector, "aclose", None)
            if close is not None:
                await close()


def event(harness: Harness, kind: EventKind) -> WarehouseEvent:
    number = harness.source_order_number
    return WarehouseEvent(
        kind=kind,
        idempotency_key=f"{kind.value}:{number}-{SUFFIX}:contract",
        source_order_number=number,
        wms_order_number=f"{number}-{SUFFIX}",
        occurred_at=dt.datetime(2026, 2, 17, 9, 0, tzinfo=dt.UTC),
        wms_order_id=4711,
        lines=harness.event_lines if kind in {EventKind.PICKED, EventKind.SHIPPED, EventKind.RETURNED} else (),
        way_bill="WB-CT" if kind is EventKind.SHIPPED else None,
        tracking_url="https://track.example/WB-CT" if kind is EventKind.SHIPPED else None,
        reason="too late (picked)" if kind is EventKind.REJECTED else None,
    )


def make_connector_suite(kind: str, factory: HarnessFactory) -> type:
    """A test class with the contract's checks for one connector kind; `factory` starts its simulator."""

    class ConnectorContract:
        @pytest.fixture
        async def harness(self) -> AsyncIterator[Harness]:
            async with factory() as built:
                yield built

        async def test_normalize_gives_a_canonical_order_that_routing_suffixes(self, harness: Harness) -> None:
            async with connector_of(harness) as connector:
                result = connector.normalize(*harness.payload)
            assert isinstance(result, CanonicalOrder), result
            assert result.order_number == harness.source_order_number
            assert route(result, source_of(harness)).wms_order_number == f"{harness.source_order_number}-{SUFFIX}"

        async def test_a_duplicate_delivery_is_idempotent(self, harness: Harness) -> None:
            async with connector_of(harness) as connector:
                first, second = connector.normalize(*harness.payload), connector.normalize(*harness.payload)
                assert first == second
                if isinstance(connector, Deduplicator):
                    assert connector.dedup_key(*harness.payload) == connector.dedup_key(*harness.payload)

        async def test_bad_input_is_an_input_error_naming_the_field(self, harness: Harness) -> None:
            async with connector_of(harness) as connector:
                for body, headers, field in harness.bad_payloads:
                    with pytest.raises(InputError) as caught:
                        connector.normalize(body, headers)
                    assert caught.value.field == field

        @pytest.mark.parametrize("event_kind", list(EventKind))
        async def test_report_of_each_event_kind_is_accepted_or_not_applicable(
            self, harness: Harness, event_kind: EventKind
        ) -> None:
            async with connector_of(harness) as connector:
                assert isinstance(connector, Reporter)
                await connector.report(event(harness, event_kind))  # raises when refused

        async def test_push_stock_skips_unchanged_values(self, harness: Harness) -> None:
            async with connector_of(harness) as connector:
                assert isinstance(connector, StockPusher)
                await connector.push_stock(
                    [StockTarget(article_number=harness.article, available=Decimal(5), version=1)]
                )
                written = harness.stock_writes()
                await connector.push_stock(
                    [StockTarget(article_number=harness.article, available=Decimal(5), version=2)]
                )
                assert harness.stock_writes() == written
                await connector.push_stock(
                    [StockTarget(article_number=harness.article, available=Decimal(6), version=3)]
                )
                assert harness.stock_writes() > written

        async def test_credentials_never_appear_in_its_repr(self, harness: Harness) -> None:
            async with connector_of(harness) as connector:
                shown = repr(connector)
            assert all(secret not in shown for secret in harness.credentials.values())

    ConnectorContract.__name__ = ConnectorContract.__qualname__ = f"TestContract_{kind}"
    return ConnectorContract
