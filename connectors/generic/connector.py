"""GenericConnector: canonical JSON in, validated CanonicalOrder out."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import ClassVar

import httpx
import msgspec

from connectors._http import raise_for_upstream_status
from connectors._webhooks import credential, header
from connectors.base import ConnectorContext, decode_error_to_input_error
from connectors.generic.models import OrderIn
from router.domain import Address, CanonicalOrder, Ignored, OrderLine, StockTarget, WarehouseEvent
from router.errors import AuthenticationFailed, FatalUpstreamError, InputError, RetriableUpstreamError
from router.naming import validate_article_number, validate_country_code

_decoder = msgspec.json.Decoder(OrderIn)
_event_encoder = msgspec.json.Encoder(decimal_format="number")
_MAX_QUANTITY = Decimal(1_000_000)
_MAX_MONEY = Decimal(100_000_000)


def _check_range(value: Decimal | None, field: str, *, low: Decimal, high: Decimal, open_low: bool = False) -> None:
    """Decimals carry no msgspec constraints, so their ranges are checked here."""
    if value is None:
        return
    if not value.is_finite():
        raise InputError("must be a finite number", field=field)
    if value < low or (open_low and value == low):
        raise InputError(f"must be {'greater than' if open_low else 'at least'} {low}", field=field)
    if value > high:
        raise InputError(f"must be at most {high}", field=field)


class GenericConnector:
    """A source that pushes orders itself (`POST /api/sources/{source}/orders`), authenticated by its key.

    Events go back to `settings.callback_url` as JSON, signed `X-Router-Signature-256: sha256=<hex>` (HMAC-SHA256
    of the exact body with `credentials.callback_secret`), with the stable `X-Router-Delivery` id; any 2xx
    accepts. 5xx, 408, 429 and network errors are retried; other answers dead-letter the delivery.
    """

    kind: ClassVar[str] = "generic"

    def __init__(self, context: ConnectorContext) -> None:
        self.context = context
        self._told: dict[str, StockTarget] = {}

    async def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """A webhook to `/hooks/{source}` must carry `X-Router-Signature-256: sha256=<hex HMAC of the body>`.

        The key is `credentials.webhook_secret`; without one the source has no webhook endpoint at all (it
        pushes through the API with its key), so every webhook is refused. Compared in constant time.
        """
        secret = credential(self.context.credentials, "webhook_secret")
        if secret is None:
            raise AuthenticationFailed("this source takes orders through the API with its key, not by webhook")
        presented = header(headers, "X-Router-Signature-256") or ""
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(presented.encode(), expected.encode()):
            raise AuthenticationFailed("the webhook signature does not match the body")

    async def report(self, event: WarehouseEvent) -> None:
        """POST the event to the source's callback URL, signed."""
        body = _event_encoder.encode(event)
        await self._post_signed(
            str(self.context.source.settings.get("callback_url") or ""),
            body,
            {
                "X-Router-Event": event.kind.value,
                "X-Router-Delivery": event.idempotency_key,
            },
        )

    async def push_stock(self, targets: Sequence[StockTarget]) -> None:
        """POST the new available quantities to the callback URL (one signed message for the batch).

        A source without a callback URL has not asked for stock figures: nothing is sent (events, which it
        must hear about, still dead-letter visibly instead). Values this connector already sent are skipped.
        """
        if not self.context.source.settings.get("callback_url"):
            return
        due: dict[str, StockTarget] = {}
        for target in targets:
            told = self._told.get(target.article_number)
            if told is not None and (target.version <= told.version or target.available == told.available):
                continue  # older, or the value this connector already sent
            if target.article_number not in due or target.version > due[target.article_number].version:
                due[target.article_number] = target
        if not due:
            return
        targets = list(due.values())
        body = _event_encoder.encode({"kind": "stock", "targets": targets})
        key = ",".join(f"{t.article_number}@{t.version}" for t in targets)
        delivery = hashlib.sha256(key.encode()).hexdigest()[:32]
        await self._post_signed(
            str(self.context.source.settings.get("callback_url") or ""),
            body,
            {"X-Router-Event": "stock", "X-Router-Delivery": f"stock:{delivery}"},
        )
        self._told.update(due)

    async def _post_signed(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        if not url:
            raise FatalUpstreamError("the source has no settings.callback_url to deliver to")
        if self.context.http is None:
            raise FatalUpstreamError("no HTTP client available for delivery")
        secret = str(self.context.credentials.get("callback_secret") or "")
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {**headers, "Content-Type": "application/json", "X-Router-Signature-256": f"sha256={signature}"}
        try:
            response = await self.context.http.post(url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise RetriableUpstreamError(f"callback timed out: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise RetriableUpstreamError(f"callback unreachable: {type(exc).__name__}") from exc
        self.classify_response(response)

    def classify_response(self, response: httpx.Response) -> None:
        """2xx accepts; 5xx, 408 and 429 are retried (honouring Retry-After); the rest is permanent."""
        if 300 <= response.status_code < 400:  # noqa: PLR2004 - redirects are not followed: not delivered
            raise FatalUpstreamError(f"callback redirected ({response.status_code}); configure the final URL")
        raise_for_upstream_status(
            response, system="the callback", what="an event delivery", retriable=frozenset({408, 429})
        )

    def normalize(self, body: bytes, headers: Mapping[str, str]) -> CanonicalOrder | Ignored:
        """Decode and validate; every problem is an InputError naming its field."""
        del headers
        try:
            raw = _decoder.decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise decode_error_to_input_error(exc) from exc
        return to_canonical(raw)


def to_canonical(raw: OrderIn) -> CanonicalOrder:
    """Check what the types cannot (article characters, country codes, unique line ids) and convert."""
    lines: list[OrderLine] = []
    seen: set[str] = set()
    for index, line in enumerate(raw.lines):
        validate_article_number(line.article_number, field=f"lines[{index}].article_number")
        _check_range(line.quantity, f"lines[{index}].quantity", low=Decimal(0), high=_MAX_QUANTITY, open_low=True)
        _check_range(line.vat_percent, f"lines[{index}].vat_percent", low=Decimal(0), high=Decimal(100))
        _check_range(line.unit_price, f"lines[{index}].unit_price", low=-_MAX_MONEY, high=_MAX_MONEY)
        _check_range(line.discount, f"lines[{index}].discount", low=-_MAX_MONEY, high=_MAX_MONEY)
        line_id = line.line_id or str(index + 1)
        if line_id in seen:
            raise InputError(f"line_id {line_id!r} is used twice", field=f"lines[{index}].line_id")
        seen.add(line_id)
        lines.append(
            OrderLine(
                line_id=line_id,
                article_number=line.article_number,
                quantity=line.quantity,
                article_name=line.article_name,
                unit_price=line.unit_price,
                vat_percent=line.vat_percent,
                discount=line.discount,
                comment=line.comment,
            )
        )
    _check_range(raw.freight_price, "freight_price", low=-_MAX_MONEY, high=_MAX_MONEY)
    ship = raw.ship_to
    validate_country_code(ship.country_code, field="ship_to.country_code")
    return CanonicalOrder(
        order_number=raw.order_number,
        lines=tuple(lines),
        ship_to=Address(**msgspec.structs.asdict(ship)),
        customer_number=raw.customer_number,
        order_type=raw.order_type,
        currency=raw.currency,
        delivery_date=raw.delivery_date,
        remark=raw.remark,
        delivery_instruction=raw.delivery_instruction,
        freight_price=raw.freight_price,
        way_of_delivery=raw.way_of_delivery,
        service_point_code=raw.service_point_code,
        notify_by_email=raw.notify_by_email,
        notify_by_sms=raw.notify_by_sms,
        created_at=raw.created_at,
    )
