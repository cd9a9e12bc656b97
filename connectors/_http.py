"""HTTP helpers every REST connector shares: reading Retry-After and classifying an upstream answer."""

from __future__ import annotations

import datetime as dt
import email.utils
from typing import Any, TypeVar

import httpx
import msgspec

from router.errors import FatalUpstreamError, OutcomeUnknown, RetriableUpstreamError

__all__ = ["decode_json", "parse_retry_after", "raise_for_upstream_status", "send"]

T = TypeVar("T")
_MAX_BODY_IN_ERROR = 2000


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """`Retry-After` as seconds: a (possibly fractional) number or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def raise_for_upstream_status(
    response: httpx.Response, *, system: str, what: str, retriable: frozenset[int] = frozenset({429})
) -> None:
    """Nothing for a success; RetriableUpstreamError for 5xx and `retriable` (with Retry-After); else fatal."""
    status = response.status_code
    if status < 400:  # noqa: PLR2004 - HTTP status classes
        return
    body = response.text[:_MAX_BODY_IN_ERROR]
    message = f"{system} answered {status} to {what}"
    if status >= 500 or status in retriable:  # noqa: PLR2004
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise RetriableUpstreamError(message, upstream_status=status, body=body, retry_after=retry_after)
    raise FatalUpstreamError(message, upstream_status=status, body=body)


async def send(http: httpx.AsyncClient, method: str, url: str, *, what: str, **request: Any) -> httpx.Response:
    """One `http.request`; no connection is retriable, no answer to a write is OutcomeUnknown (a read: retriable)."""
    try:
        return await http.request(method, url, **request)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise RetriableUpstreamError(f"{what}: could not connect ({type(exc).__name__})") from None
    except httpx.TransportError as exc:
        unknown = OutcomeUnknown if method != "GET" else RetriableUpstreamError
        raise unknown(f"{what}: no answer ({type(exc).__name__})") from None


def decode_json(response: httpx.Response, into: type[T], what: str) -> T:
    """The response's JSON as `into`; an answer of another shape is a FatalUpstreamError with the body."""
    try:
        return msgspec.json.decode(response.content, type=into)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        body = response.text[:_MAX_BODY_IN_ERROR]
        raise FatalUpstreamError(
            f"unexpected answer to {what}: {exc}", upstream_status=response.status_code, body=body
        ) from None
