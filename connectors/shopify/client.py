"""Shopify REST Admin client: paced calls, one classification hook, typed responses."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar

import httpx
import msgspec

from connectors._http import decode_json, parse_retry_after
from connectors._shop import ShopClient
from connectors.shopify.models import (
    FulfillmentOrder,
    FulfillmentOrderList,
    FulfillmentSummary,
    InventoryLevel,
    InventoryLevelList,
    OrderFulfillments,
    OrderIdentity,
    OrderLookup,
    OrderPage,
    ProductPage,
)
from connectors.shopify.pacing import CALL_LIMIT_HEADER, LeakyBucketPacer, parse_call_limit

__all__ = ["ShopifyClient", "parse_retry_after"]

_DEFAULT_RETRY_AFTER = 2.0


def next_page_info(response: httpx.Response) -> str | None:
    """The `page_info` of the `Link` header's `rel="next"`, if any."""
    link = response.links.get("next")
    if not link or "url" not in link:
        return None
    page_info: str | None = httpx.URL(link["url"]).params.get("page_info")
    return page_info


class ShopifyClient(ShopClient):
    """One shop's REST Admin API (`{shop_url}/admin/api/{version}/`) over a shared httpx client.

    Every call waits for the pacer, sends `X-Shopify-Access-Token`, feeds the call-limit header back to
    the pacer, retries a 429 after its `Retry-After` (the call was not processed) up to `max_throttled`
    times, and passes the response through `classify_response`, the one hook a subclass overrides.
    """

    system: ClassVar[str] = "Shopify"

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        shop_url: str,
        api_version: str,
        access_token: str,
        pacer: LeakyBucketPacer,
        timeout: float = 10.0,
        max_throttled: int = 3,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        super().__init__(
            http,
            base=f"{shop_url.rstrip('/')}/admin/api/{api_version}/",
            timeout=timeout,
            headers={"X-Shopify-Access-Token": access_token},
        )
        self.pacer = pacer
        self._max_throttled = max_throttled
        self._sleep = sleep
        self.throttled = 0
        """How many 429s this client has received (each was waited out and retried)."""

    async def _exchange(self, method: str, path: str, **request: Any) -> httpx.Response:
        """Paced round trips: a 429 empties the pacer's estimate and is retried after its `Retry-After`."""
        for attempt in range(self._max_throttled + 1):
            await self.pacer.acquire()
            response = await super()._exchange(method, path, **request)
            limit = parse_call_limit(response.headers.get(CALL_LIMIT_HEADER))
            if limit is not None:
                self.pacer.observe(*limit)
            if response.status_code == 429 and attempt < self._max_throttled:  # noqa: PLR2004
                self.throttled += 1
                self.pacer.full()
                await self._sleep(parse_retry_after(response.headers.get("Retry-After")) or _DEFAULT_RETRY_AFTER)
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    # --- orders ------------------------------------------------------------------------------------

    async def orders_page(
        self, *, updated_at_min: dt.datetime | None, page_info: str | None, limit: int
    ) -> tuple[list[msgspec.Raw], str | None]:
        """One page of orders changed since `updated_at_min` (oldest change first) and the next page_info."""
        params = {"limit": str(limit)}
        if page_info is not None:  # Shopify refuses other filters next to page_info
            params["page_info"] = page_info
        else:
            params |= {"status": "any", "order": "updated_at asc"}
            if updated_at_min is not None:
                params["updated_at_min"] = updated_at_min.isoformat()
        page, response = await self._get("orders.json", OrderPage, params)
        return page.orders, next_page_info(response)

    async def find_order(self, number: str) -> OrderIdentity | None:
        """The order whose number (`1001`, shown as `#1001`) is `number`, in any status."""
        lookup, _ = await self._get(
            "orders.json", OrderLookup, {"name": number, "status": "any", "fields": "id,name,order_number"}
        )
        wanted = number.removeprefix("#")
        for order in lookup.orders:
            if str(order.order_number) == wanted or (order.name or "").removeprefix("#") == wanted:
                return order
        return None

    async def order(self, order_id: int) -> OrderIdentity:
        """One order's identity, cancellation, tags and note."""
        response = await self.request(
            "GET", f"orders/{order_id}.json", params={"fields": "id,name,order_number,cancelled_at,tags,note"}
        )
        return decode_json(response, _OrderEnvelope, f"GET orders/{order_id}.json").order

    async def cancel_order(self, order_id: int, *, reason: str) -> None:
        """`POST orders/{id}/cancel.json` without emailing the customer."""
        await self.request("POST", f"orders/{order_id}/cancel.json", json={"reason": reason, "email": False})

    async def update_order(self, order_id: int, fields: dict[str, Any]) -> None:
        """`PUT orders/{id}.json` with some fields (note, tags)."""
        await self.request("PUT", f"orders/{order_id}.json", json={"order": {"id": order_id, **fields}})

    # --- fulfillment -------------------------------------------------------------------------------

    async def fulfillment_orders(self, order_id: int) -> list[FulfillmentOrder]:
        """The order's fulfillment orders."""
        found, _ = await self._get(f"orders/{order_id}/fulfillment_orders.json", FulfillmentOrderList)
        return found.fulfillment_orders

    async def fulfillments(self, order_id: int) -> list[FulfillmentSummary]:
        """The order's existing fulfillments."""
        found, _ = await self._get(f"orders/{order_id}/fulfillments.json", OrderFulfillments)
        return found.fulfillments

    async def create_fulfillment(self, fulfillment: dict[str, Any]) -> None:
        """`POST fulfillments.json`."""
        await self.request("POST", "fulfillments.json", json={"fulfillment": fulfillment})

    async def update_tracking(self, fulfillment_id: int, tracking_info: dict[str, str]) -> None:
        """`POST fulfillments/{id}/update_tracking.json`."""
        body = {"fulfillment": {"tracking_info": tracking_info, "notify_customer": False}}
        await self.request("POST", f"fulfillments/{fulfillment_id}/update_tracking.json", json=body)

    # --- inventory ---------------------------------------------------------------------------------

    async def sku_map(self, *, limit: int = 250) -> dict[str, int]:
        """Every variant's SKU to its `inventory_item_id`, over all pages of products."""
        found: dict[str, int] = {}
        params: dict[str, str] = {"limit": str(limit), "fields": "id,variants"}
        while True:
            page, response = await self._get("products.json", ProductPage, params)
            for product in page.products:
                for variant in product.variants:
                    if variant.sku:
                        found.setdefault(variant.sku, variant.inventory_item_id)
            page_info = next_page_info(response)
            if page_info is None:
                return found
            params = {"limit": str(limit), "page_info": page_info}

    async def inventory_levels(self, item_ids: Sequence[int], location_id: int) -> list[InventoryLevel]:
        """Levels of up to 50 items at one location."""
        params = {"inventory_item_ids": ",".join(map(str, item_ids)), "location_ids": str(location_id)}
        found, _ = await self._get("inventory_levels.json", InventoryLevelList, {**params, "limit": "250"})
        return found.inventory_levels

    async def set_inventory(self, item_id: int, location_id: int, available: int) -> None:
        """`POST inventory_levels/set.json`."""
        body = {"location_id": location_id, "inventory_item_id": item_id, "available": available}
        await self.request("POST", "inventory_levels/set.json", json=body)


class _OrderEnvelope(msgspec.Struct, frozen=True):
    order: OrderIdentity
