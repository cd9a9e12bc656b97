from __future__ import annotations

import datetime as dt
from decimal import Decimal

from router.cancel import too_late_reason
from router.domain import EventKind, WmsOrderLineStatus, WmsOrderStatus
from router.fanback import Emitted, counters_after, derive_events

NOW = dt.datetime(2026, 11, 23, 11, 0, tzinfo=dt.UTC)


def line(
    line_id: str, ordered: int, picked: int = 0, *, returned: int = 0, reported: int | None = None
) -> WmsOrderLineStatus:
    return WmsOrderLineStatus(
        line_id=line_id,
        article_number=f"A-{line_id}",
        ordered=Decimal(ordered),
        picked=Decimal(picked),
        allocated=Decimal(0),
        reported=None if reported is None else Decimal(reported),
        returned=Decimal(returned),
    )


def order(status: int, *lines: WmsOrderLineStatus, way_bill: str | None = None) -> WmsOrderStatus:
    return WmsOrderStatus(
        order_id=1001,
        order_number="5178-EU",
        status_number=status,
        status_text=None,
        order_type="B2C",
        way_bill=way_bill,
        lines=lines,
        tracking_url="https://track/1" if way_bill else None,
        transporter="PN" if way_bill else None,
    )


def derive(wms: WmsOrderStatus, emitted: dict[str, Emitted] | None = None) -> list:
    return derive_events(wms, source_order_number="5178", emitted=emitted or {}, now=NOW)


def test_an_open_order_implies_nothing() -> None:
    assert derive(order(200, line("1", 2), line("2", 1))) == []


def test_a_partial_pick_reports_deltas_per_line() -> None:
    [event] = derive(order(400, line("1", 2, picked=1), line("2", 1)))
    assert event.kind is EventKind.PICKED
    assert [(ln.line_id, ln.quantity) for ln in event.lines] == [("1", 1)]
    assert event.source_order_number == "5178"


def test_reading_the_same_snapshot_again_gives_the_same_key() -> None:
    snapshot = order(400, line("1", 2, picked=1))
    assert derive(snapshot)[0].idempotency_key == derive(snapshot)[0].idempotency_key


def test_a_second_pick_before_the_first_was_accepted_counts_only_the_difference() -> None:
    [event] = derive(order(400, line("1", 3, picked=3)), {"1": Emitted(picked=Decimal(1))})
    assert [(ln.line_id, ln.quantity) for ln in event.lines] == [("1", 2)]
    assert event.idempotency_key != derive(order(400, line("1", 3, picked=1)))[0].idempotency_key


def test_shipping_reports_every_picked_line_with_tracking_once() -> None:
    [event] = derive(
        order(450, line("1", 2, picked=2), line("2", 1, picked=1), way_bill="WB1"), {"1": Emitted(picked=Decimal(1))}
    )
    assert event.kind is EventKind.SHIPPED
    assert [(ln.line_id, ln.quantity) for ln in event.lines] == [("1", 2), ("2", 1)]
    assert (event.way_bill, event.tracking_url, event.transporter) == ("WB1", "https://track/1", "PN")
    assert event.idempotency_key == "shipped:5178-EU"


def test_a_partial_delivery_ships_what_was_picked() -> None:
    [event] = derive(order(450, line("1", 2, picked=1), line("2", 1)))
    assert [(ln.line_id, ln.quantity) for ln in event.lines] == [("1", 1)]


def test_a_cancelled_order_is_only_cancelled() -> None:
    [event] = derive(order(1000, line("1", 2)))
    assert event.kind is EventKind.CANCELLED
    assert event.idempotency_key == "cancelled:5178-EU"


def test_returns_are_deltas_against_what_was_already_reported() -> None:
    shipped = {"1": Emitted(picked=Decimal(2), returned=Decimal(1))}
    events = derive(order(800, line("1", 2, picked=2, returned=2)), shipped)
    returned = [e for e in events if e.kind is EventKind.RETURNED]
    assert [(ln.line_id, ln.quantity) for ln in returned[0].lines] == [("1", 1)]
    assert derive(
        order(800, line("1", 2, picked=2, returned=1)), {"1": Emitted(picked=Decimal(2), returned=Decimal(1))}
    ) == [
        e
        for e in derive(
            order(800, line("1", 2, picked=2, returned=1)), {"1": Emitted(picked=Decimal(2), returned=Decimal(1))}
        )
        if e.kind is EventKind.SHIPPED
    ]


def test_counters_to_report_after_acceptance_are_cumulative() -> None:
    snapshot = order(400, line("1", 2, picked=2), line("2", 1))
    [event] = derive(snapshot)
    assert counters_after(event, snapshot) == {"reported": {"1": "2"}}
    returned = order(800, line("1", 2, picked=2, returned=1))
    ret = next(e for e in derive(returned, {"1": Emitted(picked=Decimal(2))}) if e.kind is EventKind.RETURNED)
    assert counters_after(ret, returned) == {"returned": {"1": "1"}}


def test_too_late_names_the_stage() -> None:
    assert too_late_reason(400, "Picked", shipped_from=450).startswith("too late (picked)")
    assert too_late_reason(320, "Allocated", shipped_from=450).startswith("too late (picked)")
    assert too_late_reason(450, "Sent", shipped_from=450).startswith("too late (shipped)")
