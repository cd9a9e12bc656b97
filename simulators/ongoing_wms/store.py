"""The simulator's state behind one lock: records, id counters, the clock, stock sums and change events."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from simulators._control import LoggedState
from simulators.ongoing_wms.records import (
    IN_CANCELLED,
    OPEN,
    Article,
    InOrder,
    InventoryRow,
    InventoryTransaction,
    Order,
    RecordedRequest,
    aware,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

__all__ = ["OrderEvent", "Rules", "StockEvent", "Store", "utc_now"]

_ZERO = Decimal(0)


def utc_now() -> dt.datetime:
    """The default clock: aware UTC now."""
    return dt.datetime.now(dt.UTC)


@dataclass(kw_only=True)
class Rules:
    """Behaviour the real service leaves undocumented; each default is the likeliest guess."""

    update_threshold: int = 300  # ProcessOrder update/Remove refused from this status on ("picking begun")
    reject_duplicate_create: bool = True  # `Create` of an existing number: Success=false (else a 2nd order)
    require_known_articles: bool = True  # a line with an unknown ArticleNumber: Success=false
    initial_status: int = OPEN


@dataclass(frozen=True, kw_only=True)
class OrderEvent:
    """An order changed status (`previous` is None for a new order)."""

    order: Order
    previous: Order | None
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class StockEvent:
    """An article's stock figures changed (physical, sellable, allocated or to receive)."""

    row: InventoryRow
    at: dt.datetime


class _Sums:
    """Per-article sums over open orders and purchase orders, kept incrementally (O(lines) per change)."""

    def __init__(self) -> None:
        self.reserved: dict[str, Decimal] = {}  # ordered on open orders: what sellable subtracts
        self.allocated: dict[str, Decimal] = {}
        self.booked: dict[str, Decimal] = {}  # ordered but not yet picked on open orders
        self.to_receive: dict[str, Decimal] = {}  # advised but not yet received on purchase orders

    def apply_order(self, order: Order | None, sign: int) -> None:
        if order is None or not order.is_open:
            return
        for line in order.lines:
            self._add(self.reserved, line.article_number, sign * line.ordered)
            self._add(self.allocated, line.article_number, sign * line.allocated)
            self._add(self.booked, line.article_number, sign * (line.ordered - line.picked))

    def apply_in_order(self, in_order: InOrder | None, sign: int) -> None:
        if in_order is None or in_order.status == IN_CANCELLED:
            return
        for line in in_order.lines:
            self._add(self.to_receive, line.article_number, sign * max(_ZERO, line.advised - line.received))

    @staticmethod
    def _add(sums: dict[str, Decimal], number: str, amount: Decimal) -> None:
        sums[number] = sums.get(number, _ZERO) + amount


