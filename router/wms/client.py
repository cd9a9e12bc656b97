"""Async client for Ongoing WMS's goods-owner SOAP API; every call goes through one classification hook."""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Self

import httpx
import stamina
import zeep
import zeep.exceptions
from zeep.proxy import AsyncServiceProxy
from zeep.transports import AsyncTransport

from router.errors import FatalUpstreamError, OutcomeUnknown, RetriableUpstreamError, UpstreamError
from router.wms import mapping

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping, Sequence
    from decimal import Decimal

    from router.domain import RoutedOrder, WmsOrderStatus
    from router.wms.mapping import WmsArticle, WmsStockLine

__all__ = ["SERVICE_BINDING", "RawResponse", "WmsClient"]

SERVICE_BINDING = "{http://ongoingsystems.se/WSI}ServiceSoap"
_UNKNOWN_NUMBER = "router-ping-00000000-no-such-order"  # no real order number looks like this
_READ_ATTEMPTS = 3
_BODY_LIMIT = 4000
_TOO_MANY_REQUESTS = 429
_SERVER_ERROR = 500


@dataclass
class RawResponse:
    """The raw HTTP response of one call, kept for classification and error reports."""

    status: int | None = None
    body: str | None = None
    retry_after: float | None = None


_exchange: contextvars.ContextVar[RawResponse | None] = contextvars.ContextVar("wms_exchange", default=None)


class _Transport(AsyncTransport):
    """zeep's httpx transport, minus its debug log of request bodies (they hold the password)."""

    async def post(self, address: str, message: bytes, headers: dict[str, str]) -> httpx.Response:
        response = await self.client.post(address, content=message, headers=headers)
        await response.aread()
        exchange = _exchange.get()
        if exchange is not None:
            exchange.status = response.status_code
            exchange.body = response.text[:_BODY_LIMIT]
            exchange.retry_after = _retry_after(response.headers.get("retry-after"))
        return response


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


