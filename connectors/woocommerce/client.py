"""WooCommerce REST v3 client: HTTP Basic auth, one classification hook, typed responses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
import msgspec

from connectors._http import parse_retry_after, raise_for_upstream_status
from connectors.woocommerce.models import OrderState, ProductRef, WooNote
from router.errors import FatalUpstreamError, OutcomeUnknown, RetriableUpstreamError

__all__ = ["BATCH_LIMIT", "WooClient", "parse_retry_after"]

T = TypeVar("T")
BATCH_LIMIT = 100
"""WooCommerce's default limit of objects per batch request."""
_MAX_BODY_IN_ERROR = 2000


class _BatchResult(msgspec.Struct, frozen=True, kw_only=True):
    id: int = 0
    error: dict[str, Any] | None = None


class _Batch(msgspec.Struct, frozen=True, kw_only=True):
    update: list[_BatchResult] = msgspec.field(default_factory=list)


class WooClient:
    """One site's `/wp-json/wc/v3/` over a shared httpx client, authenticated with the consumer key pair.

    Credentials travel only in the `Authorization` header (never the query-string fallback), so no URL,
    message or log line can carry them. Every response passes `classify_response`, the one hook a
    subclass overrides.
    """

    def __init__(
        self, http: httpx.AsyncClient, *, base_url: str, consumer_key: str, consumer_secret: str, timeout: float = 10.0
    ) -> None:
        self._http = http
        self._base = f"{base_url.rstrip('/')}/wp-json/wc/v3/"
        self._auth = httpx.BasicAuth(consumer_key, consumer_secret)
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"WooClient({self._base!r})"

    def classify_response(self, response: httpx.Response, *, what: str) -> None:
        """Raise for a failed response: 429/5xx retriable (with Retry-After), any other 4xx fatal."""
        raise_for_upstream_status(response, system="WooCommerce", what=what)

    async def request(
        self, method: str, path: str, *, params: dict[str, str] | None = None, json: object = None
    ) -> httpx.Response:
        """Send one call and classify the answer; `path` is relative to `/wp-json/wc/v3/`."""
        what = f"{method} {path}"
        content = msgspec.json.encode(json) if json is not None else None
        headers = {"Accept": "application/json"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = await self._http.request(
                method,
                self._base + path,
                params=params,
                content=content,
                headers=headers,
                auth=self._auth,
                timeout=self._timeout,
                follow_redirects=False,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise RetriableUpstreamError(f"{what}: could not connect ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            unknown = OutcomeUnknown if method != "GET" else RetriableUpstreamError
            raise unknown(f"{what}: no answer ({type(exc).__name__})") from None
        self.classify_response(response, what=what)
        return response

    async def _get(self, path: str, into: type[T], params: dict[str, str] | None = None) -> tuple[T, httpx.Response]:
        response = await self.request("GET", path, params=params)
        return _decode(response, into, f"GET {path}"), response

    # --- orders ------------------------------------------------------------------------------------

    async def orders_page(
        self, *, modified_after: dt.datetime | None, page: int, per_page: int
    ) -> tuple[list[msgspec.Raw], int]:
        """One page of orders in any status (by id, so pages stay put), and the number of pages."""
        params = {"status": "any", "orderby": "id", "order": "asc", "per_page": str(per_page), "page": str(page)}
        if modified_after is not None:
            params |= {"modified_after": modified_after.replace(tzinfo=None).isoformat(), "dates_are_gmt": "true"}
        rows, response = await self._get("orders", list[msgspec.Raw], params)
        try:
            pages = int(response.headers.get("X-WP-TotalPages", "1"))
        except ValueError:
            pages = 1
        return rows, pages

    async def order(self, order_id: int) -> OrderState:
        """One order's status, lines and meta data."""
        found, _ = await self._get(f"orders/{order_id}", OrderState)
        return found

    async def find_order(self, number: str) -> OrderState | None:
        """The order whose display number is `number` (usually its id; plugins may differ)."""
        if number.isdigit():
            try:
                order, _ = await self._get(f"orders/{number}", OrderState)
            except FatalUpstreamError as exc:
                if exc.upstream_status != 404:  # noqa: PLR2004 - not found: search by number below
                    raise
            else:
                if str(order.number) == number:
                    return order
        found, _ = await self._get("orders", list[OrderState], {"search": number, "status": "any", "per_page": "100"})
        return next((order for order in found if str(order.number) == number), None)

    async def update_order(self, order_id: int, changes: dict[str, Any]) -> None:
        """`PUT orders/<id>` with status and/or meta_data."""
        await self.request("PUT", f"orders/{order_id}", json=changes)

    async def notes(self, order_id: int) -> list[WooNote]:
        """The order's notes."""
        found, _ = await self._get(f"orders/{order_id}/notes", list[WooNote])
        return found

    async def add_note(self, order_id: int, note: str, *, customer_note: bool) -> None:
        """`POST orders/<id>/notes`."""
        await self.request("POST", f"orders/{order_id}/notes", json={"note": note, "customer_note": customer_note})

    # --- products ----------------------------------------------------------------------------------

    async def products_by_sku(self, sku: str) -> list[ProductRef]:
        """Products and variations whose SKU is exactly `sku`."""
        found, _ = await self._get("products", list[ProductRef], {"sku": sku, "per_page": "100"})
        return [product for product in found if product.sku == sku]

    async def stock_of(self, parent_id: int, ids: Sequence[int]) -> list[ProductRef]:
        """Current stock of up to 100 products (`parent_id` 0) or variations of one product."""
        path = "products" if parent_id == 0 else f"products/{parent_id}/variations"
        params = {"include": ",".join(map(str, ids)), "per_page": str(BATCH_LIMIT)}
        found, _ = await self._get(path, list[ProductRef], params)
        return found

    async def set_stock(self, parent_id: int, updates: Sequence[dict[str, Any]]) -> None:
        """Batch-update up to 100 products (`parent_id` 0) or variations; any item error is fatal."""
        path = "products/batch" if parent_id == 0 else f"products/{parent_id}/variations/batch"
        response = await self.request("POST", path, json={"update": list(updates)})
        failed = [item for item in _decode(response, _Batch, f"POST {path}").update if item.error]
        if failed:
            body = msgspec.json.encode([msgspec.structs.asdict(item) for item in failed]).decode()
            raise FatalUpstreamError(
                f"WooCommerce refused {len(failed)} stock update(s)", upstream_status=200, body=body
            )


def _decode(response: httpx.Response, into: type[T], what: str) -> T:
    try:
        return msgspec.json.decode(response.content, type=into)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        body = response.text[:_MAX_BODY_IN_ERROR]
        raise FatalUpstreamError(
            f"unexpected answer to {what}: {exc}", upstream_status=response.status_code, body=body
        ) from None
