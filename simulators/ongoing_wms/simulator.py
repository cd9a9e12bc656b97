"""`OngoingWmsSimulator`: one goods owner of Ongoing WMS on loopback, with a thread-safe Python API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar

from simulators._server import ServerThread
from simulators.ongoing_wms.app import SimulatorApp
from simulators.ongoing_wms.faults import Faults
from simulators.ongoing_wms.operations import Credentials, Operations
from simulators.ongoing_wms.state import Rules, WmsState

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from decimal import Decimal
    from types import TracebackType

    from simulators.ongoing_wms.records import Article, InventoryRow, Order, RecordedRequest

__all__ = ["OngoingWmsSimulator"]

T = TypeVar("T")


class OngoingWmsSimulator:
    """Ongoing WMS's goods-owner SOAP API (`/{warehouse}/service.asmx`) for one goods owner.

    ```python
    with OngoingWmsSimulator(username="u", password="p", goods_owner_code="GO") as sim:
        sim.add_article("A1", stock=10)
        client = await WmsClient.open(url=sim.url, ...)
    ```
    """

    def __init__(
        self,
        *,
        username: str,
        password: str,
        goods_owner_code: str,
        warehouse: str = "demo",
        goods_owner_id: int = 1,
        first_order_id: int = 1000,
        update_threshold: int = 300,
        reject_duplicate_create: bool = True,
        require_known_articles: bool = True,
        initial_status: int = 200,
        port: int = 0,
    ) -> None:
        self.rules = Rules(
            update_threshold=update_threshold,
            reject_duplicate_create=reject_duplicate_create,
            require_known_articles=require_known_articles,
            initial_status=initial_status,
        )
        self.state = WmsState(self.rules, first_order_id=first_order_id)
        self.faults = Faults()
        self.warehouse = warehouse
        credentials = Credentials(username=username, password=password, goods_owner_code=goods_owner_code)
        operations = Operations(self.state, credentials, goods_owner_id=goods_owner_id)
        self.app = SimulatorApp(state=self.state, faults=self.faults, operations=operations, warehouse=warehouse)
        self._server = ServerThread(self.app, port=port, name=f"ongoing-wms-{warehouse}")

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> Self:
        """Serve on 127.0.0.1; returns once connections are accepted."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Release held responses and stop serving."""
        self.app.release_held_responses()
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (the control API lives under `/_sim/`)."""
        return self._server.url

    @property
    def url(self) -> str:
        """The service endpoint, `http://127.0.0.1:PORT/{warehouse}/service.asmx`."""
        return f"{self._server.url}/{self.warehouse}/service.asmx"

    @property
    def wsdl_url(self) -> str:
        """Where the WSDL is served."""
        return f"{self.url}?WSDL"

    # --- data -------------------------------------------------------------------------------------

    def add_article(self, number: str, name: str | None = None, stock: Decimal | int = 0) -> Article:
        """Create an article (or set its name and physical stock)."""
        return self.state.add_article(number, name, stock)

    def articles(self) -> list[Article]:
        """Every article."""
        return self.state.articles()

    def inventory(self, number: str) -> InventoryRow:
        """One article's stock figures as GetInventoryByQuery would report them."""
        rows = self.state.inventory([number])
        if not rows:
            raise KeyError(f"no article {number}")
        return rows[0]

    def orders(self) -> list[Order]:
        """Snapshots of every order (immutable), oldest first."""
        return self.state.orders()

    def order(self, number: str) -> Order | None:
        """Snapshot of the (newest) order with this GoodsOwnerOrderNumber."""
        return self.state.order(number)

    def set_status(self, number: str, status: int) -> Order:
        """Move an order to any status (as the warehouse would)."""
        return self.state.set_status(number, status)

    def pick(self, number: str, quantities: Mapping[str, Decimal] | None = None) -> Order:
        """Pick an order's lines (in full, or per ExternalOrderLineCode) and set it to 400 Picked."""
        return self.state.pick(number, quantities)

    def ship(self, number: str, way_bill: str | None = None) -> Order:
        """Ship a picked order (450 Sent, with a waybill); physical stock drops."""
        return self.state.ship(number, way_bill)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every SOAP request received: operation, key fields, time, committed, outcome."""
        return self.state.requests()

    def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Block until `predicate()` is truthy, re-checked on every state change (no polling sleeps)."""
        return self.state.wait_until(predicate, timeout)

    def reset(self) -> None:
        """Forget orders, articles and requests, and disarm faults."""
        self.state.reset()
        self.faults.clear()
