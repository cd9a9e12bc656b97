"""pull against the simulator over loopback SOAP: full sync, changed-since, sessions, faults, fallback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
import structlog.testing
from lxml import etree

from connectors.tfso import TfsoConnector
from router.domain import CanonicalOrder, PullPage
from router.errors import FatalUpstreamError, RetriableUpstreamError
from simulators.tfso import TfsoSimulator

TNS = "http://24sevenOffice.com/webservices"
Make = Callable[..., TfsoConnector]


def _ids(page: PullPage) -> list[int]:
    return [int(item.headers["x-tfso-order-id"]) for item in page.items]


async def _drain(connector: TfsoConnector, cursor: str | None = None) -> tuple[list[int], str | None, int]:
    """Pull until `more` is false; returns every id, the last cursor and the number of pages."""
    seen: list[int] = []
    pages = 0
    while True:
        page = await connector.pull(cursor)
        pages += 1
        seen += _ids(page)
        cursor = page.cursor
        if not page.more:
            return seen, cursor, pages


async def test_full_sync_pages_through_every_confirmed_order_once(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    confirmed = [orders.add() for _ in range(5)]
    orders.add(status="Draft")
    connector = make_connector(page_size=2)
    seen, cursor, pages = await _drain(connector)
    assert sorted(seen) == confirmed
    assert len(seen) == len(set(seen))
    assert pages == 3
    assert msgspec.json.decode(cursor or "")["phase"] == "changed"
    assert len(sim.calls_to("GetOrderSyncList")) == 3
    assert [len(c.fields["order_ids"] or ()) for c in sim.calls_to("GetInvoices")] == [2, 2, 2]
    assert len(sim.calls_to("Login")) == 1  # the session is reused


async def test_items_are_the_raw_order_documents_and_normalize(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    order_id = orders.add()
    connector = make_connector()
    page = await connector.pull(None)
    [item] = page.items
    stored = sim.order(order_id)
    assert item.external_id == f"{order_id}@{stored.date_changed.isoformat()}"
    root = etree.fromstring(item.body)
    invoice = root.find(f"{{{TNS}}}InvoiceOrder")
    assert invoice is not None
    assert invoice.findtext(f"{{{TNS}}}OrderId") == str(order_id)
    assert invoice.find(f"{{{TNS}}}InvoiceRows/{{{TNS}}}InvoiceRow/{{{TNS}}}ProductNo").text == "A-1"
    canonical = connector.normalize(item.body, item.headers)
    assert isinstance(canonical, CanonicalOrder)
    assert canonical.order_number == str(order_id)
    assert canonical.lines[0].article_number == "A-1"


async def test_changed_phase_reads_since_the_watermark_minus_the_overlap(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    sim.clock.freeze(dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC))
    first = orders.add()
    connector = make_connector(overlap_seconds=300)
    page = await connector.pull(None)
    assert _ids(page) == [first]
    sim.clock.advance(3600)
    second = orders.add()
    later = await connector.pull(page.cursor)
    assert _ids(later) == [first, second]  # the first changed inside the overlap window: read again
    call = sim.calls_to("GetInvoices")[-1]
    assert call.fields["changed_after"] == dt.datetime(2024, 3, 1, 11, 55, tzinfo=dt.UTC)
    assert call.fields["order_states"] == ("Confirmed",)
    assert msgspec.json.decode(later.cursor or "")["since"] == "2024-03-01T13:00:00Z"


async def test_an_order_confirmed_later_is_pulled_then(sim: TfsoSimulator, orders: Any, make_connector: Make) -> None:
    draft = orders.add(status="Draft")
    connector = make_connector()
    page = await connector.pull(None)
    assert page.items == ()
    sim.set_status(draft, "Confirmed")
    assert _ids(await connector.pull(page.cursor)) == [draft]


async def test_session_expiry_mid_pull_logs_in_again_and_loses_nothing(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    confirmed = [orders.add() for _ in range(4)]
    connector = make_connector(page_size=2)
    page = await connector.pull(None)
    sim.expire_sessions_before("GetInvoices")  # the sync list still works, the next read faults
    rest, _, _ = await _drain(connector, page.cursor)
    seen = _ids(page) + rest
    assert sorted(seen) == confirmed
    assert len(seen) == len(set(seen))
    assert len(sim.calls_to("Login")) == 2
    assert [c.outcome for c in sim.calls_to("GetInvoices")] == ["ok", "no session", "ok"]


async def test_has_session_false_after_idle_means_login_without_a_failed_call(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    orders.add()
    connector = make_connector(session_check_seconds=0)
    page = await connector.pull(None)
    sim.expire_sessions()
    await connector.pull(page.cursor)
    assert [c.fields["live"] for c in sim.calls_to("HasSession")][-1] is False
    assert len(sim.calls_to("Login")) == 2
    assert all(c.outcome == "ok" for c in sim.calls_to("GetInvoices"))


async def test_a_failed_page_is_retried_from_the_old_cursor(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    confirmed = [orders.add() for _ in range(5)]
    connector = make_connector(page_size=2)
    first = await connector.pull(None)
    sim.faults.fail_next(1, operation="GetInvoices")
    with pytest.raises(RetriableUpstreamError) as caught:
        await connector.pull(first.cursor)
    assert caught.value.upstream_status == 500
    rest, _, _ = await _drain(connector, first.cursor)  # the caller retries with the cursor it still has
    seen = _ids(first) + rest
    assert sorted(seen) == confirmed
    assert len(seen) == len(set(seen))


async def test_phone_and_email_fall_back_to_the_company(sim: TfsoSimulator, orders: Any, make_connector: Make) -> None:
    bare = orders.add(phone=None, invoice_email=None)
    connector = make_connector()
    [item] = (await connector.pull(None)).items
    assert etree.fromstring(item.body).find(f"{{{TNS}}}Company") is not None
    canonical = connector.normalize(item.body, {})
    assert isinstance(canonical, CanonicalOrder)
    assert canonical.order_number == str(bare)
    assert canonical.ship_to.phone == "+47 900 00 000"
    assert canonical.ship_to.email == "post@kunde.no"
    assert sim.calls_to("GetCompanies")[0].fields["CompanyIds"] == (20002,)


async def test_no_company_lookup_when_the_order_has_phone_and_email(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    orders.add()
    [item] = (await make_connector().pull(None)).items
    assert etree.fromstring(item.body).find(f"{{{TNS}}}Company") is None
    assert sim.calls_to("GetCompanies") == []


async def test_import_state_moves_orders_only_after_the_next_pull(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    order_id = orders.add()
    connector = make_connector(import_state="Pack")
    page = await connector.pull(None)
    assert _ids(page) == [order_id]
    assert sim.order(order_id).order_status == "Confirmed"  # not before the router stored the page
    again = await connector.pull(page.cursor)
    assert sim.order(order_id).order_status == "Pack"
    assert again.items == ()  # no longer Confirmed
    assert [c.fields["invoices"] for c in sim.calls_to("SaveInvoices")] == [
        [{"OrderId": order_id, "OrderStatus": "Pack"}]
    ]


async def test_refused_login_is_fatal_and_keeps_the_password_out(sim: TfsoSimulator, make_connector: Make) -> None:
    connector = make_connector(
        credentials={
            "application_id": "5e1f3a0c-1111-4a2b-9c3d-000000000001",
            "username": "api@kunde.no",
            "password": "wrong-pw-xyz",
        }
    )
    with pytest.raises(FatalUpstreamError) as caught:
        await connector.pull(None)
    assert "Login" in str(caught.value)
    assert "wrong-pw-xyz" not in str(caught.value)
    assert "wrong-pw-xyz" not in (caught.value.body or "")
    assert [c.outcome for c in sim.calls_to("Login")] == ["refused"]
    assert all("wrong-pw-xyz" not in repr(c) for c in sim.calls)
    assert sim.calls_to("GetOrderSyncList") == []


async def test_credentials_never_reach_logs_reprs_or_errors(
    sim: TfsoSimulator, orders: Any, make_connector: Make
) -> None:
    orders.add(phone=None)
    connector = make_connector()
    with structlog.testing.capture_logs() as logs:
        page = await connector.pull(None)
        sim.expire_sessions_before("GetInvoices")
        await connector.pull(page.cursor)
        sim.faults.fail_next(1, operation="GetInvoices")
        with pytest.raises(RetriableUpstreamError) as caught:
            await connector.pull(page.cursor)
    secrets = ("hunter2-secret", "api@kunde.no", "5e1f3a0c-1111-4a2b-9c3d-000000000001", *sim.live_sessions())
    seen = " ".join([repr(logs), repr(connector), repr(connector.client), str(caught.value), caught.value.body or ""])
    assert logs
    assert not [s for s in secrets if s in seen]
