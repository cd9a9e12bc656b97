"""WooCommerce REST v3 client: HTTP Basic auth, one classification hook, typed responses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

import httpx
import msgspec

from connectors._http import decode_json, parse_retry_after
from connectors._shop import ShopClient
from connectors.woocommerce.models import OrderState, ProductRef, WooNote
from router.errors import FatalUpstreamError

__all__ = ["BATCH_LIMIT", "WooClient", "parse_retry_after"]

BATCH_LIMIT = 100
"""WooCommerce's default limit of objects per batch request."""


class _BatchResult(msgspec.Struct, frozen=True, kw_only=True):
    id: int = 0
    error: dict[str, Any] | None = None


class _Batch(msgspec.Struct, frozen=True, kw_only=True):
    update: list[_BatchResult] = msgspec.field(default_factory=list)


class WooClient(ShopClient):
    """One site's `/wp-json/wc/v3/` over a shared httpx client, authenticated with the consumer key pair.

    Credentials travel only in the `Authorization` header (never the query-string fallback), so no URL,
    message or log line can carry them. Every response passes `classify_response`, the one hook a
    subclass overrides.
    """

    system: ClassVar[str] = "WooCommerce"

    def __init__(
        self, http: httpx.AsyncClient, *, base_url: str, consumer_key: str, consumer_secret: str, timeout: float = 10.0
    ) -> None:
        super().__init__(
            http,
            base=f"{base_url.rstrip('/')}/wp-json/wc/v3/",
            timeout=timeout,
            auth=httpx.BasicAuth(consumer_key, consumer_secret),
            follow_redirects=False,
        )

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
        failed = [item for item in decode_json(response, _Batch, f"POST {path}").update if item.error]
        if failed:
            body = msgspec.json.encode([msgspec.structs.asdict(item) for item in failed]).decode()
            raise FatalUpstreamError(
                f"WooCommerce refused {len(failed)} stock update(s)", upstream_status=200, body=body
            )
