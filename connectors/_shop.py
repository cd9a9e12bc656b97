"""What the web-shop platform connectors share: settings rules, address and line mapping, connector plumbing."""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Generic, Protocol, Self, TypeVar

import httpx
import msgspec

from connectors._http import decode_json, raise_for_upstream_status, send
from connectors._webhooks import check_money, credential
from connectors.base import ConnectorContext, decode_error_to_input_error
from router.domain import Address, OrderLine, PulledPayload, PullPage, StockTarget
from router.errors import InputError
from router.naming import validate_article_number, validate_country_code

__all__ = [
    "Positive",
    "ShopClient",
    "ShopConnector",
    "ShopCredentials",
    "ShopSettings",
    "check_currency",
    "decode",
    "decode_cursor",
    "freight_total",
    "newest_targets",
    "order_line",
    "order_lines",
    "pull_page",
    "remark",
    "split_address",
    "text",
]

T = TypeVar("T")
StructT = TypeVar("StructT", bound=msgspec.Struct)
Positive = Annotated[float, msgspec.Meta(gt=0)]
Part = tuple[str | None, str]
"""A text from the wire and the field an InputError about it names."""

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_MAX_QUANTITY = 1_000_000
_MAX_TEXT = 200
_MAX_REMARK = 1000


# --- settings and credentials ---------------------------------------------------------------------


class ShopSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The settings every shop source has; other keys (router-level settings) are left alone."""

    tracking_companies: dict[str, str] = msgspec.field(default_factory=dict)
    """WMS transporter code to the carrier name the shop shows; an unmapped code is sent as it is."""
    pull_overlap_seconds: Annotated[float, msgspec.Meta(ge=0)] = 300.0
    """The reconciliation poll re-reads orders changed this long before the last one seen."""
    timeout_seconds: Positive = 10.0
    """Timeout of one REST call."""

    @classmethod
    def from_mapping(cls, settings: Mapping[str, object]) -> Self:
        """Validate `source.settings`; an InputError names `settings.<field>`."""
        try:
            return msgspec.convert(dict(settings), cls)
        except msgspec.ValidationError as exc:
            raise _refused_setting(exc) from exc


def _refused_setting(exc: msgspec.ValidationError) -> InputError:
    """A refused setting as an InputError naming `settings.<field>`."""
    error = decode_error_to_input_error(exc)
    return InputError(error.message, field=f"settings.{error.field}")


class ShopCredentials(msgspec.Struct, frozen=True, kw_only=True):
    """Secrets from `context.credentials`, each field read by its name; the repr never shows them."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"

    @classmethod
    def from_mapping(cls, credentials: Mapping[str, object]) -> Self:
        """Every field's credential: a non-empty string, else None."""
        return cls(**{name: credential(credentials, name) for name in cls.__struct_fields__})


# --- order mapping (pure; every problem is an InputError naming the field) --------------------------


class LineItem(Protocol):
    """What a shop's `line_items[]` entry has for the warehouse."""

    @property
    def id(self) -> int: ...
    @property
    def sku(self) -> str | None: ...
    @property
    def quantity(self) -> int: ...
    @property
    def price(self) -> Decimal | None: ...


ItemT = TypeVar("ItemT", bound=LineItem)


def decode(decoder: msgspec.json.Decoder[T], body: bytes) -> T:
    """Decode a webhook body or a pulled document; a problem is an InputError naming the field."""
    try:
        return decoder.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise decode_error_to_input_error(exc) from exc


def text(value: str | None, field: str, *, required: bool) -> str | None:
    """Strip a text field; enforce presence and the WMS's column width."""
    stripped = (value or "").strip()
    if not stripped:
        if required:
            raise InputError("must not be empty", field=field)
        return None
    if len(stripped) > _MAX_TEXT:
        raise InputError(f"must be at most {_MAX_TEXT} characters", field=field)
    return stripped


def split_address(
    *,
    person: Part,
    company: Part,
    address1: Part,
    address2: Part,
    postcode: Part,
    city: Part,
    country: Part,
    state: Part,
    phone: Part,
    email: Part,
    nameless: str,
) -> Address:
    """The person's name is `name`; a company goes to `address3` (or is the name when no person is given).

    `nameless` is the message when there is neither; it names the person's field.
    """
    person_name = text(*person, required=False)
    company_name = text(*company, required=False)
    name = person_name or company_name
    if name is None:
        raise InputError(nameless, field=person[1])
    country_code = text(*country, required=True) or ""
    validate_country_code(country_code, field=country[1])
    return Address(
        name=name,
        address1=text(*address1, required=True) or "",
        address2=text(*address2, required=False),
        address3=company_name if person_name and company_name else None,
        postcode=text(*postcode, required=True) or "",
        city=text(*city, required=True) or "",
        country_code=country_code,
        state_code=text(*state, required=False),
        phone=text(*phone, required=False),
        email=text(*email, required=False),
    )


def order_line(item: LineItem, index: int, *, name: str | None) -> OrderLine:
    """`line_items[index]` as an OrderLine: a valid SKU, a whole quantity within bounds, the unit price."""
    where = f"line_items[{index}]"
    sku = item.sku
    if not sku:
        raise InputError("the line has no SKU; the warehouse stocks articles by SKU", field=f"{where}.sku")
    validate_article_number(sku, field=f"{where}.sku")
    if not 0 < item.quantity <= _MAX_QUANTITY:
        raise InputError(f"must be between 1 and {_MAX_QUANTITY}", field=f"{where}.quantity")
    return OrderLine(
        line_id=str(item.id),
        article_number=sku,
        quantity=Decimal(item.quantity),
        article_name=text(name, f"{where}.name", required=False),
        unit_price=check_money(item.price, f"{where}.price"),
    )


