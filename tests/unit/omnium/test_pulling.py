from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec
import pytest

from connectors.omnium.models import RawSearchResult
from connectors.omnium.pulling import decode_cursor, next_page
from connectors.omnium.settings import parse_settings
from router.errors import InputError

T0 = dt.datetime(2026, 2, 17, 8, 0, tzinfo=dt.UTC)
SETTINGS = parse_settings({"base_url": "https://x.test", "page_size": 2, "overlap_seconds": 60})


def doc(order_id: str, minute: float, shipments: tuple[str, ...] = ("1",)) -> dict[str, Any]:
    modified = (T0 + dt.timedelta(minutes=minute)).isoformat()
    return {"id": order_id, "modified": modified, "orderForm": {"shipments": [{"shipmentId": s} for s in shipments]}}


def page(*docs: dict[str, Any]) -> RawSearchResult:
    return msgspec.json.decode(json.dumps({"result": list(docs), "totalHits": 99}), type=RawSearchResult)


def test_one_payload_per_shipment_with_the_order_as_body() -> None:
    result = next_page(decode_cursor(None, SETTINGS), page(doc("A", 0, ("1", "2"))), SETTINGS)
    assert [p.external_id.partition("@")[0] for p in result.items] == ["A/1", "A/2"]
    assert [p.headers["x-omnium-shipment-id"] for p in result.items] == ["1", "2"]
    assert json.loads(result.items[0].body)["id"] == "A"
    assert result.more is False


def test_a_full_page_continues_by_keyset_and_a_short_one_ends_with_the_overlap() -> None:
    first = next_page(decode_cursor(None, SETTINGS), page(doc("A", 0), doc("B", 5)), SETTINGS)
    assert first.more is True
    cursor = decode_cursor(first.cursor, SETTINGS)
    assert (cursor.since, cursor.page) == (T0 + dt.timedelta(minutes=5), 0)
    second = next_page(cursor, page(doc("B", 5)), SETTINGS)
    assert [p.external_id.partition("@")[0] for p in second.items] == []  # B was already returned at this version
    assert second.more is False
    end = decode_cursor(second.cursor, SETTINGS)
    assert end.since == T0 + dt.timedelta(minutes=4)  # newest change minus the 60 s overlap
    assert set(end.seen) == {"B"}  # A is older than the next query's start: forgotten


def test_a_new_version_inside_the_overlap_is_returned_again() -> None:
    cursor = decode_cursor(next_page(decode_cursor(None, SETTINGS), page(doc("B", 5)), SETTINGS).cursor, SETTINGS)
    again = next_page(cursor, page(doc("B", 5)), SETTINGS)
    changed = next_page(cursor, page(doc("B", 6)), SETTINGS)
    assert again.items == ()
    assert [p.external_id.partition("@")[0] for p in changed.items] == ["B/1"]


def test_a_full_page_sharing_one_time_pages_by_offset() -> None:
    cursor = decode_cursor(None, SETTINGS)
    start = msgspec.structs.replace(cursor, since=T0)
    result = next_page(start, page(doc("A", 0), doc("B", 0)), SETTINGS)
    following = decode_cursor(result.cursor, SETTINGS)
    assert (following.since, following.page) == (T0, 1)


def test_a_foreign_cursor_is_an_input_error() -> None:
    with pytest.raises(InputError) as raised:
        decode_cursor("{nope", SETTINGS)
    assert raised.value.field == "cursor"


def test_the_external_id_carries_the_version_so_a_changed_order_is_stored_again() -> None:
    first = next_page(decode_cursor(None, SETTINGS), page(doc("A", 0, ("1",))), SETTINGS)
    changed = next_page(decode_cursor(None, SETTINGS), page(doc("A", 5, ("1",))), SETTINGS)
    assert first.items[0].external_id.startswith("A/1@")
    assert first.items[0].external_id != changed.items[0].external_id
