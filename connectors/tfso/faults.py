"""How a failed or suspicious 24SevenOffice call is judged: the default rules behind the client's hooks."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import httpx
import zeep.exceptions

from router.errors import FatalUpstreamError, OutcomeUnknown, RetriableUpstreamError, UpstreamError

__all__ = ["Exchange", "SessionExpired", "api_exception", "judge_exception"]

_QUARANTINE = re.compile(r"Quarantine ends at (?P<end>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)")
_MAX_RETRY_AFTER = 3600.0
_SERVER_ERROR = 500
_TOO_MANY = 429


class SessionExpired(RetriableUpstreamError):
    """The 24SevenOffice session is not (or no longer) authenticated; log in again and retry once."""

    code = "upstream_session_expired"


@dataclass
class Exchange:
    """One SOAP call's HTTP facts, filled by the transport: kept for judging and error reports."""

    session: str | None = None
    status: int | None = None
    body: bytes = b""
    retry_after: float | None = None


def judge_exception(
    operation: str, exc: Exception, exchange: Exchange, *, writes: bool, session_pattern: re.Pattern[str]
) -> tuple[type[UpstreamError], str, float | None] | None:
    """(error class, message, retry-after) for an upstream failure; None when `exc` is not one."""
    if isinstance(exc, httpx.TransportError | httpx.InvalidURL):
        return _judge_http(exc, writes=writes)
    if isinstance(exc, zeep.exceptions.Fault):
        return _judge_fault(exc, writes=writes, session_pattern=session_pattern)
    if isinstance(exc, zeep.exceptions.TransportError):
        status = exc.status_code or exchange.status or 0
        if status == _TOO_MANY or status >= _SERVER_ERROR:
            kind = OutcomeUnknown if writes and status >= _SERVER_ERROR else RetriableUpstreamError
            return kind, f"HTTP {status}", exchange.retry_after
        return FatalUpstreamError, f"HTTP {status}", None
    if isinstance(exc, zeep.exceptions.Error):
        return FatalUpstreamError, f"{operation}: unusable request or response ({type(exc).__name__})", None
    return None


def _judge_http(
    exc: httpx.TransportError | httpx.InvalidURL, *, writes: bool
) -> tuple[type[UpstreamError], str, float | None]:
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return RetriableUpstreamError, f"cannot connect ({name})", None
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return FatalUpstreamError, f"bad service URL ({name})", None
    # sent without an answer (read timeout, dropped connection): a write may have happened
    return (OutcomeUnknown if writes else RetriableUpstreamError), f"no response ({name})", None


def _judge_fault(
    exc: zeep.exceptions.Fault, *, writes: bool, session_pattern: re.Pattern[str]
) -> tuple[type[UpstreamError], str, float | None]:
    message = str(exc.message or "")
    code = str(exc.code or "").rpartition(":")[2]
    text = f"fault {code}: {message}"
    if session_pattern.search(message):
        return SessionExpired, text, None
    if "Limit exceeded" in message:  # rate limit / login throttling: nothing was processed
        return RetriableUpstreamError, text, _quarantine(message)
    if code == "Client" or message.startswith("Server was unable to read request"):
        return FatalUpstreamError, text, None  # the request itself is wrong: a retry cannot help
    return (OutcomeUnknown if writes else RetriableUpstreamError), text, None


def _quarantine(message: str) -> float | None:
    """Seconds until `Quarantine ends at <UTC time>`, bounded; None when the text carries no time."""
    match = _QUARANTINE.search(message)
    if match is None:
        return None
    end = dt.datetime.fromisoformat(match["end"]).replace(tzinfo=dt.UTC)
    return min(max((end - dt.datetime.now(dt.UTC)).total_seconds(), 1.0), _MAX_RETRY_AFTER)


def api_exception(items: Any) -> str | None:
    """The first per-item `APIException` of a Save* result as `Type: Message`, or None."""
    for item in items or ():
        error = getattr(item, "APIException", None)
        if error is not None:
            return f"{getattr(error, 'Type', None) or 'APIException'}: {getattr(error, 'Message', None) or ''}".strip()
    return None
