"""The simulated shop's state behind one lock: catalogue, orders, requests and webhook deliveries."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from typing import TypeVar

from simulators.shopify.catalog import Catalog
from simulators.shopify.orders import OrderBook
from simulators.shopify.records import DeliveryAttempt, RecordedRequest, shop_time

__all__ = ["ShopState"]

T = TypeVar("T")


class ShopState:
    """Everything mutable; hold `lock` (re-entrant) around any use of `catalog` or `orders`."""

    def __init__(
        self,
        *,
        clock: Callable[[], dt.datetime],
        zone: dt.tzinfo,
        location_ids: list[int],
        first_id: int = 5_223_452_934_000,
    ) -> None:
        self.clock = clock
        self.zone = zone
        self.lock = threading.Condition(threading.RLock())
        ids = itertools.count(first_id)
        self.catalog = Catalog(next_id=lambda: next(ids), now=self.now, location_ids=location_ids)
        self.orders = OrderBook(next_id=lambda: next(ids), now=self.now, catalog=self.catalog)
        self._requests: list[RecordedRequest] = []
        self._deliveries: list[DeliveryAttempt] = []

    def now(self) -> str:
        """The simulated clock in Shopify's timestamp format."""
        return shop_time(self.clock(), self.zone)

    def record(self, request: RecordedRequest) -> None:
        """Remember one REST request."""
        with self.lock:
            self._requests.append(request)
            self.lock.notify_all()

    def record_delivery(self, attempt: DeliveryAttempt) -> None:
        """Remember one webhook delivery attempt."""
        with self.lock:
            self._deliveries.append(attempt)
            self.lock.notify_all()

    def changed(self) -> None:
        """Wake waiters after a change made through the Python API."""
        with self.lock:
            self.lock.notify_all()

    def requests(self) -> list[RecordedRequest]:
        """Every REST request so far."""
        with self.lock:
            return list(self._requests)

    def deliveries(self) -> list[DeliveryAttempt]:
        """Every webhook delivery attempt so far."""
        with self.lock:
            return list(self._deliveries)

    def wait_until(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Block until `predicate()` is truthy, re-checked on every change; TimeoutError otherwise."""
        with self.lock:
            result = self.lock.wait_for(predicate, timeout)
        if not result:
            raise TimeoutError(f"condition not met within {timeout}s")
        return result

    def forget_requests(self) -> None:
        """Clear the request and delivery logs."""
        with self.lock:
            self._requests.clear()
            self._deliveries.clear()
