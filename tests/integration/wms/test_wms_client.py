"""WmsClient (strict zeep) against the Ongoing simulator over real loopback HTTP."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from router.domain import RoutedOrder
from router.errors import FatalUpstreamError, OutcomeUnknown, RetriableUpstreamError
from router.wms.client import WmsClient
from router.wms.mapping import WmsArticle

if TYPE_CHECKING:
    from simulators.ongoing_wms import OngoingWmsSimulator
    from tests.integration.wms.conftest import ManualClock

MakeRouted = Callable[..., RoutedOrder]
PASSWORD = "pw-Xq7-never-in-logs"  # the conftest's; repeated because tests cannot import each other


def requests_for(sim: OngoingWmsSimulator, operation: str) -> list[object]:
    return [r for r in sim.requests if r.operation == operation]


# --- ProcessOrder -----------------------------------------------------------------------------------


async def test_create_returns_the_wms_order_id(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    order_id = await client.process_order(make_routed("5178-SE", lines=(("1", "A1", 2), ("2", "A2", 1))))

    held = sim.order("5178-SE")
    assert held is not None
    assert held.order_id == order_id >= 1000
    assert held.order_type == "B2C"
    assert held.status == 200
    assert [(line.code, line.article_number, line.ordered) for line in held.lines] == [
        ("1", "A1", Decimal(2)),
        ("2", "A2", Decimal(1)),
    ]
    assert held.lines[0].line_price == Decimal("19.80")
    assert held.lines[0].currency == "SEK"
    assert (held.consignee.name, held.consignee.city, held.consignee.country_code) == (
        "Ada Lovelace",
        "Stockholm",
        "SE",
    )
    assert held.delivery_date is None  # sent as 0001-01-01T00:00:00


async def test_create_or_update_is_an_upsert_keeping_the_order_id(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    first = await client.process_order(make_routed("7-SE", lines=(("1", "A1", 2),)))
    second = await client.process_order(make_routed("7-SE", lines=(("1", "A1", 3), ("2", "A2", 1))))

    assert second == first
    assert len(sim.orders()) == 1
    held = sim.order("7-SE")
    assert held is not None
    assert [(line.code, line.ordered) for line in held.lines] == [("1", Decimal(3)), ("2", Decimal(1))]


async def test_create_of_an_existing_number_is_fatal(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    await client.process_order(make_routed("8-SE"), operation="Create")

    with pytest.raises(FatalUpstreamError, match="already exists") as caught:
        await client.process_order(make_routed("8-SE"), operation="Create")

    assert "already exists" in str(caught.value.context["wms_message"])
    assert caught.value.body is not None
    assert "false" in caught.value.body
    assert len(sim.orders()) == 1


async def test_remove_cancels_the_order(client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted) -> None:
    order_id = await client.process_order(make_routed("9-SE"))

    assert await client.cancel_order("9-SE") == order_id

    found = await client.find_order("9-SE")
    assert found is not None
    assert (found.status_number, found.status_text) == (1000, "Cancelled")
    assert sim.order("9-SE").status == 1000  # type: ignore[union-attr]


async def test_update_or_remove_once_released_is_fatal(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    await client.process_order(make_routed("10-SE"))
    sim.set_status("10-SE", 300)

    with pytest.raises(FatalUpstreamError, match="cannot be updated"):
        await client.process_order(make_routed("10-SE", lines=(("1", "A1", 5),)))
    with pytest.raises(FatalUpstreamError, match="cannot be cancelled"):
        await client.cancel_order("10-SE")

    held = sim.order("10-SE")
    assert held is not None
    assert (held.status, held.lines[0].ordered) == (300, Decimal(2))


async def test_update_of_a_missing_order_is_fatal(client: WmsClient, make_routed: MakeRouted) -> None:
    with pytest.raises(FatalUpstreamError, match="does not exist"):
        await client.process_order(make_routed("11-SE"), operation="Update")


async def test_unknown_article_is_fatal_with_the_wms_message(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    with pytest.raises(FatalUpstreamError) as caught:
        await client.process_order(make_routed("12-SE", lines=(("1", "NOPE-1", 1),)))

    assert "NOPE-1" in str(caught.value)
    assert "NOPE-1" in str(caught.value.context["wms_message"])
    assert sim.orders() == []


async def test_bad_password_on_a_write_is_fatal_and_never_echoed(
    bad_password_client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    with pytest.raises(FatalUpstreamError, match="Login failed") as caught:
        await bad_password_client.process_order(make_routed("13-SE"))

    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in (caught.value.body or "")
    assert sim.orders() == []


async def test_bad_password_on_a_read_is_a_fatal_client_fault(bad_password_client: WmsClient) -> None:
    # The simulator's answer (soap:Client fault, HTTP 500) is a guess: Ongoing documents none.
    with pytest.raises(FatalUpstreamError, match="soap:Client") as caught:
        await bad_password_client.find_order("anything")

    assert caught.value.upstream_status == 500
    assert "wrong-" not in str(caught.value)


async def test_ping_proves_credentials(
    client: WmsClient, bad_password_client: WmsClient, sim: OngoingWmsSimulator
) -> None:
    await client.ping()
    with pytest.raises(FatalUpstreamError):
        await bad_password_client.ping()
    assert len(requests_for(sim, "GetOrdersByQuery")) == 2


async def test_the_password_is_never_logged(
    client: WmsClient,
    sim: OngoingWmsSimulator,
    make_routed: MakeRouted,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # whatever an earlier configure_logging quietened
    await client.process_order(make_routed("50-SE"))
    sim.faults.fail_next(3, operation="GetOrdersByQuery")
    with pytest.raises(RetriableUpstreamError):
        await client.find_order("50-SE")

    assert "50-SE" in str(sim.requests[0].fields)
    assert any("service.asmx" in r.getMessage() for r in caplog.records)  # httpx logged the calls
    assert PASSWORD not in caplog.text
    assert PASSWORD not in capsys.readouterr().out  # stamina's retry log


async def test_repr_hides_the_password(client: WmsClient) -> None:
    assert PASSWORD not in repr(client)
    assert "GO-TEST" in repr(client)


# --- transport faults -------------------------------------------------------------------------------


async def test_http_500_on_a_read_is_retriable_after_three_attempts(
    client: WmsClient, sim: OngoingWmsSimulator
) -> None:
    sim.faults.fail_next(3, status=500, operation="GetOrdersByQuery")

    with pytest.raises(RetriableUpstreamError) as caught:
        await client.find_order("1-SE")

    assert not isinstance(caught.value, OutcomeUnknown)
    assert caught.value.upstream_status == 500
    assert len(requests_for(sim, "GetOrdersByQuery")) == 3


async def test_a_read_recovers_from_two_transient_failures(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    await client.process_order(make_routed("14-SE"))
    sim.faults.fail_next(2, status=503, operation="GetOrdersByQuery")

    found = await client.find_order("14-SE")

    assert found is not None
    assert found.order_number == "14-SE"
    assert [r.outcome for r in sim.requests if r.operation == "GetOrdersByQuery"] == [
        "failed with HTTP 503",
        "failed with HTTP 503",
        "ok",
    ]


async def test_http_429_is_retriable_with_retry_after(client: WmsClient, sim: OngoingWmsSimulator) -> None:
    sim.faults.fail_next(3, status=429)

    with pytest.raises(RetriableUpstreamError) as caught:
        await client.get_orders(status_from=200)

    assert caught.value.upstream_status == 429
    assert caught.value.retry_after == 1.0


async def test_http_500_on_process_order_is_outcome_unknown_and_not_retried(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    sim.faults.fail_next(1, status=500, operation="ProcessOrder")

    with pytest.raises(OutcomeUnknown):
        await client.process_order(make_routed("15-SE"))

    assert [r.committed for r in sim.requests if r.operation == "ProcessOrder"] == [False]
    assert sim.orders() == []


async def test_commit_then_timeout_is_outcome_unknown_but_the_order_exists(
    impatient_client: WmsClient, client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    sim.faults.commit_then_timeout(1, delay=5.0, operation="ProcessOrder")

    with pytest.raises(OutcomeUnknown, match="ReadTimeout"):
        await impatient_client.process_order(make_routed("16-SE"))

    held = sim.wait_until(lambda: sim.order("16-SE"))
    assert [r.committed for r in sim.requests if r.operation == "ProcessOrder"] == [True]
    found = await client.find_order("16-SE")  # the outbox's read-back
    assert found is not None
    assert found.order_id == held.order_id


async def test_a_dropped_connection_is_outcome_unknown(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    sim.faults.drop_next(1, operation="ProcessOrder")

    with pytest.raises(OutcomeUnknown, match="RemoteProtocolError"):
        await client.process_order(make_routed("17-SE"))

    assert sim.orders() == []
    assert [r.outcome for r in sim.requests] == ["dropped"]


async def test_connection_refused_is_retriable_even_for_writes(make_routed: MakeRouted) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    wms = await WmsClient.open(
        url=f"http://127.0.0.1:{port}/demo/service.asmx",
        username="u",
        password=PASSWORD,
        goods_owner_code="G",
    )
    try:
        with pytest.raises(RetriableUpstreamError, match="cannot connect") as caught:
            await wms.process_order(make_routed("18-SE"))
    finally:
        await wms.aclose()
    assert not isinstance(caught.value, OutcomeUnknown)


# --- reads --------------------------------------------------------------------------------------------


async def test_find_order_of_an_unknown_number_is_none(client: WmsClient) -> None:
    assert await client.find_order("nope-SE") is None


async def test_get_orders_filters_by_number_status_and_change_time(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted, clock: ManualClock
) -> None:
    for number in ("20-SE", "21-SE", "22-SE"):
        await client.process_order(make_routed(number))
    clock.advance(seconds=1)
    sim.set_status("21-SE", 400)
    sim.set_status("22-SE", 450)
    cutoff = sim.order("21-SE").updated_at  # type: ignore[union-attr]

    by_number = await client.get_orders(numbers=["20-SE", "22-SE"])
    by_status = await client.get_orders(status_from=300, status_to=449)
    changed = await client.get_orders(changed_since=cutoff)
    everything = await client.get_orders()

    assert sorted(o.order_number for o in by_number) == ["20-SE", "22-SE"]
    assert [o.order_number for o in by_status] == ["21-SE"]
    assert sorted(o.order_number for o in changed) == ["21-SE", "22-SE"]
    assert len(everything) == 3
    assert {o.order_number: o.status_text for o in everything}["22-SE"] == "Sent"


async def test_reported_counters_drive_only_lines_to_report(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    await client.process_order(make_routed("30-SE", lines=(("1", "A1", 2), ("2", "A2", 1))))
    await client.process_order(make_routed("31-SE"))
    sim.pick("30-SE")
    sim.ship("30-SE", way_bill="WB123")

    to_report = await client.get_orders(only_lines_to_report=True)
    assert [o.order_number for o in to_report] == ["30-SE"]
    assert to_report[0].way_bill == "WB123"
    assert [(line.line_id, line.picked, line.reported) for line in to_report[0].lines] == [
        ("1", Decimal(2), None),
        ("2", Decimal(1), None),
    ]

    await client.report_lines("30-SE", {"1": Decimal(2)})
    assert [o.order_number for o in await client.get_orders(only_lines_to_report=True)] == ["30-SE"]
    await client.report_lines("30-SE", {"2": Decimal(1)})
    assert await client.get_orders(only_lines_to_report=True) == []

    found = await client.find_order("30-SE")
    assert found is not None
    assert [line.reported for line in found.lines] == [Decimal(2), Decimal(1)]


async def test_reporting_an_unknown_line_is_fatal(client: WmsClient, make_routed: MakeRouted) -> None:
    await client.process_order(make_routed("32-SE"))
    with pytest.raises(FatalUpstreamError, match="line 9 not found"):
        await client.report_lines("32-SE", {"9": Decimal(1)})


# --- inventory and articles -------------------------------------------------------------------------


async def test_sellable_drops_on_create_and_recovers_on_remove(client: WmsClient, make_routed: MakeRouted) -> None:
    async def a1() -> tuple[Decimal | None, Decimal]:
        [line] = await client.get_inventory(article_numbers=["A1"])
        return line.sellable, line.on_hand

    assert await a1() == (Decimal(10), Decimal(10))
    await client.process_order(make_routed("40-SE", lines=(("1", "A1", 3),)))
    assert await a1() == (Decimal(7), Decimal(10))
    await client.process_order(make_routed("41-SE", lines=(("1", "A1", 9),)))
    assert await a1() == (Decimal(-2), Decimal(10))  # Ongoing lets sellable go negative
    await client.cancel_order("41-SE")
    await client.cancel_order("40-SE")
    assert await a1() == (Decimal(10), Decimal(10))


async def test_inventory_changed_since_returns_only_touched_articles(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted, clock: ManualClock
) -> None:
    cutoff = clock.advance(seconds=1)
    await client.process_order(make_routed("42-SE", lines=(("1", "A2", 1),)))

    lines = await client.get_inventory(changed_since=cutoff)

    assert [(line.article_number, line.sellable) for line in lines] == [("A2", Decimal(4))]
    assert len(await client.get_inventory()) == 2


async def test_process_article_creates_an_orderable_article(
    client: WmsClient, sim: OngoingWmsSimulator, make_routed: MakeRouted
) -> None:
    article_id = await client.process_article(WmsArticle(number="NEW-1", name="Teapot", barcode="7350000000001"))
    again = await client.process_article(WmsArticle(number="NEW-1", name="Teapot XL"))

    assert again == article_id > 0
    assert {a.number: a.name for a in sim.articles()}["NEW-1"] == "Teapot XL"
    assert await client.process_order(make_routed("43-SE", lines=(("1", "NEW-1", 1),))) > 0
    [line] = await client.get_inventory(article_numbers=["NEW-1"])
    assert (line.article_name, line.on_hand, line.sellable) == ("Teapot XL", Decimal(0), Decimal(-1))
