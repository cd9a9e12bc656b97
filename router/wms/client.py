"""Async client for Ongoing WMS's goods-owner SOAP API; every call goes through one classification hook."""

from __future__ import annotations

import asyncio
import datetime as dt
from importlib import resources
from typing import TYPE_CHECKING, Any, Self

import httpx
import msgspec
import stamina
import zeep
import zeep.exceptions
from zeep.proxy import AsyncServiceProxy

from router.domain import ArticleUpdate
from router.errors import FatalUpstreamError, RetriableUpstreamError, UpstreamError
from router.wms import mapping
from router.wms.transport import (
    SERVICE_BINDING,
    TOO_MANY_REQUESTS,
    RawResponse,
    Transport,
    exchange,
    judge_http,
    judge_soap,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping, Sequence
    from decimal import Decimal

    from router.domain import RoutedOrder, WmsOrderStatus
    from router.wms.mapping import (
        WmsArticle,
        WmsInOrderStatus,
        WmsInventoryChange,
        WmsPurchaseOrder,
        WmsStockLine,
    )

__all__ = ["SERVICE_BINDING", "OrdersPage", "RawResponse", "WmsClient"]

_UNKNOWN_NUMBER = "router-ping-00000000-no-such-order"  # no real order number looks like this
_READ_ATTEMPTS = 3


class OrdersPage(msgspec.Struct, frozen=True, kw_only=True):
    """One cursor read of changed orders: the orders, and the cursor to pass next time.

    `cursor` is when this read started (by the caller's clock): every change after that is picked up
    by the next read, and `overlap` covers clock skew between router and WMS. Orders can therefore come
    twice across reads; consumers de-duplicate (by the reported counters and their event keys).
    """

    orders: list[WmsOrderStatus]
    cursor: dt.datetime


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
        transport = Transport(  # type: ignore[no-untyped-call]  # zeep's API has no annotations
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
        Writes are not idempotent, so whatever may have reached the server is `OutcomeUnknown`:
        an ASMX 500 may come after the order was committed.
        """
        writes = operation.startswith(("Process", "Update"))
        if isinstance(exc, httpx.TransportError | httpx.InvalidURL):
            kind, message, status = *judge_http(exc), raw.status
        elif isinstance(exc, zeep.exceptions.Error):
            kind, message, status = judge_soap(exc, raw.status, writes=writes, redact=self._redact)
        else:
            return None
        return kind(
            f"WMS {operation}: {message}",
            operation=operation,
            upstream_status=status,
            body=self._redact(raw.body),
            retry_after=raw.retry_after if status == TOO_MANY_REQUESTS else None,
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
        token = exchange.set(raw)
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
            exchange.reset(token)
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

    # --- orders -----------------------------------------------------------------------------------

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
        changed_until: dt.datetime | None = None,
        status_from: int | None = None,
        status_to: int | None = None,
        only_lines_to_report: bool = False,
    ) -> list[WmsOrderStatus]:
        """Orders matching every given filter (GetOrdersByQuery); the `changed_*` bounds are inclusive."""
        query = mapping.order_filters(
            numbers=numbers,
            changed_since=changed_since,
            changed_until=changed_until,
            status_from=status_from,
            status_to=status_to,
            only_lines_to_report=only_lines_to_report,
        )
        return mapping.orders_from_result(await self._read("GetOrdersByQuery", query=query))

    async def read_changed_orders(
        self,
        cursor: dt.datetime | None,
        *,
        overlap: dt.timedelta = dt.timedelta(minutes=2),
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> OrdersPage:
        """A cursor read: orders changed since `cursor - overlap` (all orders when `cursor` is None)."""
        started = clock()
        since = None if cursor is None else cursor - overlap
        return OrdersPage(orders=await self.get_orders(changed_since=since), cursor=started)

    async def report_lines(self, wms_order_number: str, reported: Mapping[str, Decimal]) -> int:
        """Set `ReportedNumberOfItems` per line id (UpdateOrderLines); returns the OrderId when given."""
        argument = mapping.update_order_lines(wms_order_number, reported)
        result = await self._call("UpdateOrderLines", UpdateOrderLines=argument)
        return int(result.OrderId or 0)

    async def report_returned_lines(self, wms_order_number: str, reported: Mapping[str, Decimal]) -> int:
        """Set the newer `ReportedReturnedNumberOfItems` per line id (UpdateOrderLines); returns the OrderId."""
        argument = mapping.update_order_lines(wms_order_number, reported_returned=reported)
        result = await self._call("UpdateOrderLines", UpdateOrderLines=argument)
        return int(result.OrderId or 0)

    # --- stock ------------------------------------------------------------------------------------

    async def get_inventory(
        self,
        *,
        article_numbers: Sequence[str] = (),
        changed_since: dt.datetime | None = None,
        max_articles: int | None = None,
        system_id_from: int | None = None,
    ) -> list[WmsStockLine]:
        """Stock per article (GetInventoryByQuery): some, recently changed, or one page by SystemId."""
        query = mapping.inventory_query(
            article_numbers=article_numbers,
            changed_since=changed_since,
            max_articles=max_articles,
            system_id_from=system_id_from,
        )
        return mapping.stock_lines_from_result(await self._read("GetInventoryByQuery", GetInventoryQuery=query))

    async def iter_inventory(
        self, *, page_size: int = 500, changed_since: dt.datetime | None = None
    ) -> AsyncIterator[WmsStockLine]:
        """Every article's stock, page by page (`MaxArticlesToGet` + `ArticleSystemIdFrom`, as Ongoing advises).

        Lines come in ascending SystemId; a server that ignores the paging fields answers everything at
        once, and a line already yielded is never yielded again, so the loop always ends.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        last_id: int | None = None
        while True:
            page = await self.get_inventory(
                changed_since=changed_since,
                max_articles=page_size,
                system_id_from=None if last_id is None else last_id + 1,
            )
            fresh = [line for line in page if last_id is None or line.system_id is None or line.system_id > last_id]
            for line in fresh:
                yield line
            ids = [line.system_id for line in fresh if line.system_id is not None]
            if len(page) != page_size or not ids:
                return
            last_id = max(ids)

    async def get_inventory_changes(
        self, from_time: dt.datetime | None, to_time: dt.datetime | None = None
    ) -> list[WmsInventoryChange]:
        """Stock adjustments outside the order flow in [from_time, to_time] (GetInventoryChanges)."""
        query = mapping.inventory_changes_query(from_time, to_time)
        return mapping.inventory_changes_from_result(await self._read("GetInventoryChanges", query=query))

    # --- articles and purchase orders ---------------------------------------------------------------

    async def process_article(self, article: WmsArticle | ArticleUpdate) -> int:
        """Create or update one article keyed on its number (ProcessArticle); returns ArticleDefId."""
        if isinstance(article, ArticleUpdate):
            article = mapping.article_from_update(article)
        result = await self._call("ProcessArticle", art=mapping.article_definition(article))
        return int(result.ArticleDefId or 0)

    async def process_in_order(self, po: WmsPurchaseOrder, *, operation: str = "CreateOrUpdate") -> int:
        """Create or update one purchase order (ProcessInOrder); returns the WMS InOrderId."""
        result = await self._call("ProcessInOrder", co=mapping.in_order(po, operation=operation))
        return int(result.InOrderId)

    async def cancel_in_order(self, number: str) -> int:
        """Cancel one purchase order (ProcessInOrder `Remove`); returns its InOrderId."""
        result = await self._call("ProcessInOrder", co=mapping.remove_in_order(number))
        return int(result.InOrderId)

    async def get_in_orders(
        self,
        *,
        numbers: Sequence[str] = (),
        changed_since: dt.datetime | None = None,
        changed_until: dt.datetime | None = None,
        status_from: int | None = None,
        status_to: int | None = None,
        only_unreported: bool = False,
    ) -> list[WmsInOrderStatus]:
        """Purchase orders matching every given filter (GetInOrdersByQuery).

        `only_unreported` selects purchase orders with a line whose received count differs from its
        reported one (`OnlyWithInOrderLinesWithDiffingReceviedToReported`; meaning inferred from its name).
        """
        query = mapping.in_order_filters(
            numbers=numbers,
            changed_since=changed_since,
            changed_until=changed_until,
            status_from=status_from,
            status_to=status_to,
            only_unreported=only_unreported,
        )
        return mapping.in_orders_from_result(await self._read("GetInOrdersByQuery", query=query))

    async def report_in_order_lines(self, number: str, reported: Mapping[str, Decimal]) -> int:
        """Set `ReportedNumberOfItems` per purchase-order line id (UpdateInOrderLines); returns the InOrderId."""
        argument = mapping.update_in_order_lines(number, reported)
        result = await self._call("UpdateInOrderLines", UpdateInOrderLines=argument)
        return int(result.InOrderId or 0)

    async def ping(self) -> None:
        """Prove reachability and credentials with a cheap read; raises an UpstreamError on failure."""
        await self._call("GetOrdersByQuery", query=mapping.order_filters(numbers=[_UNKNOWN_NUMBER]))
