"""`TfsoSimulator`: 24SevenOffice's four SOAP services on loopback, with a thread-safe Python API."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from simulators._lifecycle import ServedSimulator
from simulators.ongoing_wms.faults import Faults
from simulators.tfso.app import TfsoApp
from simulators.tfso.clock import SimClock
from simulators.tfso.operations import Operations
from simulators.tfso.records import Company, InvoiceRow
from simulators.tfso.sessions import Account, Sessions
from simulators.tfso.state import TfsoState

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from simulators.tfso.records import Invoice, Product, RecordedCall, StockWrite

__all__ = ["TfsoSimulator"]

T = TypeVar("T")
# The real paths, in the WSDLs' letter case.
_REAL_PATHS = {
    "Authenticate": "/authenticate/v001/authenticate.asmx",
    "InvoiceService": "/Economy/InvoiceOrder/V001/InvoiceService.asmx",
    "ProductService": "/Logistics/Product/V001/ProductService.asmx",
    "CompanyService": "/CRM/Company/V001/CompanyService.asmx",
}


class TfsoSimulator(ServedSimulator):
    """One 24SevenOffice client (company) with one API user, over SOAP 1.1 on `127.0.0.1`.

    ```python
    with TfsoSimulator(application_id=APP, username="api@example.no", password="pw") as sim:
        sim.add_product("A1", stock=5)
        sim.add_company(Company(id=10001, name="Kunde AS"))
        sim.add_order(customer_id=10001, rows=[sim.row("A1", 2)])
    ```
    """

    def __init__(
        self,
        *,
        application_id: str,
        username: str,
        password: str,
        session_idle_timeout: float = 20 * 60,
        login_limit: int = 10,
        login_window: float = 60.0,
        session_fault: tuple[str, str] | None = None,
        clock: SimClock | None = None,
        first_order_id: int = 10001,
        port: int = 0,
    ) -> None:
        self.clock = clock or SimClock()
        self.state = TfsoState(self.clock, first_order_id=first_order_id)
        account = Account(application_id=application_id, username=username, password=password)
        self.sessions = Sessions(
            account, self.clock, idle_timeout=session_idle_timeout, login_limit=login_limit, login_window=login_window
        )
        self.faults = Faults()
        operations = Operations(self.state, self.sessions, session_fault=session_fault)
        self.app = TfsoApp(state=self.state, sessions=self.sessions, faults=self.faults, operations=operations)
        super().__init__(self.app, port=port, name="tfso-simulator")

    def __repr__(self) -> str:
        return f"TfsoSimulator(url={self._serving_url()!r})"

    # --- lifecycle --------------------------------------------------------------------------------

    def _before_stop(self) -> None:
        """Release held responses (then serving stops)."""
        self.app.release_held_responses()

    def url(self, service: str) -> str:
        """The address of `Authenticate`, `InvoiceService`, `ProductService` or `CompanyService`."""
        return f"{self.base_url}{_REAL_PATHS[service]}"

    # --- data -------------------------------------------------------------------------------------

    def add_company(self, company: Company | None = None, **fields: Any) -> Company:
        """Create or replace a customer company (`Company(...)` or its fields)."""
        return self.state.add_company(company if company is not None else Company(**fields))

    def add_product(self, no: str, name: str | None = None, *, stock: Decimal | int = 0, **extra: Any) -> Product:
        """Create a product (or reset the one with this number)."""
        return self.state.add_product(no, name, stock=stock, **extra)

    def row(self, product_no: str, quantity: Decimal | int | str, **fields: Any) -> InvoiceRow:
        """An order row for an existing product, its id and name filled in."""
        product = self.state.product(product_no)
        fields.setdefault("name", product.name)
        return InvoiceRow(
            row_id=0, product_id=product.id, product_no=product.no, quantity=Decimal(str(quantity)), **fields
        )

    def add_order(
        self, *, customer_id: int, rows: Sequence[InvoiceRow], status: str = "Confirmed", **fields: Any
    ) -> Invoice:
        """Create an order (default `Confirmed`), stamped with the clock."""
        return self.state.add_order(customer_id=customer_id, rows=rows, status=status, **fields)

    def set_status(self, order_id: int, status: str) -> Invoice:
        """Move an order to another OrderStatus as a user would; DateChanged moves to now."""
        return self.state.change_order(order_id, order_status=status)

    def change_order(self, order_id: int, **fields: Any) -> Invoice:
        """Change any fields of an order as a user would; DateChanged moves to now."""
        return self.state.change_order(order_id, **fields)

    def order(self, order_id: int) -> Invoice:
        """One order (immutable snapshot)."""
        return self.state.order(order_id)

    def orders(self) -> list[Invoice]:
        """Every order."""
        return self.state.orders()

    def product(self, no: str) -> Product:
        """One product by number."""
        return self.state.product(no)

    def products(self) -> list[Product]:
        """Every product."""
        return self.state.products()

    def stock_writes(self) -> list[StockWrite]:
        """Every SetStockQuantity applied."""
        return self.state.stock_writes()

    @property
    def calls(self) -> list[RecordedCall]:
        """Every SOAP call received (never a password), oldest first."""
        return self.state.calls()

    def calls_to(self, operation: str) -> list[RecordedCall]:
        """The recorded calls of one operation."""
        return [c for c in self.state.calls() if c.operation == operation]

    # --- sessions ---------------------------------------------------------------------------------

    def expire_sessions(self) -> int:
        """End every session now (HasSession answers false, business calls fault)."""
        return self.sessions.expire()

    def expire_sessions_before(self, operation: str | None = None, n: int = 1) -> None:
        """End every session just before the next `n` calls to `operation` (None: any business call)."""
        self.sessions.expire_before(operation, n)

    def live_sessions(self) -> list[str]:
        """Ids of sessions not yet ended."""
        return self.sessions.live()

    def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Block until `predicate()` is truthy, re-checked on every change (no polling sleeps)."""
        return self.state.wait_until(predicate, timeout)

    def reset(self) -> None:
        """Forget all data, sessions and calls, and disarm faults."""
        self.state.reset()
        self.sessions.reset()
        self.faults.clear()
