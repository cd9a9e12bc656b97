"""The simulated client's data: orders with states and changed times, companies, products and stock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from simulators._control import LoggedState
from simulators.tfso.records import (
    Company,
    Invoice,
    InvoiceRow,
    Product,
    RecordedCall,
    StatusChange,
    StockWrite,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from simulators.tfso.clock import SimClock

__all__ = ["InvoiceQuery", "OrderUpdate", "TfsoState"]


@dataclass(frozen=True, kw_only=True)
class InvoiceQuery:
    """`InvoiceSearchParameters`: every given criterion must hold (AND); lists are any-of."""

    changed_after: dt.datetime | None = None
    order_states: tuple[str, ...] | None = None
    order_ids: tuple[int, ...] | None = None
    invoice_ids: tuple[int, ...] | None = None
    customer_ids: tuple[int, ...] | None = None
    external_status: tuple[int, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class OrderUpdate:
    """The fields SaveInvoices may change on an existing order; None means "no change"."""

    order_status: str | None = None
    external_status: int | None = None
    invoice_text: str | None = None
    your_reference: str | None = None
    customer_delivery_phone: str | None = None
    invoice_email: str | None = None
    delivery_date: dt.datetime | None = None


class TfsoState(LoggedState[RecordedCall]):
    """All mutable data behind one re-entrant lock; readers get immutable records."""

    def __init__(self, clock: SimClock, *, first_order_id: int = 10001, first_product_id: int = 1) -> None:
        super().__init__()
        self.clock = clock
        self._orders: dict[int, Invoice] = {}
        self._companies: dict[int, Company] = {}
        self._products: dict[int, Product] = {}
        self._stock_writes: list[StockWrite] = []
        self._first_ids = (first_order_id, first_product_id)
        self._next_order_id, self._next_product_id = self._first_ids

    # --- seeding and warehouse-side changes -------------------------------------------------------

    def add_company(self, company: Company) -> Company:
        """Create or replace a company."""
        with self._changed:
            stored = replace(company, date_changed=company.date_changed or self.clock.now())
            self._companies[company.id] = stored
            self._changed.notify_all()
            return stored

    def add_product(self, no: str, name: str | None = None, *, stock: Decimal | int = 0, **extra: Any) -> Product:
        """Create a product with the next id (or replace the one with this number, keeping its id)."""
        with self._changed:
            existing = next((p for p in self._products.values() if p.no == no), None)
            if existing is None:
                product_id, self._next_product_id = self._next_product_id, self._next_product_id + 1
            else:
                product_id = existing.id
            product = Product(
                id=product_id, no=no, name=name or no, stock=Decimal(stock), date_changed=self.clock.now(), **extra
            )
            self._products[product_id] = product
            self._changed.notify_all()
            return product

    def add_order(
        self, *, customer_id: int, rows: Sequence[InvoiceRow], status: str = "Confirmed", **fields: Any
    ) -> Invoice:
        """Create an order the way a user of the ERP would, stamped with the clock."""
        with self._changed:
            now = self.clock.now()
            order_id, self._next_order_id = self._next_order_id, self._next_order_id + 1
            numbered = tuple(row if row.row_id else replace(row, row_id=i + 1) for i, row in enumerate(rows))
            order = Invoice(
                order_id=order_id,
                customer_id=customer_id,
                order_status=status,
                date_ordered=now,
                date_changed=now,
                rows=numbered,
                history=(StatusChange(status=status, at=now),),
                **fields,
            )
            self._orders[order_id] = order
            self._changed.notify_all()
            return order

    def change_order(self, order_id: int, **fields: Any) -> Invoice:
        """Change any fields of an order (as a user would); DateChanged moves to now."""
        with self._changed:
            order = self._orders[order_id]
            now = self.clock.now()
            status = fields.get("order_status")
            history = order.history
            if status is not None and status != order.order_status:
                history = (*history, StatusChange(status=status, at=now))
            changed = replace(order, **fields, date_changed=now, history=history)
            self._orders[order_id] = changed
            self._changed.notify_all()
            return changed

    # --- what the SOAP operations do --------------------------------------------------------------

    def find_orders(self, query: InvoiceQuery) -> list[Invoice]:
        """Orders matching every criterion, by OrderId."""
        with self._changed:
            return [o for o in sorted(self._orders.values(), key=lambda o: o.order_id) if _matches(o, query)]

    def sync_list(self, *, changed_after: dt.datetime | None, registered_after: dt.datetime | None) -> list[int]:
        """GetOrderSyncList: ids of orders changed after / registered after the given times."""
        with self._changed:
            return [
                o.order_id
                for o in sorted(self._orders.values(), key=lambda o: o.order_id)
                if (changed_after is None or o.date_changed > changed_after)
                and (registered_after is None or o.date_ordered > registered_after)
            ]

    def update_order(self, order_id: int, update: OrderUpdate) -> Invoice | str:
        """SaveInvoices on an existing order: the changed order, or the APIException message."""
        with self._changed:
            order = self._orders.get(order_id)
            if order is None:
                return f"Order {order_id} does not exist"
            if order.order_status == "Invoiced":
                return f"Order {order_id} is invoiced and cannot be changed"
            changes = {k: v for k, v in vars(update).items() if v is not None}
            if not changes:
                return order
            return self.change_order(order_id, **changes)

    def create_order(self, *, customer_id: int | None, rows: Sequence[InvoiceRow], **fields: Any) -> Invoice | str:
        """SaveInvoices without OrderId: a new order for an existing customer, or the APIException message."""
        with self._changed:
            if customer_id is None or customer_id not in self._companies:
                return f"Customer {customer_id} does not exist"
            filled: list[InvoiceRow] = []
            for row in rows:
                product = self._products.get(row.product_id or -1)
                if row.product_id is not None and product is None:
                    return f"Product {row.product_id} does not exist"
                if product is not None:
                    row = replace(row, product_no=product.no, name=row.name or product.name)  # noqa: PLW2901
                filled.append(row)
            company = self._companies[customer_id]
            fields.setdefault("customer_name", company.name)
            return self.add_order(customer_id=customer_id, rows=filled, **fields)

    def find_products(
        self, *, ids: Iterable[int] | None = None, no: str | None = None, **filters: Any
    ) -> list[Product]:
        """GetProducts: products matching every given filter."""
        wanted = set(ids) if ids is not None else None
        changed_after = filters.get("date_changed")
        with self._changed:
            return [
                p
                for p in sorted(self._products.values(), key=lambda p: p.id)
                if (wanted is None or p.id in wanted)
                and (no is None or p.no == no)
                and (filters.get("name") is None or p.name == filters["name"])
                and (filters.get("ean1") is None or p.ean1 == filters["ean1"])
                and (filters.get("category_id") is None or p.category_id == filters["category_id"])
                and (changed_after is None or (p.date_changed is not None and p.date_changed > changed_after))
            ]

    def set_stock(self, product_id: int, quantity: Decimal) -> bool:
        """SetStockQuantity: True and the new Stock, or False for an unknown product."""
        with self._changed:
            product = self._products.get(product_id)
            if product is None:
                return False
            now = self.clock.now()
            self._products[product_id] = replace(product, stock=quantity, date_changed=now)
            self._stock_writes.append(StockWrite(product_id=product_id, quantity=quantity, at=now))
            self._changed.notify_all()
            return True

    def find_companies(
        self, *, ids: Iterable[int] | None = None, changed_after: dt.datetime | None = None
    ) -> list[Company]:
        """GetCompanies: companies by id and/or changed after."""
        wanted = set(ids) if ids is not None else None
        with self._changed:
            return [
                c
                for c in sorted(self._companies.values(), key=lambda c: c.id)
                if (wanted is None or c.id in wanted)
                and (changed_after is None or (c.date_changed is not None and c.date_changed > changed_after))
            ]

    # --- observation ------------------------------------------------------------------------------

    def orders(self) -> list[Invoice]:
        """Every order, by OrderId."""
        return self.find_orders(InvoiceQuery())

    def order(self, order_id: int) -> Invoice:
        """One order; KeyError when unknown."""
        with self._changed:
            return self._orders[order_id]

    def products(self) -> list[Product]:
        """Every product, by id."""
        return self.find_products()

    def product(self, no: str) -> Product:
        """The product with this number; KeyError when unknown."""
        found = self.find_products(no=no)
        if not found:
            raise KeyError(f"no product {no}")
        return found[0]

    def companies(self) -> list[Company]:
        """Every company, by id."""
        return self.find_companies()

    def stock_writes(self) -> list[StockWrite]:
        """Every SetStockQuantity applied, oldest first."""
        with self._changed:
            return list(self._stock_writes)

    def calls(self) -> list[RecordedCall]:
        """Every call received, oldest first."""
        return self._logged()

    def reset(self) -> None:
        """Forget every order, company, product, stock write and call."""
        with self._changed:
            self._orders.clear()
            self._companies.clear()
            self._products.clear()
            self._stock_writes.clear()
            self._log.clear()
            self._next_order_id, self._next_product_id = self._first_ids
            self._changed.notify_all()


def _matches(order: Invoice, query: InvoiceQuery) -> bool:
    return (
        (query.changed_after is None or order.date_changed > query.changed_after)
        and (query.order_states is None or order.order_status in query.order_states)
        and (query.order_ids is None or order.order_id in query.order_ids)
        and (query.invoice_ids is None or False)  # nothing is invoiced in the simulator
        and (query.customer_ids is None or order.customer_id in query.customer_ids)
        and (query.external_status is None or order.external_status in query.external_status)
    )
