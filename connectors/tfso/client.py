"""`TfsoClient`: zeep AsyncClients for the four services, one session cookie, one classification hook."""

from __future__ import annotations

import asyncio
import contextvars
import re
import time
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from importlib import resources
from typing import TYPE_CHECKING, Any

import httpx
import structlog
import zeep
from zeep.proxy import AsyncServiceProxy
from zeep.transports import AsyncTransport

from connectors.tfso.faults import Exchange, SessionExpired, api_exception, judge_exception
from router.errors import FatalUpstreamError, UpstreamError

if TYPE_CHECKING:
    from connectors.tfso.settings import TfsoCredentials, TfsoSettings

__all__ = ["PATHS", "Reply", "TfsoClient"]

log = structlog.get_logger(__name__)

TNS = "http://24sevenOffice.com/webservices"
PATHS = {
    "Authenticate": "/authenticate/v001/authenticate.asmx",
    "InvoiceService": "/Economy/InvoiceOrder/V001/InvoiceService.asmx",
    "ProductService": "/Logistics/Product/V001/ProductService.asmx",
    "CompanyService": "/CRM/Company/V001/CompanyService.asmx",
}
WRITES = frozenset({"SaveInvoices", "SetStockQuantity"})
_BODY_LIMIT = 4000
_exchange: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar("tfso_exchange", default=None)


class _Transport(AsyncTransport):
    """zeep's httpx transport with the session cookie set per call, the raw answer kept, and no body logging."""

    def __init__(self, client: httpx.AsyncClient, timeout: float) -> None:
        super().__init__(client=client, wsdl_client=httpx.Client())  # type: ignore[no-untyped-call]
        self._timeout = timeout

    async def post(self, address: str, message: bytes, headers: dict[str, str]) -> httpx.Response:
        exchange = _exchange.get()
        headers = dict(headers)
        if exchange is not None and exchange.session:
            headers["Cookie"] = f"ASP.NET_SessionId={exchange.session}"  # explicit: never a shared cookie jar
        response = await self.client.post(address, content=message, headers=headers, timeout=self._timeout)
        await response.aread()
        if exchange is not None:
            exchange.status = response.status_code
            exchange.body = response.content
            exchange.retry_after = _seconds(response.headers.get("retry-after"))
        return response


@dataclass(frozen=True)
class Reply:
    """A successful call: zeep's parsed result and the raw response body (for documents as received)."""

    result: Any
    body: bytes


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


