"""Request and response bodies of the REST API (msgspec Structs; PATCH uses UNSET)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from router.domain import Source

Name = Annotated[str, msgspec.Meta(pattern="^[a-z0-9][a-z0-9_-]{0,62}$", description="lower-case slug")]
Kind = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Suffix = Annotated[str, msgspec.Meta(min_length=1, max_length=10, description="1-10 of A-Z, 0-9")]
OrderTypeCode = Annotated[str, msgspec.Meta(pattern="^[A-Za-z0-9_-]{1,20}$", description="e.g. B2C, B2B")]


class SourceCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Register a source."""

    name: Name
    kind: Kind
    suffix: Suffix
    order_type: OrderTypeCode
    is_article_master: bool = False
    settings: dict[str, Any] = msgspec.field(default_factory=dict)
    credentials: dict[str, Any] | None = None


class SourcePatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Change a source; absent fields stay as they are, `credentials: null` removes them."""

    kind: Kind | msgspec.UnsetType = msgspec.UNSET
    suffix: Suffix | msgspec.UnsetType = msgspec.UNSET
    order_type: OrderTypeCode | msgspec.UnsetType = msgspec.UNSET
    is_article_master: bool | msgspec.UnsetType = msgspec.UNSET
    settings: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    credentials: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET
    enabled: bool | msgspec.UnsetType = msgspec.UNSET


class SourceOut(msgspec.Struct, frozen=True, kw_only=True):
    """A source as the API shows it: credentials only as set or not."""

    name: str
    kind: str
    suffix: str
    order_type: str
    is_article_master: bool
    enabled: bool
    settings: dict[str, Any]
    has_credentials: bool
    created_at: dt.datetime

    @classmethod
    def of(cls, source: Source) -> SourceOut:
        """From the domain Source."""
        return cls(
            name=source.name,
            kind=source.kind,
            suffix=source.suffix,
            order_type=source.order_type,
            is_article_master=source.is_article_master,
            enabled=source.enabled,
            settings=source.settings,
            has_credentials=source.has_credentials,
            created_at=source.created_at,
        )


class SourceCreated(msgspec.Struct, frozen=True, kw_only=True):
    """A registered source and its API key, shown this once."""

    source: SourceOut
    api_key: str


class OrderAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to an order push."""

    outcome: str
    source_order_number: str | None
    wms_order_number: str | None
    revision: int | None
    inbox_id: int


class OrderOut(msgspec.Struct, frozen=True, kw_only=True):
    """One order's status as its source (or the admin) sees it."""

    source: str
    source_order_number: str
    wms_order_number: str
    order_type: str
    state: str
    revision: int
    wms_order_id: int | None
    wms_status: int | None
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    placed_at: dt.datetime | None

    @classmethod
    def of(cls, row: Any) -> OrderOut:
        """From an orders row joined with its source name."""
        return cls(
            source=row["source_name"],
            source_order_number=row["source_order_number"],
            wms_order_number=row["wms_order_number"],
            order_type=row["order_type"],
            state=row["state"],
            revision=row["revision"],
            wms_order_id=row["wms_order_id"],
            wms_status=row["wms_status"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            placed_at=row["placed_at"],
        )


class EventOut(msgspec.Struct, frozen=True, kw_only=True):
    """One warehouse event of an order and whether its source has accepted it."""

    kind: str
    delivery_id: str
    state: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    attempts: int
    last_error: str | None
    reason: str | None = None
    way_bill: str | None = None
    tracking_url: str | None = None
    lines: list[dict[str, Any]] = msgspec.field(default_factory=list)

    @classmethod
    def of(cls, row: Any) -> EventOut:
        """From an order_events row."""
        payload = row["payload"]
        return cls(
            kind=row["kind"],
            delivery_id=row["idempotency_key"],
            state=row["state"],
            created_at=row["created_at"],
            delivered_at=row["delivered_at"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            reason=payload.get("reason"),
            way_bill=payload.get("way_bill"),
            tracking_url=payload.get("tracking_url"),
            lines=list(payload.get("lines") or []),
        )


class OrderDetail(msgspec.Struct, frozen=True, kw_only=True):
    """One order with its event timeline."""

    order: OrderOut
    events: list[EventOut]


class CancelAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """A cancellation request: the WMS lane decides, and the source gets `cancelled` or `rejected`."""

    source_order_number: str
    wms_order_number: str
    state: str
    cancel_requested: bool


class ForeignSummary(msgspec.Struct, frozen=True, kw_only=True):
    """WMS orders the router did not create: seen, counted, never delivered."""

    orders: int
    events_ignored: int
    last_seen_at: dt.datetime | None
    recent: list[dict[str, Any]]


class Page(msgspec.Struct, frozen=True, kw_only=True):
    """A page of items, newest first; pass `next_before` as `before` for the next page."""

    items: list[Any]
    next_before: int | None


class DeadLetterOut(msgspec.Struct, frozen=True, kw_only=True):
    """A failed delivery."""

    id: int
    lane: str
    kind: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    failed_at: dt.datetime | None
    source: str | None
    source_order_number: str | None
    wms_order_number: str | None


class InboxOut(msgspec.Struct, frozen=True, kw_only=True):
    """A stored raw payload's fate (the body itself via /api/inbox/{id}/body)."""

    id: int
    channel: str
    received_at: dt.datetime
    state: str
    error: dict[str, Any] | None
    size: int
