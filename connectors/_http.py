"""HTTP helpers every REST connector shares: reading Retry-After and classifying an upstream answer."""

from __future__ import annotations

import datetime as dt
import email.utils

import httpx

from router.errors import FatalUpstreamError, RetriableUpstreamError

__all__ = ["parse_retry_after", "raise_for_upstream_status"]

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
