"""The small Protocols a connector implements: identity and normalize always, the rest by capability."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar, Protocol, runtime_checkable

import httpx
import msgspec

from router.domain import (
    ArticleUpdate,
    CanonicalOrder,
    Ignored,
    PulledPayload,
    PullPage,
    Source,
    SourceCancellation,
    StockTarget,
    WarehouseEvent,
)
from router.errors import InputError

__all__ = [
    "ROUTER_SETTINGS",
    "Connector",
    "ConnectorContext",
    "Deduplicator",
    "Expander",
    "Puller",
    "Reporter",
    "StockPusher",
    "decode_error_to_input_error",
]


ROUTER_SETTINGS = frozenset({"order_number_template", "stock_buffer", "shortage_policy"})
"""Keys of `source.settings` the router itself reads; a connector with a strict settings model ignores them."""


class ConnectorContext(msgspec.Struct, frozen=True, kw_only=True):
    """What a connector instance is given: its source, that source's decrypted credentials, an HTTP client.

    `http` is shared by the process (connection pooling); connectors set their own base URL, headers and
    timeouts per request. It is None only where a connector is used without I/O (normalize in tests).
    """

    source: Source
    credentials: Mapping[str, object] = msgspec.field(default_factory=dict)
    http: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        """Never the credentials' values: only which ones are set."""
        return f"ConnectorContext(source={self.source.name!r}, credentials=<{', '.join(sorted(self.credentials))}>)"


@runtime_checkable
class Connector(Protocol):
    """**Protocol**: one kind of upstream system (Shopify, 24SevenOffice, the generic JSON push, ...).

    Instances are made per source with `cls(context)`. `normalize` is pure: raw bytes in, a canonical
    order or an `Ignored` out, or an `InputError` naming the offending field. Capabilities such as
    pulling, reporting events and pushing stock are further Protocols a connector may also implement.
    """

    kind: ClassVar[str]

    def __init__(self, context: ConnectorContext) -> None: ...

    # Optional: `@classmethod check_settings(cls, settings: Mapping[str, object]) -> None`, raising an
    # InputError naming `settings.<field>`; the sources API calls it before a source is saved.

    async def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Check an inbound webhook's signature on the raw body; raise AuthenticationFailed on mismatch."""
        ...

    def normalize(
        self, body: bytes, headers: Mapping[str, str]
    ) -> CanonicalOrder | ArticleUpdate | SourceCancellation | Ignored:
        """Turn one raw payload into a canonical order (or an article update, a cancellation, or Ignored)."""
        ...


@runtime_checkable
class Puller(Protocol):
    """**Protocol**: a connector whose system is polled (24SevenOffice, Omnium's safety net, shop backfill)."""

    async def pull(self, cursor: str | None) -> PullPage:
        """The next page of documents changed since `cursor` (None: the first full sync).

        The router stores every item raw, then advances to `page.cursor`; a page that fails is pulled again
        from the old cursor, so a connector reads with an overlap and the router de-duplicates.
        """
        ...


@runtime_checkable
class Expander(Protocol):
    """**Protocol**: a connector whose webhooks carry only references (Omnium's metadata-only events).

    The router stores the webhook raw, asks `references` (pure, so the webhook is answered at once) and
    fetches each reference in a job on the source's lane; every fetched document is stored raw and ingested
    like a pulled one, de-duplicated by its `external_id`.
    """

    def references(self, body: bytes, headers: Mapping[str, str]) -> Sequence[str]:
        """What the webhook points to (e.g. an order id); empty when it concerns nothing the router imports."""
        ...

    async def fetch(self, reference: str) -> Sequence[PulledPayload]:
        """The documents one reference stands for (Omnium: one per shipment), each with a versioned id."""
        ...


@runtime_checkable
class Deduplicator(Protocol):
    """**Protocol**: a connector whose platform delivers the same webhook more than once (Shopify, WooCommerce)."""

    def dedup_key(self, body: bytes, headers: Mapping[str, str]) -> str:
        """A key equal for every delivery of one event (raise InputError when the body names no order)."""
        ...


@runtime_checkable
class Reporter(Protocol):
    """**Protocol**: a connector that tells its system what the warehouse did with one of its orders.

    A reporter class that sets `wants_placed = True` is also sent a `placed` event (with the WMS OrderId)
    once the WMS has accepted each of its orders, e.g. to mark the order as in the warehouse upstream.
    """

    async def report(self, event: WarehouseEvent) -> None:
        """Deliver one event; raise RetriableUpstreamError to be retried, FatalUpstreamError to dead-letter.

        The same `event.idempotency_key` may be delivered more than once (after a crash); the connector
        makes that harmless where its system allows.
        """
        ...


@runtime_checkable
class StockPusher(Protocol):
    """**Protocol**: a connector that sets the quantity its system shows for sale."""

    async def push_stock(self, targets: Sequence[StockTarget]) -> None:
        """Set each article's available quantity; skip values the system already has."""
        ...


def decode_error_to_input_error(exc: msgspec.DecodeError | msgspec.ValidationError) -> InputError:
    """Map msgspec's message (`... - at `$.lines[0].quantity``) to an InputError naming the field."""
    text = str(exc)
    marker = " - at `"
    if marker in text:
        message, _, where = text.rpartition(marker)
        path = where.removesuffix("`").removeprefix("$").removeprefix(".")
    else:
        message, path = text, ""
    missing = message.removeprefix("Object missing required field `")
    if missing != message:
        field_name = missing.rstrip("`")
        path = f"{path}.{field_name}" if path else field_name
    if isinstance(exc, msgspec.DecodeError) and not isinstance(exc, msgspec.ValidationError):
        return InputError(f"body is not valid JSON: {text}", field=path or "body")
    return InputError(message or text, field=path or "body")
