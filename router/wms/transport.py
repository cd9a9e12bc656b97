"""zeep's HTTP transport for the WMS client, the raw-response record, and judging failed calls."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import zeep.exceptions
from zeep.transports import AsyncTransport

from router.errors import FatalUpstreamError, OutcomeUnknown, RetriableUpstreamError, UpstreamError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["SERVICE_BINDING", "RawResponse", "Transport", "exchange", "judge_http", "judge_soap"]

SERVICE_BINDING = "{http://ongoingsystems.se/WSI}ServiceSoap"
_BODY_LIMIT = 4000
TOO_MANY_REQUESTS = 429
_SERVER_ERROR = 500


@dataclass
class RawResponse:
    """The raw HTTP response of one call, kept for classification and error reports."""

    status: int | None = None
    body: str | None = None
    retry_after: float | None = None


exchange: contextvars.ContextVar[RawResponse | None] = contextvars.ContextVar("wms_exchange", default=None)


class Transport(AsyncTransport):
    """zeep's httpx transport, minus its debug log of request bodies (they hold the password)."""

    async def post(self, address: str, message: bytes, headers: dict[str, str]) -> httpx.Response:
        """POST one envelope and record the raw answer for the classifiers."""
        response = await self.client.post(address, content=message, headers=headers)
        await response.aread()
        raw = exchange.get()
        if raw is not None:
            raw.status = response.status_code
            raw.body = response.text[:_BODY_LIMIT]
            raw.retry_after = _retry_after(response.headers.get("retry-after"))
        return response


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def judge_http(exc: httpx.TransportError | httpx.InvalidURL) -> tuple[type[UpstreamError], str]:
    """Judge an httpx failure: unsent is retriable; sent (or maybe sent) has an unknown outcome."""
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return RetriableUpstreamError, f"cannot connect ({name})"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return FatalUpstreamError, f"bad endpoint URL ({name})"
    return OutcomeUnknown, f"no response ({name})"  # read/write timeout, dropped connection


def judge_soap(
    exc: zeep.exceptions.Error,
    status: int | None,
    *,
    writes: bool,
    redact: Callable[[str | None], str | None],
) -> tuple[type[UpstreamError], str, int | None]:
    """Judge a zeep failure: soap:Client faults and other 4xx are fatal; 429 and 5xx are transient."""
    server_error = OutcomeUnknown if writes else RetriableUpstreamError  # an ASMX 500 may follow a commit
    if isinstance(exc, zeep.exceptions.Fault):
        client_fault = str(exc.code or "").rpartition(":")[2] == "Client"
        return (
            (FatalUpstreamError if client_fault else server_error),
            f"fault {exc.code}: {exc.message}",
            status,
        )
    if isinstance(exc, zeep.exceptions.TransportError):
        status = exc.status_code or status
        if status == TOO_MANY_REQUESTS:  # rate limited: not processed
            return RetriableUpstreamError, f"HTTP {status}", status
        return (
            (server_error if (status or 0) >= _SERVER_ERROR else FatalUpstreamError),
            f"HTTP {status}",
            status,
        )
    if isinstance(exc, zeep.exceptions.ValidationError):
        return FatalUpstreamError, f"request does not fit the WSDL: {redact(str(exc))}", status
    return FatalUpstreamError, f"unreadable response: {redact(str(exc))}", status