def order_lines(items: Sequence[ItemT], line: Callable[[ItemT, int], OrderLine | None]) -> list[OrderLine]:
    """Each item mapped by `line` (None leaves it out); no items, or a line id used twice, is an InputError."""
    if not items:
        raise InputError("the order has no line items", field="line_items")
    lines: list[OrderLine] = []
    seen: set[int] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            raise InputError(f"line item id {item.id} is used twice", field=f"line_items[{index}].id")
        seen.add(item.id)
        mapped = line(item, index)
        if mapped is not None:
            lines.append(mapped)
    return lines


def check_currency(currency: str | None, *, example: str) -> None:
    """An absent currency, or an ISO 4217 code; else an InputError naming `currency`."""
    if currency is not None and not _CURRENCY.match(currency):
        raise InputError(f"must be an ISO 4217 code such as {example}", field="currency")


def freight_total(amounts: Sequence[Decimal | None]) -> Decimal | None:
    """The sum of the shipping lines' known (already checked) amounts; None when none is known."""
    known = [amount for amount in amounts if amount is not None]
    return check_money(sum(known, Decimal(0)), "shipping_lines") if known else None


def remark(note: str | None) -> str | None:
    """The customer's note, stripped and cut to the WMS's remark width; None when empty."""
    return (note or "").strip()[:_MAX_REMARK] or None


# --- the REST client --------------------------------------------------------------------------------


class ShopClient:
    """A shop's REST API over a shared httpx client: JSON both ways, every answer through `classify_response`.

    `headers` and `options` (further `httpx` request arguments, e.g. `auth`) go with every call.
    """

    system: ClassVar[str]
    """The platform's name in error messages."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base: str,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        **options: Any,
    ) -> None:
        self._http = http
        self._base = base
        self._timeout = timeout
        self._headers = dict(headers or {})
        self._options = options

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._base!r})"

    def classify_response(self, response: httpx.Response, *, what: str) -> None:
        """Raise for a failed response: 429/5xx retriable (with Retry-After), any other 4xx fatal."""
        raise_for_upstream_status(response, system=self.system, what=what)

    async def request(
        self, method: str, path: str, *, params: dict[str, str] | None = None, json: object = None
    ) -> httpx.Response:
        """Send one call and classify the answer; `path` is relative to the API's base URL."""
        what = f"{method} {path}"
        content = msgspec.json.encode(json) if json is not None else None
        headers = {**self._headers, "Accept": "application/json"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        response = await self._exchange(method, path, params=params, content=content, headers=headers)
        self.classify_response(response, what=what)
        return response

    async def _exchange(self, method: str, path: str, **request: Any) -> httpx.Response:
        """One round trip, transport faults classified; a client that paces or retries wraps it."""
        return await send(
            self._http,
            method,
            self._base + path,
            what=f"{method} {path}",
            timeout=self._timeout,
            **request,
            **self._options,
        )

    async def _get(self, path: str, into: type[T], params: dict[str, str] | None = None) -> tuple[T, httpx.Response]:
        response = await self.request("GET", path, params=params)
        return decode_json(response, into, f"GET {path}"), response


# --- the connector ----------------------------------------------------------------------------------

SettingsT = TypeVar("SettingsT", bound=ShopSettings)
CredentialsT = TypeVar("CredentialsT", bound=ShopCredentials)
ClientT = TypeVar("ClientT", bound=ShopClient)


class ShopConnector(abc.ABC, Generic[SettingsT, CredentialsT, ClientT]):
    """One shop: settings checked before the source is saved, its credentials, a REST client made on first use."""

    kind: ClassVar[str]
    platform: ClassVar[str]
    """The platform's name in messages."""
    settings_type: ClassVar[type[ShopSettings]]

    @classmethod
    def check_settings(cls, settings: Mapping[str, object]) -> None:
        """Validate `source.settings` before the source is saved (InputError naming `settings.<field>`)."""
        cls.settings_type.from_mapping(settings)

    def __init__(self, context: ConnectorContext, settings: SettingsT, credentials: CredentialsT) -> None:
        self.context = context
        self.settings = settings
        self._credentials = credentials
        self._client: ClientT | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(source={self.context.source.name!r})"

    @property
    def client(self) -> ClientT:
        """The REST client, made on first use (webhook handling needs none)."""
        if self._client is None:
            if self.context.http is None:
                raise RuntimeError(f"this {self.platform} connector has no HTTP client")
            self._client = self._make_client(self.context.http)
        return self._client

    @abc.abstractmethod
    def _make_client(self, http: httpx.AsyncClient) -> ClientT:
        """The client for this source; an InputError names a setting or credential it lacks."""


def decode_cursor(cursor: str | None, into: type[StructT]) -> StructT:
    """The poll's position from a cursor this connector issued (none: `into()`, the start); else an InputError."""
    if not cursor:
        return into()
    try:
        return msgspec.json.decode(cursor, type=into)
    except (msgspec.ValidationError, msgspec.DecodeError):
        raise InputError("not a cursor this connector issued", field="cursor") from None


def pull_page(items: Sequence[PulledPayload], cursor: msgspec.Struct, *, more: bool) -> PullPage:
    """A page of pulled orders with the position to go on from, encoded as the opaque cursor."""
    return PullPage(items=tuple(items), cursor=msgspec.json.encode(cursor).decode(), more=more)


def newest_targets(targets: Sequence[StockTarget]) -> dict[str, StockTarget]:
    """Article number to its newest stock target (the highest version)."""
    newest: dict[str, StockTarget] = {}
    for target in targets:
        if target.article_number not in newest or target.version > newest[target.article_number].version:
            newest[target.article_number] = target
    return newest
