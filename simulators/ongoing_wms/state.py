"""One goods owner's orders, articles and stock, thread-safe, with Ongoing's ProcessOrder rules."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from simulators.ongoing_wms.records import (
    CANCELLED,
    OPEN,
    PICKED,
    SENT,
    Article,
    ArticleInput,
    Consignee,
    InventoryRow,
    Line,
    LineInput,
    Order,
    OrderInput,
    OrderQuery,
    RecordedRequest,
    WriteResult,
    aware,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = ["Rules", "WmsState"]

T = TypeVar("T")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(kw_only=True)
class Rules:
    """Behaviour the real service leaves undocumented; each default is the likeliest guess."""

    update_threshold: int = 300  # ProcessOrder update/Remove refused from this status on ("picking begun")
    reject_duplicate_create: bool = True  # `Create` of an existing number: Success=false (else a 2nd order)
    require_known_articles: bool = True  # a line with an unknown ArticleNumber: Success=false
    initial_status: int = OPEN


class WmsState:
    """All mutable simulator state behind one re-entrant lock; readers get immutable records."""

    def __init__(self, rules: Rules | None = None, *, first_order_id: int = 1000) -> None:
        self.rules = rules or Rules()
        self._changed = threading.Condition(threading.RLock())
        self._orders: dict[int, Order] = {}
        self._articles: dict[str, Article] = {}
        self._requests: list[RecordedRequest] = []
        self._next_order_id = first_order_id
        self._next_line_id = 1
        self._next_article_id = 1

    # --- observation ------------------------------------------------------------------------------

    def orders(self) -> list[Order]:
        """Every order, oldest first."""
        with self._changed:
            return sorted(self._orders.values(), key=lambda o: o.order_id)

    def order(self, number: str) -> Order | None:
        """Return the newest order with this number."""
        with self._changed:
            return self._find(number)

    def articles(self) -> list[Article]:
        """Every article."""
        with self._changed:
            return list(self._articles.values())

    def requests(self) -> list[RecordedRequest]:
        """Every SOAP request received so far."""
        with self._changed:
            return list(self._requests)

    def record(self, request: RecordedRequest) -> None:
        """Remember one request."""
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()

    def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Block until `predicate()` is truthy (re-checked on every change); TimeoutError otherwise."""
        with self._changed:
            result = self._changed.wait_for(predicate, timeout)
        if not result:
            raise TimeoutError(f"condition not met within {timeout}s")
        return result

    def reset(self) -> None:
        """Forget orders, articles and requests (ids keep increasing)."""
        with self._changed:
            self._orders.clear()
            self._articles.clear()
            self._requests.clear()
            self._changed.notify_all()

    # --- test hooks -------------------------------------------------------------------------------

    def add_article(self, number: str, name: str | None = None, stock: Decimal | int = 0) -> Article:
        """Create an article, or set its name and stock on hand if it exists."""
        with self._changed:
            current = self._articles.get(number)
            if current is None:
                current = Article(system_id=self._next_article_id, number=number)
                self._next_article_id += 1
            article = replace(current, name=name or current.name, stock=Decimal(stock), changed_at=_now())
            self._articles[number] = article
            self._changed.notify_all()
            return article

    def set_status(self, number: str, status: int) -> Order:
        """Move an order to a status (320 allocates its lines); no rules checked."""
        with self._changed:
            order = self._require(number)
            lines = order.lines
            if status == 320:
                lines = tuple(replace(line, allocated=line.ordered - line.picked) for line in lines)
            return self._put(replace(order, status=status, lines=lines))

    def pick(self, number: str, quantities: Mapping[str, Decimal] | None = None) -> Order:
        """Pick lines (all in full by default, else by line code) and move the order to 400 Picked."""
        with self._changed:
            order = self._require(number)
            lines = tuple(
                replace(
                    line,
                    picked=Decimal(quantities.get(line.code or "", line.picked))
                    if quantities is not None
                    else line.ordered,
                    allocated=Decimal(0),
                )
                for line in order.lines
            )
            return self._put(replace(order, lines=lines, status=max(order.status, PICKED), picked_at=_now()))

    def ship(self, number: str, way_bill: str | None = None) -> Order:
        """Ship a picked order (450 Sent): physical stock drops by what was picked."""
        with self._changed:
            order = self._require(number)
            if order.status >= SENT:
                raise ValueError(f"order {number} is already at {order.status}")
            for line in order.lines:
                article = self._articles.get(line.article_number)
                if article is not None:
                    self._articles[article.number] = replace(
                        article, stock=article.stock - line.picked, changed_at=_now()
                    )
            return self._put(replace(order, status=SENT, shipped_at=_now(), way_bill=way_bill))

    # --- SOAP operations --------------------------------------------------------------------------

    def process_order(self, request: OrderInput) -> WriteResult:
        """ProcessOrder: Create / CreateOrUpdate / Update / Remove by GoodsOwnerOrderNumber or SystemId."""
        with self._changed:
            try:
                existing = self._lookup(request)
                if request.operation == "Remove":
                    order = self._remove(existing)
                else:
                    target = self._write_target(existing, request)
                    self._check_articles(request)
                    order = self._write_order(target, request)
            except _RejectedError as exc:
                return WriteResult(success=False, number=request.number, error=str(exc))
            return WriteResult(success=True, number=order.number, order_id=order.order_id)

    def update_order_lines(
        self, number: str | None, order_id: int | None, reported: Iterable[tuple[str | None, Decimal | None]]
    ) -> WriteResult:
        """UpdateOrderLines: set ReportedNumberOfItems per line (by ExternalOrderLineCode)."""
        with self._changed:
            order = self._find(number) if number else self._orders.get(order_id or -1)
            if order is None:
                return WriteResult(success=False, number=number, error=f"Order {number or order_id} not found")
            lines = {line.code: line for line in order.lines}
            for code, quantity in reported:
                if code not in lines:
                    return WriteResult(success=False, order_id=order.order_id, error=f"Order line {code} not found")
                lines[code] = replace(lines[code], reported=quantity)
            self._put(replace(order, lines=tuple(lines.values())))
            return WriteResult(success=True, number=order.number, order_id=order.order_id)

    def query_orders(self, query: OrderQuery) -> list[Order]:
        """GetOrdersByQuery: orders matching every given filter."""
        with self._changed:
            return [order for order in self.orders() if query.matches(order)]

    def inventory(
        self, numbers: Iterable[str] | None = None, changed_from: dt.datetime | None = None
    ) -> list[InventoryRow]:
        """GetInventoryByQuery: sellable = on hand - open orders' quantities (may be negative)."""
        with self._changed:
            wanted = set(numbers) if numbers is not None else None
            open_lines = [line for order in self._orders.values() if order.is_open for line in order.lines]
            rows = []
            for article in self._articles.values():
                if wanted is not None and article.number not in wanted:
                    continue
                if changed_from is not None and article.changed_at < aware(changed_from):
                    continue
                mine = [line for line in open_lines if line.article_number == article.number]
                booked = sum((line.ordered - line.picked for line in mine), Decimal(0))
                rows.append(
                    InventoryRow(
                        article=article,
                        on_hand=article.stock,
                        sellable=article.stock - sum((line.ordered for line in mine), Decimal(0)),
                        allocated=sum((line.allocated for line in mine), Decimal(0)),
                        booked=booked,
                    )
                )
            return rows

    def process_article(self, request: ArticleInput) -> WriteResult:
        """ProcessArticle CreateOrUpdate keyed on ArticleNumber; unset fields keep their value."""
        with self._changed:
            if request.identification != "ArticleNumber" or not request.number:
                return WriteResult(success=False, error="ArticleIdentification ArticleNumber with a number is required")
            current = self._articles.get(request.number)
            if current is None:
                current = Article(system_id=self._next_article_id, number=request.number)
                self._next_article_id += 1
            changes = {
                name: value
                for name, value in vars(request).items()
                if name not in ("identification", "number") and value is not None
            }
            article = replace(current, **changes, changed_at=_now())
            self._articles[article.number] = article
            self._changed.notify_all()
            return WriteResult(success=True, article_id=article.system_id)

    # --- internals --------------------------------------------------------------------------------

    def _find(self, number: str | None) -> Order | None:
        matches = [o for o in self._orders.values() if o.number == number]
        return max(matches, key=lambda o: o.order_id) if matches else None

    def _require(self, number: str) -> Order:
        order = self._find(number)
        if order is None:
            raise KeyError(f"no order {number}")
        return order

    def _put(self, order: Order) -> Order:
        order = replace(order, updated_at=_now())
        self._orders[order.order_id] = order
        self._touch(line.article_number for line in order.lines)
        self._changed.notify_all()
        return order

    def _touch(self, numbers: Iterable[str]) -> None:
        now = _now()
        for number in set(numbers):
            article = self._articles.get(number)
            if article is not None:
                self._articles[number] = replace(article, changed_at=now)

    def _lookup(self, request: OrderInput) -> Order | None:
        if request.identification == "GoodsOwnerOrderNumber":
            if not request.number:
                raise _RejectedError("GoodsOwnerOrderNumber is required")
            return self._find(request.number)
        if request.identification == "SystemId":
            return self._orders.get(request.order_id or -1)
        raise _RejectedError(f"OrderIdentification {request.identification} is not supported")

    def _write_target(self, existing: Order | None, request: OrderInput) -> Order | None:
        """Return the order to update (None: create one), or reject the operation."""
        operation = request.operation
        if operation not in ("Create", "CreateOrUpdate", "Update"):
            raise _RejectedError(f"OrderOperation {operation} is not supported")
        if existing is None:
            if operation == "Update":
                raise _RejectedError(f"Order {request.number} does not exist")
            return None
        if operation == "Create":
            if self.rules.reject_duplicate_create:
                raise _RejectedError(f"Order {request.number} already exists (OrderId {existing.order_id})")
            return None
        if existing.status >= self.rules.update_threshold:
            raise _RejectedError(
                f"Order {existing.number} cannot be updated: it has status {existing.status} {existing.status_text}"
            )
        return existing

    def _check_articles(self, request: OrderInput) -> None:
        if not self.rules.require_known_articles:
            return
        unknown = [
            line.article_number or "(none)" for line in request.lines or () if line.article_number not in self._articles
        ]
        if unknown:
            raise _RejectedError(f"Article {', '.join(unknown)} does not exist for this goods owner")

    def _remove(self, existing: Order | None) -> Order:
        if existing is None:
            raise _RejectedError("Order does not exist")
        if existing.status == CANCELLED:
            return existing
        if existing.status >= self.rules.update_threshold:
            raise _RejectedError(
                f"Order {existing.number} cannot be cancelled: it has status {existing.status} {existing.status_text}"
            )
        return self._put(replace(existing, status=CANCELLED))

    def _write_order(self, existing: Order | None, request: OrderInput) -> Order:
        now = _now()
        if existing is None:
            existing = Order(
                order_id=self._next_order_id,
                number=request.number or "",
                status=self.rules.initial_status,
                order_type=None,
                consignee=Consignee(),
                lines=(),
                created_at=now,
                updated_at=now,
            )
            self._next_order_id += 1
        lines = existing.lines if request.lines is None else self._merge_lines(existing.lines, request.lines)
        updated = replace(
            existing,
            order_type=request.order_type or existing.order_type,
            consignee=request.consignee or existing.consignee,
            lines=lines,
            remark=request.remark,
            delivery_instruction=request.delivery_instruction,
            way_of_delivery=request.way_of_delivery,
            service_point_code=request.service_point_code,
            freight_price=request.freight_price,
            delivery_date=request.delivery_date,
        )
        self._touch(line.article_number for line in existing.lines)  # released lines change stock too
        return self._put(updated)

    def _merge_lines(self, current: tuple[Line, ...], incoming: tuple[LineInput, ...]) -> tuple[Line, ...]:
        """Replace the order's lines by the request's; a line keeps its system id when its key matches."""
        by_key: dict[str, Line] = {}
        for old in current:
            by_key[old.code or old.article_number] = old
        merged: dict[str, Line] = {}
        for line in incoming:
            key = (line.article_number if line.identification == "ArticleNumber" else line.code) or ""
            article = self._articles.get(line.article_number or "")
            previous = by_key.get(key)
            if previous is None:
                system_id = self._next_line_id
                self._next_line_id += 1
            else:
                system_id = previous.system_id
            merged[key] = Line(  # with ArticleNumber identification the last line per article wins
                system_id=system_id,
                code=line.code,
                article_number=line.article_number or "",
                article_name=line.article_name or (article.name if article else None),
                ordered=line.quantity,
                comment=line.comment,
                line_price=line.line_price,
                customer_line_price=line.customer_line_price,
                currency=line.currency,
                discount=line.discount,
                vat_percent=line.vat_percent,
            )
        return tuple(merged.values())


class _RejectedError(Exception):
    """A write the WMS refuses (answered with Success=false and this message)."""
