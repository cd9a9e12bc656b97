"""The wc/v3 endpoints the simulator serves, as (methods, path pattern, route name, handler)."""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.woocommerce.records import ApiError, invalid_param
from simulators.woocommerce.state import SiteState
from simulators.woocommerce.webhooks import WebhookHub

__all__ = ["ROUTES", "Reply", "Request", "match_route"]

_WRITE = frozenset({"PUT", "POST", "PATCH"})
_BATCH_LIMIT = 100


@dataclass(frozen=True, kw_only=True)
class Request:
    """What a handler sees (the state's lock is held)."""

    method: str
    state: SiteState
    hub: WebhookHub
    match: re.Match[str]
    params: dict[str, str]
    body: object
    url: str

    def int(self, name: str = "id") -> int:
        """An id from the path."""
        return int(self.match[name])


@dataclass(kw_only=True)
class Reply:
    """A JSON answer, headers, and webhook events `(topic, payload)` to fire once the lock is released."""

    status: int
    payload: object
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


Handler = Callable[[Request], Reply]


def _paged(req: Request, rows: list[dict[str, Any]]) -> Reply:
    """WordPress paging: `page`, `per_page` (1-100), `X-WP-Total`, `X-WP-TotalPages` and `Link`."""
    try:
        page, per_page = int(req.params.get("page", "1")), int(req.params.get("per_page", "10"))
    except ValueError:
        raise invalid_param("page", "page and per_page must be integers.") from None
    if not 1 <= per_page <= _BATCH_LIMIT:
        raise invalid_param("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)")
    if page < 1:
        raise invalid_param("page", "page must be greater than or equal to 1")
    total = len(rows)
    pages = max(1, math.ceil(total / per_page)) if total else 0
    if total and page > pages:
        raise ApiError(status=400, code="woocommerce_rest_invalid_page_number", message="The page number is invalid.")
    links = []
    base = {k: v for k, v in req.params.items() if k not in {"consumer_key", "consumer_secret"}}
    for rel, number in (("prev", page - 1), ("next", page + 1)):
        if 1 <= number <= pages:
            query = "&".join(f"{k}={v}" for k, v in {**base, "page": str(number)}.items())
            links.append(f'<{req.url}?{query}>; rel="{rel}"')
    headers = [(b"x-wp-total", str(total).encode()), (b"x-wp-totalpages", str(pages).encode())]
    if links:
        headers.append((b"link", ", ".join(links).encode()))
    return Reply(status=200, payload=rows[(page - 1) * per_page : page * per_page], headers=headers)


def _updated(status: int, topic: str, row: dict[str, Any]) -> Reply:
    return Reply(status=status, payload=row, events=[(topic, copy.deepcopy(row))])


def _order_update(req: Request) -> Reply:
    return _updated(200, "order.updated", req.state.orders.update(req.int(), req.body))


def _notes(req: Request) -> Reply:
    orders = req.state.orders
    if req.method == "POST":
        return Reply(status=201, payload=orders.add_note(req.int(), req.body))
    orders.get(req.int())
    return Reply(status=200, payload=list(reversed(orders.notes[req.int()])))


def _batch(req: Request, apply: Callable[[dict[str, Any]], dict[str, Any]], topic: str) -> Reply:
    body = req.body if isinstance(req.body, dict) else {}
    groups = {name: body.get(name) or [] for name in ("create", "update", "delete")}
    if sum(len(items) for items in groups.values() if isinstance(items, list)) > _BATCH_LIMIT:
        raise ApiError(
            status=413,
            code="rest_request_entity_too_large",
            message="Unable to accept more than 100 items for this request.",
        )
    result: dict[str, list[dict[str, Any]]] = {"create": [], "update": [], "delete": []}
    events: list[tuple[str, dict[str, Any]]] = []
    for name, items in groups.items():
        for item in items if isinstance(items, list) else []:
            item_id = item.get("id") if isinstance(item, dict) else None
            try:
                if name != "update" or not isinstance(item, dict):
                    raise invalid_param(name, "only `update` is simulated")
                row = apply(item)
            except ApiError as exc:
                result[name].append({"id": item_id or 0, "error": exc.payload()})
                continue
            result[name].append(row)
            events.append((topic, copy.deepcopy(row)))
    return Reply(status=200, payload=result, events=events)


