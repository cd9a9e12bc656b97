"""The pull cursor: keyset paging on `modified`, an overlap window per cycle, and de-duplication by version."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import msgspec

from connectors.omnium.models import OrderHead, RawSearchResult, SearchRequest
from router.domain import PulledPayload, PullPage
from router.errors import FatalUpstreamError, InputError

if TYPE_CHECKING:
    from connectors.omnium.settings import OmniumSettings

__all__ = ["SHIPMENT_HEADER", "Cursor", "decode_cursor", "next_page", "payloads", "search_request"]

SHIPMENT_HEADER = "x-omnium-shipment-id"
"""The header of a stored payload naming the shipment that payload stands for (the body is the order)."""
ORDER_HEADER = "x-omnium-order-id"
_MAX_WINDOW = 10_000


class Cursor(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where the next pull starts. `seen` maps order ids to the `modified` already returned at or after `since`."""

    since: dt.datetime | None = None
    page: int = 0
    high: dt.datetime | None = None
    seen: dict[str, str] = msgspec.field(default_factory=dict)


def decode_cursor(cursor: str | None, settings: OmniumSettings) -> Cursor:
    """The router's opaque string back into a Cursor (None: the first sync)."""
    if cursor is None:
        return Cursor(since=settings.initial_modified_from)
    try:
        return msgspec.json.decode(cursor, type=Cursor)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise InputError(f"not an Omnium cursor: {exc}", field="cursor") from None


def search_request(cursor: Cursor, settings: OmniumSettings) -> SearchRequest:
    """`Orders/Search` for one page from the cursor, oldest change first."""
    if cursor.page * settings.page_size > _MAX_WINDOW:
        raise FatalUpstreamError(f"more than {_MAX_WINDOW} orders share one modified time; Omnium cannot page them")
    return SearchRequest(
        take=settings.page_size,
        page=cursor.page,
        modified_from=cursor.since,
        sort_order="ModifiedAscending",
        selected_statuses=[*settings.import_statuses, *settings.cancel_statuses],
        selected_stores=list(settings.store_ids) or None,
        selected_markets=list(settings.market_ids) or None,
        disable_facets=True,
    )


def _version(head: OrderHead) -> str:
    return head.modified.isoformat() if head.modified is not None else ""


def payloads(raw: bytes, head: OrderHead) -> tuple[PulledPayload, ...]:
    """One stored payload per shipment: the whole order document, the shipment named in a header.

    The external id carries the order's version (`{id}/{shipment}@{modified}`): the router stores each
    version once, so a later change (a cancellation) is imported and a re-read of the same one is not.
    """
    shipment_ids = [s.shipment_id for s in head.order_form.shipments] or [""]
    return tuple(
        PulledPayload(
            external_id=f"{head.id}/{shipment_id}@{_version(head)}",
            body=raw,
            headers={SHIPMENT_HEADER: shipment_id, ORDER_HEADER: head.id},
        )
        for shipment_id in shipment_ids
    )


def _prune(seen: dict[str, str], floor: dt.datetime | None) -> dict[str, str]:
    """Forget versions older than `floor` (no later query starts before it)."""
    if floor is None:
        return seen
    return {k: v for k, v in seen.items() if v and dt.datetime.fromisoformat(v) >= floor}


def next_page(cursor: Cursor, result: RawSearchResult, settings: OmniumSettings) -> PullPage:
    """Turn one search page into stored payloads (new versions only) and the cursor after it.

    A full page continues by keyset (`modifiedFrom` = the page's last `modified`; page offsets only while
    a whole page shares one time, so changes during paging never shift an order past us). A short page
    ends the cycle: the next starts `overlap_seconds` before the newest change seen, and `seen` drops
    what the overlap reads again.
    """
    seen = dict(cursor.seen)
    high = cursor.high
    items: list[PulledPayload] = []
    last: dt.datetime | None = None
    for raw in result.result:
        try:
            head = msgspec.json.decode(raw, type=OrderHead)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise FatalUpstreamError(f"Orders/Search returned an order without id or shipments: {exc}") from None
        last = head.modified
        if head.modified is not None:
            high = head.modified if high is None else max(high, head.modified)
        if seen.get(head.id) == _version(head) and head.modified is not None:
            continue
        seen[head.id] = _version(head)
        items.extend(payloads(bytes(raw), head))
    # The next cycle starts `overlap` before the newest change: what is older can never come back unchanged.
    floor = high - dt.timedelta(seconds=settings.overlap_seconds) if high is not None else cursor.since
    seen = _prune(seen, floor)
    if len(result.result) >= settings.page_size:
        if last is not None and (cursor.since is None or last > cursor.since):
            following = Cursor(since=last, page=0, high=high, seen=seen)
        else:
            following = Cursor(since=cursor.since, page=cursor.page + 1, high=high, seen=seen)
        return PullPage(items=tuple(items), cursor=_encode(following), more=True)
    following = Cursor(since=floor, page=0, high=high, seen=seen)
    return PullPage(items=tuple(items), cursor=_encode(following), more=False)


def _encode(cursor: Cursor) -> str:
    return msgspec.json.encode(cursor).decode()
