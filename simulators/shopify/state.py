"""The simulated shop's state behind one lock: catalogue, orders, requests and webhook deliveries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from simulators._shop import BaseShopState
from simulators.shopify.catalog import Catalog
from simulators.shopify.orders import OrderBook
from simulators.shopify.records import DeliveryAttempt, RecordedRequest, shop_time

__all__ = ["ShopState"]


class ShopState(BaseShopState[RecordedRequest, DeliveryAttempt]):
    """Everything mutable; hold `lock` (re-entrant) around any use of `catalog` or `orders`."""

    def __init__(
        self,
        *,
        clock: Callable[[], dt.datetime],
        zone: dt.tzinfo,
        location_ids: list[int],
        first_id: int = 5_223_452_934_000,
    ) -> None:
        super().__init__(clock=clock, zone=zone, first_id=first_id)
        self.catalog = Catalog(next_id=self._next_id, now=self.now, location_ids=location_ids)
        self.orders = OrderBook(next_id=self._next_id, now=self.now, catalog=self.catalog)

    def now(self) -> str:
        """The simulated clock in Shopify's timestamp format."""
        return shop_time(self.clock(), self.zone)