def _orders_batch(req: Request) -> Reply:
    orders = req.state.orders
    return _batch(req, lambda item: orders.update(int(item.get("id") or 0), item), "order.updated")


def _products_batch(req: Request) -> Reply:
    catalog = req.state.catalog
    return _batch(req, lambda item: catalog.update(catalog.product(int(item.get("id") or 0)), item), "product.updated")


def _variations_batch(req: Request) -> Reply:
    catalog, parent = req.state.catalog, req.int("parent")
    return _batch(
        req, lambda item: catalog.update(catalog.variation(parent, int(item.get("id") or 0)), item), "product.updated"
    )


def _webhook(req: Request) -> Reply:
    if req.method != "GET":
        status = req.body.get("status") if isinstance(req.body, dict) else None
        return Reply(status=200, payload=req.hub.set_status(req.int(), str(status)).public())
    webhook = req.hub.webhooks.get(req.int())
    if webhook is None:
        raise ApiError(status=404, code="woocommerce_rest_webhook_invalid_id", message="Invalid ID.")
    return Reply(status=200, payload=webhook.public())


ROUTES: list[tuple[frozenset[str], re.Pattern[str], str, Handler]] = [
    (methods, re.compile(f"^{pattern}$"), name, handler)
    for methods, pattern, name, handler in [
        (frozenset({"GET"}), r"orders", "orders.list", lambda r: _paged(r, r.state.orders.listing(r.params))),
        (frozenset({"POST"}), r"orders/batch", "orders.batch", _orders_batch),
        (
            frozenset({"GET"}),
            r"orders/(?P<id>\d+)",
            "orders.get",
            lambda r: Reply(status=200, payload=r.state.orders.get(r.int())),
        ),
        (_WRITE, r"orders/(?P<id>\d+)", "orders.update", _order_update),
        (frozenset({"GET", "POST"}), r"orders/(?P<id>\d+)/notes", "orders.notes", _notes),
        (frozenset({"GET"}), r"products", "products.list", lambda r: _paged(r, r.state.catalog.listing(r.params))),
        (frozenset({"POST"}), r"products/batch", "products.batch", _products_batch),
        (
            frozenset({"GET"}),
            r"products/(?P<id>\d+)",
            "products.get",
            lambda r: Reply(status=200, payload=r.state.catalog.product(r.int())),
        ),
        (
            _WRITE,
            r"products/(?P<id>\d+)",
            "products.update",
            lambda r: _updated(
                200, "product.updated", r.state.catalog.update(r.state.catalog.product(r.int()), r.body)
            ),
        ),
        (
            frozenset({"GET"}),
            r"products/(?P<parent>\d+)/variations",
            "variations.list",
            lambda r: _paged(r, r.state.catalog.variations_of(r.int("parent"), r.params)),
        ),
        (frozenset({"POST"}), r"products/(?P<parent>\d+)/variations/batch", "variations.batch", _variations_batch),
        (
            _WRITE,
            r"products/(?P<parent>\d+)/variations/(?P<id>\d+)",
            "variations.update",
            lambda r: _updated(
                200,
                "product.updated",
                r.state.catalog.update(r.state.catalog.variation(r.int("parent"), r.int()), r.body),
            ),
        ),
        (
            frozenset({"GET"}),
            r"webhooks",
            "webhooks.list",
            lambda r: _paged(r, [w.public() for w in r.hub.webhooks.values()]),
        ),
        (frozenset({"GET", "PUT", "POST", "PATCH"}), r"webhooks/(?P<id>\d+)", "webhooks.get", _webhook),
    ]
]


def match_route(method: str, rest: str) -> tuple[str, re.Match[str], Handler] | None:
    """The route for a method and a path below `/wp-json/wc/v3/` (`POST webhooks` is the app's own)."""
    for methods, pattern, name, handler in ROUTES:
        if method in methods and (found := pattern.match(rest)):
            return name, found, handler
    return None