class Store(LoggedState[RecordedRequest]):
    """Every record, the lock, the clock; subclasses add the operations of one responsibility each."""

    def __init__(
        self, rules: Rules | None = None, *, first_order_id: int = 1000, clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        super().__init__()
        self.rules = rules or Rules()
        self.clock = clock
        self._orders: dict[int, Order] = {}
        self._in_orders: dict[int, InOrder] = {}
        self._articles: dict[str, Article] = {}
        self._transactions: list[InventoryTransaction] = []
        self._sums = _Sums()
        self._listeners: list[Callable[[OrderEvent | StockEvent], None]] = []
        self._watching: dict[str, tuple[Decimal, ...] | None] | None = None
        self._next_order_id = first_order_id
        self._next_in_order_id = first_order_id
        self._next_line_id = 1
        self._next_article_id = 1
        self._next_inventory_id = 1

    def now(self) -> dt.datetime:
        """The simulator's current time (aware UTC), from the injected clock."""
        return aware(self.clock())

    def subscribe(self, listener: Callable[[OrderEvent | StockEvent], None]) -> None:
        """Call `listener` for every change event, under the lock (it must only enqueue)."""
        with self._changed:
            self._listeners.append(listener)

    # --- observation ------------------------------------------------------------------------------

    def orders(self) -> list[Order]:
        """Every order, oldest first."""
        with self._changed:
            return sorted(self._orders.values(), key=lambda o: o.order_id)

    def order(self, number: str) -> Order | None:
        """Return the newest order with this number."""
        with self._changed:
            return self._find(number)

    def in_orders(self) -> list[InOrder]:
        """Every purchase order, oldest first."""
        with self._changed:
            return sorted(self._in_orders.values(), key=lambda o: o.in_order_id)

    def in_order(self, number: str) -> InOrder | None:
        """Return the newest purchase order with this number."""
        with self._changed:
            matches = [o for o in self._in_orders.values() if o.number == number]
            return max(matches, key=lambda o: o.in_order_id) if matches else None

    def articles(self) -> list[Article]:
        """Every article, by system id."""
        with self._changed:
            return sorted(self._articles.values(), key=lambda a: a.system_id)

    def transactions(self) -> list[InventoryTransaction]:
        """Every stock adjustment, oldest first."""
        with self._changed:
            return list(self._transactions)

    def requests(self) -> list[RecordedRequest]:
        """Every SOAP request received so far."""
        return self._logged()

    def reset(self) -> None:
        """Forget orders, purchase orders, articles, adjustments and requests (ids keep increasing)."""
        with self._changed:
            self._orders.clear()
            self._in_orders.clear()
            self._articles.clear()
            self._transactions.clear()
            self._log.clear()
            self._sums = _Sums()
            self._changed.notify_all()

    def row(self, article: Article) -> InventoryRow:
        """One article's stock figures: sellable = on hand - ordered on open orders (may be negative)."""
        with self._changed:
            number = article.number
            return InventoryRow(
                article=article,
                on_hand=article.stock,
                sellable=article.stock - self._sums.reserved.get(number, _ZERO),
                allocated=self._sums.allocated.get(number, _ZERO),
                booked=self._sums.booked.get(number, _ZERO),
                to_receive=self._sums.to_receive.get(number, _ZERO),
            )

    # --- internals for the operation classes --------------------------------------------------------

    def _find(self, number: str | None) -> Order | None:
        matches = [o for o in self._orders.values() if o.number == number]
        return max(matches, key=lambda o: o.order_id) if matches else None

    def _require(self, number: str) -> Order:
        order = self._find(number)
        if order is None:
            raise KeyError(f"no order {number}")
        return order

    def _new_order_id(self) -> int:
        self._next_order_id += 1
        return self._next_order_id - 1

    def _new_line_id(self) -> int:
        self._next_line_id += 1
        return self._next_line_id - 1

    def _put(self, order: Order) -> Order:
        """Store an order (LastUpdated = now), keep the stock sums, emit status and stock events."""
        previous = self._orders.get(order.order_id)
        order = replace(order, updated_at=self.now())
        articles = {line.article_number for line in order.lines}
        articles |= {line.article_number for line in previous.lines} if previous else set()
        with self._watch(articles):
            self._sums.apply_order(previous, -1)
            self._orders[order.order_id] = order
            self._sums.apply_order(order, +1)
        if previous is None or previous.status != order.status:
            self._emit(OrderEvent(order=order, previous=previous, at=order.updated_at))
        self._changed.notify_all()
        return order

    def _put_in_order(self, in_order: InOrder) -> InOrder:
        """Store a purchase order (LastUpdated = now) and keep the to-receive sums."""
        previous = self._in_orders.get(in_order.in_order_id)
        in_order = replace(in_order, updated_at=self.now())
        articles = {line.article_number for line in in_order.lines}
        articles |= {line.article_number for line in previous.lines} if previous else set()
        with self._watch(articles):
            self._sums.apply_in_order(previous, -1)
            self._in_orders[in_order.in_order_id] = in_order
            self._sums.apply_in_order(in_order, +1)
        self._changed.notify_all()
        return in_order

    def _set_stock(self, number: str, delta: Decimal, *, received: bool = False) -> Article:
        """Change an article's physical stock (never below zero)."""
        article = self._articles.get(number)
        if article is None:
            raise KeyError(f"no article {number}")
        if article.stock + delta < 0:
            raise ValueError(f"article {number} has only {article.stock} on hand, cannot remove {-delta}")
        with self._watch({number}):
            last_in = self.now() if received else article.last_in_at
            article = replace(article, stock=article.stock + delta, last_in_at=last_in)
            self._articles[number] = article
        return self._articles[number]

    def _figures(self, number: str) -> tuple[Decimal, ...] | None:
        article = self._articles.get(number)
        if article is None:
            return None
        row = self.row(article)
        return (row.on_hand, row.sellable, row.allocated, row.booked, row.to_receive)

    @contextlib.contextmanager
    def _watch(self, numbers: Iterable[str]) -> Iterator[None]:
        """Around a change: articles whose figures changed get `changed_at` = now and one stock event.

        Re-entrant: a watch inside another only widens the outer one, so a move that changes stock
        and orders together reports each article once, with its final figures.
        """
        outer = self._watching is None
        watching = self._watching if self._watching is not None else {}
        self._watching = watching
        for number in numbers:
            if number not in watching:
                watching[number] = self._figures(number)
        try:
            yield
        finally:
            if outer:
                self._watching = None
                self._report_stock(watching)

    def _report_stock(self, before: dict[str, tuple[Decimal, ...] | None]) -> None:
        now = self.now()
        for number in sorted(before):
            article = self._articles.get(number)
            if article is None or self._figures(number) == before[number]:
                continue
            article = replace(article, changed_at=now)
            self._articles[number] = article
            self._emit(StockEvent(row=self.row(article), at=now))

    def _emit(self, event: OrderEvent | StockEvent) -> None:
        for listener in self._listeners:
            listener(event)
