"""The REST Admin endpoints the simulator serves, as (method, path pattern, route name, handler)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from simulators.shopify.paging import (
    OrderQuery,
    PageToken,
    decode_page_info,
    encode_page_info,
    limit_of,
    link_header,
    select_fields,
)
from simulators.shopify.records import ApiError
from simulators.shopify.state import ShopState

__all__ = ["ROUTES", "Reply", "Request", "match_route"]


@dataclass(frozen=True, kw_only=True)
class Request:
    """What a handler sees: the state, the path match, query parameters, the decoded JSON body."""

    state: ShopState
    match: re.Match[str]
    params: dict[str, str]
    body: object
    url: str  # this resource's absolute URL without query, for Link headers

    def id(self) -> int:
        """The `{id}` in the path."""
        return int(self.match["id"])


@dataclass(kw_only=True)
class Reply:
    """A JSON answer, extra headers, and the webhook topics it fires with the order's JSON."""

    status: int
    payload: object
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    webhook_body: bytes | None = None


Handler = Callable[[Request], Reply]


def _fired(status: int, key: str, row: dict[str, Any], order: dict[str, Any], topics: list[str]) -> Reply:
    return Reply(status=status, payload={key: row}, topics=topics, webhook_body=msgspec.json.encode(order))


def _list_orders(req: Request) -> Reply:
    limit = limit_of(req.params)
    page_info = req.params.get("page_info")
    if page_info is not None:
        if set(req.params) - {"page_info", "limit", "fields"}:
            raise ApiError(status=400, errors={"page_info": ["cannot be combined with other filters"]})
        token = decode_page_info(page_info)
        query, after = OrderQuery(token.query), token.after
    else:
        query, after = OrderQuery(req.params), None
    rows, following = query.page(req.state.orders.orders.values(), after, limit)
    reply = Reply(status=200, payload={"orders": [select_fields(o, req.params.get("fields")) for o in rows]})
    if following is not None:
        params = {"limit": str(limit), "page_info": encode_page_info(following)}
        if "fields" in req.params:
            params["fields"] = req.params["fields"]
        reply.headers.append(link_header(req.url, params))
    return reply


def _get_order(req: Request) -> Reply:
    return Reply(status=200, payload={"order": select_fields(req.state.orders.get(req.id()), req.params.get("fields"))})


def _update_order(req: Request) -> Reply:
    order = req.state.orders.update(req.id(), req.body)
    return _fired(200, "order", order, order, ["orders/updated"])


def _cancel_order(req: Request) -> Reply:
    order = req.state.orders.cancel(req.id(), req.body)
    return _fired(200, "order", order, order, ["orders/cancelled", "orders/updated"])


def _fulfillment_orders(req: Request) -> Reply:
    return Reply(status=200, payload={"fulfillment_orders": req.state.orders.fulfillment_orders_of(req.id())})


def _order_fulfillments(req: Request) -> Reply:
    return Reply(status=200, payload={"fulfillments": req.state.orders.fulfillments_of(req.id())})


def _legacy_fulfillment(req: Request) -> Reply:
    del req
    raise ApiError(status=406, errors="The legacy fulfillment API is not available in this API version")


def _create_fulfillment(req: Request) -> Reply:
    fulfillment, order = req.state.orders.fulfil(req.body)
    done = "orders/fulfilled" if order["fulfillment_status"] == "fulfilled" else "orders/partially_fulfilled"
    return _fired(201, "fulfillment", fulfillment, order, ["fulfillments/create", "orders/updated", done])


def _update_tracking(req: Request) -> Reply:
    fulfillment = req.state.orders.update_tracking(req.id(), req.body)
    return Reply(status=200, payload={"fulfillment": fulfillment})


def _list_products(req: Request) -> Reply:
    limit = limit_of(req.params)
    after = 0
    if "page_info" in req.params:
        token = decode_page_info(req.params["page_info"])
        after = token.after[1] if token.after else 0
    catalog = req.state.catalog
    rows = catalog.products_page(after, limit + 1)
    reply = Reply(status=200, payload={"products": [select_fields(p, req.params.get("fields")) for p in rows[:limit]]})
    if len(rows) > limit:
        token = PageToken(query={}, after=("", rows[limit - 1]["id"]))
        params = {"limit": str(limit), "page_info": encode_page_info(token)}
        if "fields" in req.params:
            params["fields"] = req.params["fields"]
        reply.headers.append(link_header(req.url, params))
    return reply


def _get_variant(req: Request) -> Reply:
    variant = req.state.catalog.variants.get(req.id())
    if variant is None:
        raise ApiError(status=404, errors="Not Found")
    return Reply(status=200, payload={"variant": variant})


def _ids(value: str | None, name: str) -> list[int]:
    if not value:
        return []
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise ApiError(status=400, errors={name: ["is invalid"]}) from None


def _inventory_levels(req: Request) -> Reply:
    items = _ids(req.params.get("inventory_item_ids"), "inventory_item_ids")
    locations = _ids(req.params.get("location_ids"), "location_ids")
    return Reply(status=200, payload={"inventory_levels": req.state.catalog.levels_for(items, locations)})


def _set_inventory(req: Request) -> Reply:
    return Reply(status=200, payload={"inventory_level": req.state.catalog.set_level(req.body)})


ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    (method, re.compile(f"^{pattern}$"), name, handler)
    for method, pattern, name, handler in [
        ("GET", r"orders\.json", "orders.list", _list_orders),
        ("GET", r"orders/(?P<id>\d+)\.json", "orders.get", _get_order),
        ("PUT", r"orders/(?P<id>\d+)\.json", "orders.update", _update_order),
        ("POST", r"orders/(?P<id>\d+)/cancel\.json", "orders.cancel", _cancel_order),
        ("GET", r"orders/(?P<id>\d+)/fulfillment_orders\.json", "fulfillment_orders.list", _fulfillment_orders),
        ("GET", r"orders/(?P<id>\d+)/fulfillments\.json", "fulfillments.list", _order_fulfillments),
        ("POST", r"orders/(?P<id>\d+)/fulfillments\.json", "fulfillments.legacy", _legacy_fulfillment),
        ("POST", r"fulfillments\.json", "fulfillments.create", _create_fulfillment),
        ("POST", r"fulfillments/(?P<id>\d+)/update_tracking\.json", "fulfillments.update_tracking", _update_tracking),
        ("GET", r"products\.json", "products.list", _list_products),
        ("GET", r"variants/(?P<id>\d+)\.json", "variants.get", _get_variant),
        ("GET", r"inventory_levels\.json", "inventory_levels.list", _inventory_levels),
        ("POST", r"inventory_levels/set\.json", "inventory_levels.set", _set_inventory),
    ]
]


def match_route(method: str, rest: str) -> tuple[str, re.Match[str], Handler] | None:
    """The route for a method and a path below `/admin/api/{version}/`."""
    for route_method, pattern, name, handler in ROUTES:
        if route_method == method and (found := pattern.match(rest)):
            return name, found, handler
    return None