class TfsoClient:
    """One 24SevenOffice API user: logs in once, reuses the session, logs in again when it expired."""

    def __init__(self, settings: TfsoSettings, credentials: TfsoCredentials, http: httpx.AsyncClient | None) -> None:
        self.settings = settings
        self._credentials = credentials
        self._own_http = http is None
        # Own client: a cookie jar that stores nothing, so the session lives only in `self._session`.
        self._http = http or httpx.AsyncClient(cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])))
        self._transport = _Transport(self._http, settings.timeout_seconds)
        self._proxies: dict[str, Any] = {}
        self._session: str | None = None
        self._last_used = 0.0
        self._lock = asyncio.Lock()
        self._session_pattern = re.compile(settings.session_fault_pattern)

    def __repr__(self) -> str:
        return f"TfsoClient(base_url={self.settings.base_url!r})"

    async def aclose(self) -> None:
        """Close the HTTP clients this client created (a shared one is left to its owner)."""
        self._transport.wsdl_client.close()
        if self._own_http:
            await self._http.aclose()

    async def _proxy(self, service: str) -> Any:
        if service not in self._proxies:

            def load() -> zeep.AsyncClient:
                wsdl = resources.files("connectors.tfso").joinpath("wsdl", f"{service}.wsdl")
                with resources.as_file(wsdl) as path:
                    settings = zeep.Settings(strict=False, xml_huge_tree=False)
                    return zeep.AsyncClient(str(path), transport=self._transport, settings=settings)  # type: ignore[no-untyped-call]

            client = await asyncio.to_thread(load)
            binding = client.wsdl.bindings[f"{{{TNS}}}{service}Soap"]
            address = self.settings.base_url.rstrip("/") + PATHS[service]
            # zeep 4.3's AsyncClient.service is a sync proxy; bind the async one to the address ourselves.
            self._proxies[service] = AsyncServiceProxy(client, binding, address=address)  # type: ignore[no-untyped-call]
        return self._proxies[service]

    # --- the classification hooks -----------------------------------------------------------------

    def classify_fault(self, operation: str, exc: Exception, exchange: Exchange) -> UpstreamError | None:
        """Map a failed call to the error tree; None means "not an upstream failure, re-raise".

        Override this (and `classify_result`), never the call sites. 5xx, time-outs and connection errors
        are retriable (writes whose outcome is unknown are OutcomeUnknown), the session fault is
        SessionExpired (the client logs in again), client faults and other 4xx are fatal.
        """
        judged = judge_exception(
            operation, exc, exchange, writes=operation in WRITES, session_pattern=self._session_pattern
        )
        if judged is None:
            return None
        kind, message, retry_after = judged
        return kind(
            f"24SevenOffice {operation}: {self._redact(message)}",
            operation=operation,
            upstream_status=exchange.status,
            body=self._redact(exchange.body[:_BODY_LIMIT].decode("utf-8", "replace")),
            retry_after=retry_after,
        )

    def classify_result(self, operation: str, result: Any, exchange: Exchange) -> UpstreamError | None:
        """Judge a parsed answer: an `APIException` on a saved order, or SetStockQuantity answering false."""
        problem = None
        if operation == "SaveInvoices":
            problem = api_exception(result)
        elif operation == "SetStockQuantity" and result is not True:
            problem = "SetStockQuantity answered false (unknown product?)"
        elif operation == "Login" and not result:
            problem = "Login refused: check ApplicationId, Username and Password"
        if problem is None:
            return None
        body = self._redact(exchange.body[:_BODY_LIMIT].decode("utf-8", "replace"))
        return FatalUpstreamError(
            f"24SevenOffice {operation}: {self._redact(problem)}",
            operation=operation,
            upstream_status=exchange.status,
            body=body,
        )

    def _redact(self, text: str | None) -> str | None:
        if not text:
            return text
        for secret in (self._credentials.password, self._session):
            if secret:
                text = text.replace(secret, "***")
        return text

    # --- calls and the session --------------------------------------------------------------------

    async def _invoke(self, service: str, operation: str, session: str | None, **arguments: Any) -> Reply:
        exchange = Exchange(session=session)
        token = _exchange.set(exchange)
        try:
            result = await getattr(await self._proxy(service), operation)(**arguments)
        except Exception as exc:
            error = self.classify_fault(operation, exc, exchange)
            if error is None:
                raise
            raise error from None
        finally:
            _exchange.reset(token)
        error = self.classify_result(operation, result, exchange)
        if error is not None:
            raise error
        return Reply(result=result, body=exchange.body)

    async def call(self, service: str, operation: str, **arguments: Any) -> Reply:
        """Call a business operation with the session; on the session fault log in again and retry once."""
        session = await self._ensure_session()
        try:
            result = await self._invoke(service, operation, session, **arguments)
        except SessionExpired:
            log.info("tfso.session_expired", operation=operation)
            session = await self._login(replacing=session)
            result = await self._invoke(service, operation, session, **arguments)
        self._last_used = time.monotonic()
        return result

    async def _ensure_session(self) -> str:
        async with self._lock:
            idle = time.monotonic() - self._last_used
            if self._session is not None and idle >= self.settings.session_check_seconds:
                live = await self._invoke("Authenticate", "HasSession", self._session)
                if live.result is not True:
                    log.info("tfso.session_gone", idle_seconds=round(idle))
                    self._session = None
                else:
                    self._last_used = time.monotonic()
            if self._session is None:
                self._session = await self._do_login()
            return self._session

    async def _login(self, *, replacing: str | None) -> str:
        async with self._lock:
            if self._session is None or self._session == replacing:  # nobody renewed it meanwhile
                self._session = await self._do_login()
            return self._session

    async def _do_login(self) -> str:
        credential = {
            "ApplicationId": self._credentials.application_id,
            "Username": self._credentials.username,
            "Password": self._credentials.password,
        }
        if self._credentials.identity_id:
            credential["IdentityId"] = self._credentials.identity_id
        session = str((await self._invoke("Authenticate", "Login", None, credential=credential)).result)
        self._last_used = time.monotonic()
        log.info("tfso.logged_in", base_url=self.settings.base_url)
        return session
