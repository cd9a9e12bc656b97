"""`OmniumClient`: bearer tokens from `/api/Token`, one classification hook, Retry-After, concurrency lanes."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
import msgspec
import structlog

from connectors._http import parse_retry_after
from connectors.omnium.models import TokenResponse
from router.errors import FatalUpstreamError, OutcomeUnknown, RetriableUpstreamError

__all__ = ["OmniumClient", "TokenRejected"]

log = structlog.get_logger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

_SUCCESS = range(200, 300)
_TOKEN_MARGIN = 60.0
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT"})
_MAX_BODY_IN_ERROR = 2000
_encoder = msgspec.json.Encoder(decimal_format="number")
_random = secrets.SystemRandom()


class TokenRejected(FatalUpstreamError):
    """Omnium refused the bearer token (401); a fresh token is fetched and the call tried once more."""

    code = "upstream_token_rejected"


class OmniumClient:
    """One API user's calls. Every response and transport error passes `classify_response`.

    Retries in-process: a 429 is waited out (its `Retry-After`, up to `max_retry_after`) for any call,
    because Omnium refused it before doing anything; other transient failures only for reads. A 401
    fetches a new token and repeats the call once. Everything else is raised to the router.
    """

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str | None,
        client_secret: str | None,
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        max_concurrency: int = 10,
        batch_concurrency: int = 2,
        attempts: int = 5,
        max_retry_after: float = 60.0,
        sleep: Sleep | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._http = http
        self._owns_http = http is None
        self.timeout = timeout
        self.attempts = attempts
        self.max_retry_after = max_retry_after
        self._sleep: Sleep = sleep or asyncio.sleep
        self._lane = asyncio.Semaphore(max_concurrency)
        self._batch_lane = asyncio.Semaphore(batch_concurrency)
        self._token_lock = asyncio.Lock()
        self._token: str | None = None
        self._token_expires = 0.0

    def __repr__(self) -> str:
        return f"OmniumClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        """Close the HTTP client if this instance made it."""
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.timeout)
        return self._http

    # --- the hook ---------------------------------------------------------------------------------

    def classify_response(self, what: str, outcome: httpx.Response | httpx.TransportError, *, idempotent: bool) -> None:
        """Raise the router's error for a failed exchange; return for a success. Override to adapt.

        429/5xx/timeouts/connection errors → RetriableUpstreamError (`retry_after` from the header), a
        timeout after the request went out on a non-idempotent call → OutcomeUnknown, 401 → TokenRejected,
        any other 4xx → FatalUpstreamError with the status and (redacted) body.
        """
        if isinstance(outcome, httpx.TransportError):
            sent = not isinstance(outcome, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
            error = OutcomeUnknown if sent and not idempotent else RetriableUpstreamError
            raise error(f"{what}: {type(outcome).__name__}")
        status = outcome.status_code
        if status in _SUCCESS:
            return
        body = self._redact(outcome.text[:_MAX_BODY_IN_ERROR])
        if status == 401:  # noqa: PLR2004
            raise TokenRejected(f"{what}: 401 Unauthorized", upstream_status=status, body=body)
        if status == 429 or status >= 500:  # noqa: PLR2004
            retry_after = parse_retry_after(outcome.headers.get("retry-after"))
            raise RetriableUpstreamError(
                f"{what}: HTTP {status}", upstream_status=status, body=body, retry_after=retry_after
            )
        raise FatalUpstreamError(f"{what}: HTTP {status}", upstream_status=status, body=body)

    # --- calls ------------------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: dict[str, str] | None = None,
        type_: type[T],
        batch: bool = False,
        idempotent: bool | None = None,
    ) -> T:
        """One API call with the retry policy above, decoded into `type_` (None for an empty body)."""
        reads = method in _IDEMPOTENT if idempotent is None else idempotent
        content = None if json is None else _encoder.encode(json)
        for attempt in range(1, self.attempts + 1):
            try:
                response = await self._authorized(method, path, content, params, batch=batch, idempotent=reads)
                return _decode(response, type_, f"{method} {path}")
            except RetriableUpstreamError as exc:
                wait = self._wait_for(exc, attempt, idempotent=reads)
                if wait is None:
                    raise
                log.info("omnium.retry", call=f"{method} {path}", status=exc.upstream_status, wait=wait)
                await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover - the last attempt raises

    def _wait_for(self, exc: RetriableUpstreamError, attempt: int, *, idempotent: bool) -> float | None:
        """Seconds to wait before the next attempt, or None to give up and raise."""
        if attempt >= self.attempts or isinstance(exc, OutcomeUnknown):
            return None
        if exc.upstream_status != 429 and not idempotent:  # noqa: PLR2004 - only a 429 is known not to have run
            return None
        if exc.retry_after is not None:
            return exc.retry_after if exc.retry_after <= self.max_retry_after else None
        return _random.uniform(0, min(8.0, 0.5 * 2 ** (attempt - 1)))

    async def _authorized(
        self,
        method: str,
        path: str,
        content: bytes | None,
        params: dict[str, str] | None,
        *,
        batch: bool,
        idempotent: bool,
    ) -> httpx.Response:
        what = f"{method} {path}"
        for fresh in (False, True):
            token = await self._bearer(force=fresh)
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            if content is not None:
                headers["Content-Type"] = "application/json"
            outcome = await self._send(method, path, content, params, headers, batch=batch)
            try:
                self.classify_response(what, outcome, idempotent=idempotent)
            except TokenRejected:
                if fresh:
                    raise
                log.info("omnium.token_rejected", call=what)
                continue
            assert isinstance(outcome, httpx.Response)  # noqa: S101 - classify_response raised for errors
            return outcome
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(
        self,
        method: str,
        path: str,
        content: bytes | None,
        params: dict[str, str] | None,
        headers: dict[str, str],
        *,
        batch: bool,
    ) -> httpx.Response | httpx.TransportError:
        lanes = (self._lane, self._batch_lane) if batch else (self._lane,)
        for lane in lanes:
            await lane.acquire()
        try:
            return await self._client().request(
                method, self.base_url + path, content=content, params=params, headers=headers, timeout=self.timeout
            )
        except httpx.TransportError as exc:
            return exc
        finally:
            for lane in lanes:
                lane.release()

    # --- tokens -----------------------------------------------------------------------------------

    async def _bearer(self, *, force: bool) -> str:
        """The current token, fetched when missing, about to expire, or `force`d after a 401."""
        stale = self._token
        async with self._token_lock:
            if self._token is not None and self._token != stale:
                return self._token  # another call refreshed it while this one waited
            if self._token is not None and not force and time.monotonic() < self._token_expires:
                return self._token
            self._token = None
            self._token, lifetime = await self._fetch_token()
            self._token_expires = time.monotonic() + max(0.0, lifetime - _TOKEN_MARGIN)
            return self._token

    async def _fetch_token(self) -> tuple[str, float]:
        if not self._client_id or not self._client_secret:
            raise FatalUpstreamError("credentials client_id and client_secret are required for Omnium")
        params = {"clientId": self._client_id, "clientSecret": self._client_secret, "returnAsJson": "true"}
        for attempt in range(1, self.attempts + 1):
            try:
                outcome = await self._send_token(params)
                try:
                    self.classify_response("POST /api/Token", outcome, idempotent=True)
                except TokenRejected:
                    raise FatalUpstreamError("Omnium refused the client credentials", upstream_status=401) from None
                assert isinstance(outcome, httpx.Response)  # noqa: S101 - classify_response raised for errors
                token = _decode(outcome, TokenResponse, "POST /api/Token")
            except RetriableUpstreamError as exc:
                wait = self._wait_for(exc, attempt, idempotent=True)
                if wait is None:
                    raise
                await self._sleep(wait)
            else:
                return token.access_token, token.expires_in
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_token(self, params: dict[str, str]) -> httpx.Response | httpx.TransportError:
        try:
            return await self._client().post(self.base_url + "/api/Token", params=params, timeout=self.timeout)
        except httpx.TransportError as exc:
            return exc

    def _redact(self, text: str) -> str:
        for secret in (self._client_secret, self._token, self._client_id):
            if secret:
                text = text.replace(secret, "***")
        return text


def _decode(response: httpx.Response, type_: type[T], what: str) -> T:
    content = response.content
    if not content.strip():
        content = b"null"
    try:
        return msgspec.json.decode(content, type=type_)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise FatalUpstreamError(f"{what}: unexpected response ({exc})", upstream_status=response.status_code) from None
