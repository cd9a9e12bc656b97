"""The tenant's orders, inventory, API tokens and request log, thread-safe, on an injectable clock."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from simulators.omnium import orders as rules
from simulators.omnium.wire import Event, InventoryItem, InventoryUpdate, Order, SearchRequest

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from simulators.omnium.clock import Clock

__all__ = ["OmniumState", "RecordedRequest"]

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """One API call as the simulator saw it: never the token, the client id or the client secret."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    at: dt.datetime
    retry_after: int | None = None
    early: bool = False
    note: str = ""
    response: Any = field(default=None, repr=False)


class OmniumState:
    """All mutable state behind one re-entrant lock; readers get immutable Structs."""

    def __init__(
        self, clock: Clock, *, token_ttl: float = 864_000.0, emit: Callable[[Event], None] | None = None
    ) -> None:
        self.clock = clock
        self.token_ttl = token_ttl
        self._emit = emit
        self._changed = threading.Condition(threading.RLock())
        self._orders: dict[str, Order] = {}
        self._inventory: dict[tuple[str, str], InventoryItem] = {}
        self._tokens: dict[str, dt.datetime] = {}
        self._requests: list[RecordedRequest] = []
        self._operation_ids = itertools.count(111_100)
        self.inventory_transactions = 0

    # --- tokens -----------------------------------------------------------------------------------

    def issue_token(self) -> str:
        """A new bearer token, valid for `token_ttl` seconds of the clock."""
        token = "eyJ" + secrets.token_urlsafe(32)
        with self._changed:
            self._tokens[token] = self.clock.now() + dt.timedelta(seconds=self.token_ttl)
        return token

    def token_valid(self, token: str) -> bool:
        """Whether a token was issued here and has not expired."""
        with self._changed:
            expires = self._tokens.get(token)
        return expires is not None and self.clock.now() < expires

    def expire_tokens(self) -> None:
        """Every token issued so far becomes invalid (clients must fetch a new one)."""
        with self._changed:
            self._tokens.clear()

    # --- requests ---------------------------------------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        """Remember one call."""
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()

    def requests(self) -> list[RecordedRequest]:
        """Every call so far, in arrival order."""
        with self._changed:
            return list(self._requests)

    def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Block until `predicate()` is truthy, re-checked on every change; TimeoutError otherwise."""
        with self._changed:
            result = self._changed.wait_for(predicate, timeout)
        if not result:
            raise TimeoutError(f"condition not met within {timeout}s")
        return result

    # --- orders -----------------------------------------------------------------------------------

    def orders(self) -> list[Order]:
        """Every order, by id."""
        with self._changed:
            return [self._orders[k] for k in sorted(self._orders)]

    def order(self, order_id: str) -> Order | None:
        """One order by id (case-insensitive, as the API's routes are)."""
        with self._changed:
            return self._orders.get(order_id) or next(
                (o for k, o in self._orders.items() if k.lower() == order_id.lower()), None
            )

    def add_order(self, order: Order, *, origin: str = "POST /api/Orders", keep_modified: bool = False) -> Order:
        """Store a new order; `OrderRuleError` when the id exists (the API answers 409)."""
        now = self.clock.now()
        with self._changed:
            if self.order(order.id) is not None:
                raise rules.OrderRuleError(f"an order with id '{order.id}' already exists")
            stored = msgspec.structs.replace(
                order,
                order_number=order.order_number or order.id,
                status=order.status or "New",
                created=order.created or now,
                modified=order.modified if keep_modified and order.modified else now,
                version_id=order.version_id or "1",
            )
            self._orders[stored.id] = stored
            self._changed.notify_all()
        self._event(stored, "Created", "Order created", None, origin)
        return stored

    def change_order(
        self, order_id: str, change: Callable[[Order, dt.datetime], Order | tuple[Order, bool]], *, origin: str
    ) -> Order:
        """Apply a rule to one order atomically; emits a Workflow or Updated event when it changed."""
        with self._changed:
            current = self.order(order_id)
            if current is None:
                raise KeyError(order_id)
            outcome = change(current, self.clock.now())
            updated, changed = outcome if isinstance(outcome, tuple) else (outcome, True)
            if changed:
                self._orders[current.id] = updated
                self._changed.notify_all()
        if changed:
            category = "Updated" if origin.startswith("PATCH") else "Workflow"
            self._event(updated, category, f"Order {category.lower()}", current.status, origin)
        return updated

    def search(self, query: SearchRequest) -> tuple[list[Order], int]:
        """One page of matching orders and the total number of hits."""
        key, descending = rules.sort_key(query.sort_order)
        with self._changed:
            hits = [o for o in self._orders.values() if rules.matches(o, query)]
        hits.sort(key=key, reverse=descending)
        start = query.page * query.take
        return hits[start : start + query.take], len(hits)

    def _event(self, order: Order, category: str, message: str, previous: str | None, origin: str) -> None:
        if self._emit is None:
            return
        self._emit(
            Event(
                timestamp=self.clock.now(),
                operation_id=next(self._operation_ids),
                message=message,
                class_name="Order",
                sub_class_name=order.order_type,
                object_id=order.id,
                object_number=order.order_number,
                category=category,
                market=order.market_id,
                store_id=order.store_id,
                status=order.status,
                previous_status=previous or "",
                origin=origin,
            )
        )

    # --- inventory --------------------------------------------------------------------------------

    def inventory(self) -> list[InventoryItem]:
        """Every inventory item."""
        with self._changed:
            return list(self._inventory.values())

    def inventory_item(self, sku: str, warehouse_code: str) -> InventoryItem | None:
        """One item."""
        with self._changed:
            return self._inventory.get((sku, warehouse_code))

    def update_many(self, items: Sequence[InventoryItem]) -> int:
        """Absolute upsert; unchanged items are skipped. Returns how many changed (inventory transactions)."""
        changed = 0
        now = self.clock.now()
        with self._changed:
            for item in items:
                key = (item.sku, item.warehouse_code)
                current = self._inventory.get(key)
                if current is not None and current.inventory == item.inventory:
                    continue
                self._inventory[key] = InventoryItem(
                    sku=item.sku,
                    warehouse_code=item.warehouse_code,
                    inventory=item.inventory,
                    reserved_inventory=current.reserved_inventory if current else item.reserved_inventory,
                    location=item.location or (current.location if current else None),
                    cost=item.cost or (current.cost if current else None),
                    min_quantity=item.min_quantity or (current.min_quantity if current else None),
                    modified=now,
                )
                changed += 1
            self.inventory_transactions += changed
            self._changed.notify_all()
        return changed

    def apply_transactions(self, updates: Sequence[InventoryUpdate]) -> None:
        """Delta updates (ProcessInventoryTransactions)."""
        now = self.clock.now()
        with self._changed:
            for update in updates:
                key = (update.sku_id, update.warehouse_code)
                current = self._inventory.get(key) or InventoryItem(
                    sku=update.sku_id, warehouse_code=update.warehouse_code
                )
                self._inventory[key] = msgspec.structs.replace(
                    current, inventory=current.inventory + update.inventory_change, modified=now
                )
            self.inventory_transactions += len(updates)
            self._changed.notify_all()

    def reset(self) -> None:
        """Forget orders, inventory, tokens and requests."""
        with self._changed:
            self._orders.clear()
            self._inventory.clear()
            self._tokens.clear()
            self._requests.clear()
            self.inventory_transactions = 0
            self._changed.notify_all()
