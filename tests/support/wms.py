"""The Ongoing WMS simulator in tests, started with articles in stock."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from simulators.ongoing_wms import OngoingWmsSimulator


@contextmanager
def stocked_wms(
    stock: Mapping[str, int], *, username: str, password: str, goods_owner_code: str
) -> Iterator[OngoingWmsSimulator]:
    """A running WMS simulator holding each article of `stock` with its quantity; stopped on exit."""
    with OngoingWmsSimulator(username=username, password=password, goods_owner_code=goods_owner_code) as sim:
        for article, quantity in stock.items():
            sim.add_article(article, stock=quantity)
        yield sim
