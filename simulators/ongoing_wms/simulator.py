"""`OngoingWmsSimulator`: one goods owner of Ongoing WMS on loopback, with a thread-safe Python API."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from simulators._lifecycle import ServedSimulator
from simulators.ongoing_wms.app import SimulatorApp
from simulators.ongoing_wms.faults import Faults
from simulators.ongoing_wms.inputs import InventoryQuery
from simulators.ongoing_wms.operations import Credentials, Operations
from simulators.ongoing_wms.state import Rules, WmsState, utc_now
from simulators.ongoing_wms.webhooks import Webhooks

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping
    from decimal import Decimal

    from simulators.ongoing_wms.floor import ForeignLines, Quantity
    from simulators.ongoing_wms.records import (
        Article,
        InOrder,
        InventoryRow,
        InventoryTransaction,
        Order,
        RecordedRequest,
    )

__all__ = ["OngoingWmsSimulator"]

T = TypeVar("T")


class OngoingWmsSimulator(ServedSimulator):
    """Ongoing WMS's goods-owner SOAP API (`/{warehouse}/service.asmx`) for one goods owner.

    ```python
    with OngoingWmsSimulator(username="u", password="p", goods_owner_code="GO") as sim:
        sim.add_article("A1", stock=10)
        client = await WmsClient.open(url=sim.url, ...)
        sim.pick("5178-SE"); sim.ship("5178-SE", way_bill="WB1", tracking_url="https://t/1")
    ```

    Warehouse moves raise `KeyError` for an unknown order or line and `ValueError` for a move the
    warehouse could not make (the `/_sim/` control API answers 404 and 400).
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
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.rules = Rules(
            update_threshold=update_threshold,
            reject_duplicate_create=reject_duplicate_create,
            require_known_articles=require_known_articles,
            initial_status=initial_status,
        )
        self.state = WmsState(self.rules, first_order_id=first_order_id, clock=clock)
        self.faults = Faults()
        self.webhooks = Webhooks(system=warehouse, goods_owner_id=goods_owner_id, goods_owner_name=goods_owner_code)
        self.state.subscribe(self.webhooks.listen)
        self.warehouse = warehouse
        credentials = Credentials(username=username, password=password, goods_owner_code=goods_owner_code)
        operations = Operations(self.state, credentials, goods_owner_id=goods_owner_id)
        self.app = SimulatorApp(
            state=self.state, faults=self.faults, operations=operations, warehouse=warehouse, webhooks=self.webhooks
        )
        super().__init__(self.app, port=port, name=f"ongoing-wms-{warehouse}")

    # --- lifecycle --------------------------------------------------------------------------------

    def _before_stop(self) -> None:
        """Release held responses and stop the webhook sender (then serving stops)."""
        self.app.release_held_responses()
        self.webhooks.close()

    @property
    def url(self) -> str:
        """The service endpoint, `http://127.0.0.1:PORT/{warehouse}/service.asmx`."""
        return f"{self.base_url}/{self.warehouse}/service.asmx"

    @property
    def wsdl_url(self) -> str:
        """Where the WSDL is served."""
        return f"{self.url}?WSDL"

    def now(self) -> dt.datetime:
        """The simulator's clock (what LastUpdated, ShippedTime and changed-since filters use)."""
        return self.state.now()

    # --- articles and stock -----------------------------------------------------------------------

    def add_article(self, number: str, name: str | None = None, stock: Decimal | int = 0) -> Article:
        """Create an article (or set its name and physical stock), without an inventory transaction."""
        return self.state.add_article(number, name, stock)

    def article(self, number: str) -> Article | None:
        """One article's master data, or None."""
        return self.state.article(number)

    def articles(self) -> list[Article]:
        """Every article."""
        return self.state.articles()

    def inventory(self, number: str) -> InventoryRow:
        """One article's stock figures as GetInventoryByQuery would report them."""
        rows = self.state.inventory(InventoryQuery(numbers=(number,)))
        if not rows:
            raise KeyError(f"no article {number}")
        return rows[0]

    def adjust_stock(
        self, article: str, delta: Quantity, cause: str = "counted", comment: str | None = None
    ) -> InventoryTransaction:
        """Change physical stock (cause `received`, `counted` or `damaged`), as an inventory transaction."""
        return self.state.adjust_stock(article, delta, cause, comment)

    def transactions(self) -> list[InventoryTransaction]:
        """Every inventory transaction (what GetInventoryChanges reports)."""
        return self.state.transactions()

    # --- orders -----------------------------------------------------------------------------------

    def orders(self) -> list[Order]:
        """Snapshots of every order (immutable), oldest first."""
        return self.state.orders()

    def order(self, number: str) -> Order | None:
        """Snapshot of the (newest) order with this GoodsOwnerOrderNumber."""
        return self.state.order(number)

    def set_status(self, number: str, status: int) -> Order:
        """Move an order to any status, no rules checked (as a warehouse admin could)."""
        return self.state.set_status(number, status)

    def allocate(self, number: str) -> Order:
        """Allocate the order's unpicked quantities (320 Allocated)."""
        return self.state.allocate(number)

    def pick(self, number: str, quantities: Mapping[str, Quantity] | None = None) -> Order:
        """Pick more per ExternalOrderLineCode (accumulating), or everything left; 400 Picked."""
        return self.state.pick(number, quantities)

    def ship(
        self,
        number: str,
        way_bill: str | None = None,
        *,
        tracking_url: str | None = None,
        transporter: str | None = None,
        transporter_code: str | None = None,
    ) -> Order:
        """Ship what was picked (450 Sent, ShippedTime); physical stock drops."""
        return self.state.ship(
            number, way_bill, tracking_url=tracking_url, transporter=transporter, transporter_code=transporter_code
        )

    def cancel(self, number: str) -> Order:
        """Cancel in the warehouse (1000), only while nothing is picked."""
        return self.state.cancel(number)

    def return_lines(self, number: str, quantities: Mapping[str, Quantity], *, restock: bool = True) -> Order:
        """Register returned quantities per line (800 Returned); returned goods go back on hand by default."""
        return self.state.return_lines(number, quantities, restock=restock)

    def create_foreign_order(self, number: str, lines: ForeignLines, order_type: str | None = None) -> Order:
        """An order the router never sent: `{article: qty}` or `[(line code, article, qty), ...]`."""
        return self.state.create_foreign_order(number, lines, order_type)

    # --- purchase orders --------------------------------------------------------------------------

    def in_orders(self) -> list[InOrder]:
        """Every purchase order, oldest first."""
        return self.state.in_orders()

    def in_order(self, number: str) -> InOrder | None:
        """The (newest) purchase order with this number."""
        return self.state.in_order(number)

    def receive(self, number: str, quantities: Mapping[str, Quantity] | None = None) -> InOrder:
        """Receive goods on a purchase order (per line code, or all still expected): stock goes up."""
        return self.state.receive(number, quantities)

    def create_foreign_in_order(self, number: str, lines: ForeignLines, supplier: str | None = None) -> InOrder:
        """A purchase order the router never sent."""
        return self.state.create_foreign_in_order(number, lines, supplier)

    # --- observation ------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every SOAP request received: operation, key fields, time, committed, outcome."""
        return self.state.requests()

    def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Block until `predicate()` is truthy, re-checked on every state change (no polling sleeps)."""
        return self.state.wait_until(predicate, timeout)

    def reset(self) -> None:
        """Forget orders, purchase orders, articles and requests; disarm faults; switch webhooks off."""
        self.state.reset()
        self.faults.clear()
        self.webhooks.clear()