class WmsClient:
    """One goods owner in Ongoing WMS, reached over SOAP 1.1 (`ServiceSoap`) with zeep's AsyncClient."""

    def __init__(
        self,
        *,
        client: zeep.AsyncClient,
        service: Any,
        username: str,
        password: str,
        goods_owner_code: str,
        url: str,
    ) -> None:
        self._client = client
        self._service = service
        self._username = username
        self._password = password
        self._goods_owner_code = goods_owner_code
        self.url = url

    def __repr__(self) -> str:
        return f"WmsClient(url={self.url!r}, goods_owner_code={self._goods_owner_code!r})"

    @classmethod
    async def open(
        cls,
        *,
        url: str,
        username: str,
        password: str,
        goods_owner_code: str,
        timeout: float = 10.0,
        strict_xml: bool = False,
    ) -> WmsClient:
        """Load the project's WSDL from the package and bind its `ServiceSoap` port to `url`."""
        transport = _Transport(  # type: ignore[no-untyped-call]  # zeep's API has no annotations
            client=httpx.AsyncClient(timeout=timeout), wsdl_client=httpx.Client()
        )

        def load() -> zeep.AsyncClient:
            wsdl = resources.files("router.wms").joinpath("ongoing.wsdl")
            with resources.as_file(wsdl) as path:
                settings = zeep.Settings(strict=strict_xml, xml_huge_tree=False)
                return zeep.AsyncClient(str(path), transport=transport, settings=settings)  # type: ignore[no-untyped-call]

        try:
            client = await asyncio.to_thread(load)
        except BaseException:
            transport.wsdl_client.close()
            await transport.aclose()  # type: ignore[no-untyped-call]
            raise
        # zeep 4.3's AsyncClient.create_service returns a *sync* ServiceProxy (its calls never await the
        # transport), so bind the same binding to the address with the async proxy ourselves.
        service = AsyncServiceProxy(  # type: ignore[no-untyped-call]
            client, client.wsdl.bindings[SERVICE_BINDING], address=url
        )
        return cls(
            client=client,
            service=service,
            username=username,
            password=password,
            goods_owner_code=goods_owner_code,
            url=url,
        )

    async def aclose(self) -> None:
        """Close both HTTP clients."""
        transport = self._client.transport
        transport.wsdl_client.close()
        await transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # --- the classification hook ------------------------------------------------------------------

    def classify_exception(self, operation: str, exc: Exception, raw: RawResponse) -> UpstreamError | None:
        """Map a failed call to the router's error tree; None means "not an upstream failure, re-raise".

        Override this and `classify_result` (never the call sites) to change how the WMS is judged.
        ProcessOrder is not idempotent, so whatever may have reached the server is `OutcomeUnknown`:
        an ASMX 500 may come after the order was committed.
        """
        writes = operation.startswith(("Process", "Update"))
        if isinstance(exc, httpx.TransportError | httpx.InvalidURL):
            kind, message, status = *_judge_http(exc), raw.status
        elif isinstance(exc, zeep.exceptions.Error):
            kind, message, status = _judge_soap(exc, raw.status, writes=writes, redact=self._redact)
        else:
            return None
        return kind(
            f"WMS {operation}: {message}",
            operation=operation,
            upstream_status=status,
            body=self._redact(raw.body),
            retry_after=raw.retry_after if status == _TOO_MANY_REQUESTS else None,
        )

    def classify_result(self, operation: str, result: Any, raw: RawResponse) -> UpstreamError | None:
        """Judge a parsed result: a write (Process*/Update*) whose `Success` is not true was rejected."""
        if not operation.startswith(("Process", "Update")) or getattr(result, "Success", False):
            return None
        reason = self._redact(getattr(result, "ErrorMessage", None) or getattr(result, "Message", None))
        return FatalUpstreamError(
            f"WMS rejected {operation}: {reason or 'no reason given'}",
            operation=operation,
            wms_message=reason,
            upstream_status=raw.status,
            body=self._redact(raw.body),
        )

    async def _call(self, operation: str, **arguments: Any) -> Any:
        """Call one SOAP operation with the credentials; every outcome passes the two classifiers."""
        raw = RawResponse()
        token = _exchange.set(raw)
        try:
            result = await getattr(self._service, operation)(
                GoodsOwnerCode=self._goods_owner_code,
                UserName=self._username,
                Password=self._password,
                **arguments,
            )
        except Exception as exc:
            error = self.classify_exception(operation, exc, raw)
            if error is None:
                raise
            raise error from None
        finally:
            _exchange.reset(token)
        error = self.classify_result(operation, result, raw)
        if error is not None:
            raise error
        return result

    async def _read(self, operation: str, **arguments: Any) -> Any:
        """Call an idempotent read, retrying in-process on transient failures."""
        async for attempt in stamina.retry_context(
            on=RetriableUpstreamError, attempts=_READ_ATTEMPTS, wait_initial=0.2, wait_max=2.0, timeout=30.0
        ):
            with attempt:
                return await self._call(operation, **arguments)
        raise AssertionError("unreachable")  # pragma: no cover - stamina re-raises the last error

    def _redact(self, text: str | None) -> str | None:
        if text is None or not self._password:
            return text
        return text.replace(self._password, "***")

    # --- operations -------------------------------------------------------------------------------

    async def process_order(self, routed: RoutedOrder, *, operation: str = "CreateOrUpdate") -> int:
        """Create or update one order (ProcessOrder); returns the WMS OrderId."""
        result = await self._call("ProcessOrder", co=mapping.customer_order(routed, operation=operation))
        return int(result.OrderId)

    async def cancel_order(self, wms_order_number: str) -> int:
        """Cancel one order (ProcessOrder with `OrderOperation=Remove`); returns its OrderId."""
        result = await self._call("ProcessOrder", co=mapping.remove_order(wms_order_number))
        return int(result.OrderId)

    async def find_order(self, wms_order_number: str) -> WmsOrderStatus | None:
        """Return the order with this GoodsOwnerOrderNumber, or None when the WMS has none."""
        orders = await self.get_orders(numbers=[wms_order_number])
        return next((o for o in orders if o.order_number == wms_order_number), None)

    async def get_orders(
        self,
        *,
        numbers: Sequence[str] = (),
        changed_since: dt.datetime | None = None,
        status_from: int | None = None,
        status_to: int | None = None,
        only_lines_to_report: bool = False,
    ) -> list[WmsOrderStatus]:
        """Orders matching every given filter (GetOrdersByQuery)."""
        query = mapping.order_filters(
            numbers=numbers,
            changed_since=changed_since,
            status_from=status_from,
            status_to=status_to,
            only_lines_to_report=only_lines_to_report,
        )
        return mapping.orders_from_result(await self._read("GetOrdersByQuery", query=query))

    async def report_lines(self, wms_order_number: str, reported: Mapping[str, Decimal]) -> int:
        """Set `ReportedNumberOfItems` per line id (UpdateOrderLines); returns the OrderId when given."""
        argument = mapping.update_order_lines(wms_order_number, reported)
        result = await self._call("UpdateOrderLines", UpdateOrderLines=argument)
        return int(result.OrderId or 0)

    async def get_inventory(
        self, *, article_numbers: Sequence[str] = (), changed_since: dt.datetime | None = None
    ) -> list[WmsStockLine]:
        """Stock per article (GetInventoryByQuery), optionally only some or only recently changed."""
        query = mapping.inventory_query(article_numbers=article_numbers, changed_since=changed_since)
        return mapping.stock_lines_from_result(await self._read("GetInventoryByQuery", GetInventoryQuery=query))

    async def process_article(self, article: WmsArticle) -> int:
        """Create or update one article keyed on its number (ProcessArticle); returns ArticleDefId."""
        result = await self._call("ProcessArticle", art=mapping.article_definition(article))
        return int(result.ArticleDefId or 0)

    async def ping(self) -> None:
        """Prove reachability and credentials with a cheap read; raises an UpstreamError on failure."""
        await self._call("GetOrdersByQuery", query=mapping.order_filters(numbers=[_UNKNOWN_NUMBER]))


def _judge_http(exc: httpx.TransportError | httpx.InvalidURL) -> tuple[type[UpstreamError], str]:
    """Judge an httpx failure: unsent is retriable; sent (or maybe sent) has an unknown outcome."""
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return RetriableUpstreamError, f"cannot connect ({name})"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return FatalUpstreamError, f"bad endpoint URL ({name})"
    return OutcomeUnknown, f"no response ({name})"  # read/write timeout, dropped connection


def _judge_soap(
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
        if status == _TOO_MANY_REQUESTS:  # rate limited: not processed
            return RetriableUpstreamError, f"HTTP {status}", status
        return (
            (server_error if (status or 0) >= _SERVER_ERROR else FatalUpstreamError),
            f"HTTP {status}",
            status,
        )
    if isinstance(exc, zeep.exceptions.ValidationError):
        return FatalUpstreamError, f"request does not fit the WSDL: {redact(str(exc))}", status
    return FatalUpstreamError, f"unreadable response: {redact(str(exc))}", status
