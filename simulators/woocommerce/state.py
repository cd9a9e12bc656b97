"""The simulated site's state behind one lock: catalogue, orders, notes, requests and deliveries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from simulators._shop import BaseShopState
from simulators.woocommerce.orders import OrderBook
from simulators.woocommerce.products import Catalog
from simulators.woocommerce.records import DeliveryAttempt, RecordedRequest, wc_times

__all__ = ["SiteState"]


class SiteState(BaseShopState[RecordedRequest, DeliveryAttempt]):
    """Everything mutable; hold `lock` (re-entrant) around any use of `catalog` or `orders`."""

    def __init__(self, *, clock: Callable[[], dt.datetime], zone: dt.tzinfo, first_id: int = 700) -> None:
        super().__init__(clock=clock, zone=zone, first_id=first_id)
        self.catalog = Catalog(next_id=self._next_id, times=self.times)
        self.orders = OrderBook(next_id=self._next_id, times=self.times, catalog=self.catalog)

    def times(self) -> tuple[str, str]:
        """The simulated clock as (site-local, GMT) WooCommerce timestamps."""
        return wc_times(self.clock(), self.zone)
