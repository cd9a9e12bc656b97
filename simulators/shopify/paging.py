"""`GET orders.json` and `products.json` filters and cursor paging (`page_info` in a `Link` header)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable
from typing import Any

import msgspec

from simulators.shopify.records import ApiError

__all__ = ["OrderQuery", "decode_page_info", "encode_page_info", "link_header", "select_fields"]

_SORTS = {"updated_at", "created_at", "id"}
_DATE_FILTERS = ("updated_at_min", "updated_at_max", "created_at_min", "created_at_max")
_MAX_LIMIT = 250


class PageToken(msgspec.Struct, frozen=True, kw_only=True):
    """What a `page_info` value stands for: the query, and the sort key of the last row served."""

    query: dict[str, str]
    after: tuple[str, int] | None = None


def encode_page_info(token: PageToken) -> str:
    """An opaque URL-safe token."""
    return base64.urlsafe_b64encode(msgspec.json.encode(token)).decode().rstrip("=")


def decode_page_info(value: str) -> PageToken:
    """The token behind a `page_info`, or a 400 as Shopify answers a bad one."""
    try:
        return msgspec.json.decode(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), type=PageToken)
    except (binascii.Error, ValueError, msgspec.DecodeError, msgspec.ValidationError):
        raise ApiError(status=400, errors={"page_info": ["Invalid value."]}) from None


def limit_of(params: dict[str, str], default: int = 50) -> int:
    """The `limit` parameter: 1 to 250."""
    try:
        limit = int(params.get("limit", default))
    except ValueError:
        limit = 0
    if not 1 <= limit <= _MAX_LIMIT:
        raise ApiError(status=400, errors={"limit": ["must be between 1 and 250"]})
    return limit


def _when(value: str, name: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(status=400, errors={name: ["is invalid"]}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class OrderQuery:
    """The filters and sort of one orders listing (from the first request, or a page token)."""

    def __init__(self, params: dict[str, str]) -> None:
        self.params = {k: v for k, v in params.items() if k not in {"limit", "page_info", "fields"}}
        sort = self.params.get("order", "id desc").split()
        if len(sort) != 2 or sort[0] not in _SORTS or sort[1] not in {"asc", "desc"}:
            raise ApiError(status=400, errors={"order": ["is invalid"]})
        self.sort_field, self.descending = sort[0], sort[1] == "desc"
        self.status = self.params.get("status", "open")
        if self.status not in {"open", "closed", "cancelled", "any"}:
            raise ApiError(status=400, errors={"status": ["is invalid"]})
        self.dates = {name: _when(self.params[name], name) for name in _DATE_FILTERS if name in self.params}

    def _key(self, order: dict[str, Any]) -> tuple[str, int]:
        if self.sort_field == "id":
            return ("", order["id"])
        moment = dt.datetime.fromisoformat(order[self.sort_field]).astimezone(dt.UTC)
        return (moment.isoformat(), order["id"])

    def _matches(self, order: dict[str, Any]) -> bool:
        status_ok = {
            "open": order["closed_at"] is None and order["cancelled_at"] is None,
            "closed": order["closed_at"] is not None,
            "cancelled": order["cancelled_at"] is not None,
            "any": True,
        }[self.status]
        if not status_ok:
            return False
        for name, bound in self.dates.items():
            field, edge = name.rsplit("_", 1)
            moment = dt.datetime.fromisoformat(order[field])
            if (edge == "min" and moment < bound) or (edge == "max" and moment > bound):
                return False
        wanted = self.params.get("name")
        if wanted is not None and wanted.removeprefix("#") not in {order["name"][1:], str(order["order_number"])}:
            return False
        ids = self.params.get("ids")
        if ids is not None and str(order["id"]) not in ids.split(","):
            return False
        since_id = self.params.get("since_id")
        return since_id is None or (since_id.isdigit() and order["id"] > int(since_id))

    def page(
        self, orders: Iterable[dict[str, Any]], after: tuple[str, int] | None, limit: int
    ) -> tuple[list[dict[str, Any]], PageToken | None]:
        """One page after `after`, and the token of the next page if any rows remain."""
        rows = sorted((o for o in orders if self._matches(o)), key=self._key, reverse=self.descending)
        if after is not None:
            rows = [o for o in rows if (self._key(o) < after if self.descending else self._key(o) > after)]
        page = rows[:limit]
        more = len(rows) > limit
        return page, PageToken(query=self.params, after=self._key(page[-1])) if more else None


def select_fields(row: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """Apply `fields=a,b`: only those top-level keys."""
    if not fields:
        return row
    wanted = {name.strip() for name in fields.split(",")}
    return {key: value for key, value in row.items() if key in wanted}


def link_header(url: str, params: dict[str, str]) -> tuple[bytes, bytes]:
    """`Link: <url?limit=..&page_info=..>; rel="next"`."""
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return b"link", f'<{url}?{query}>; rel="next"'.encode()
