"""Purchase orders (in-orders): ProcessInOrder, GetInOrdersByQuery, UpdateInOrderLines, goods reception."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from simulators.ongoing_wms.records import (
    IN_CANCELLED,
    IN_NOTIFIED,
    IN_PARTLY_RECEIVED,
    IN_RECEIVED,
    InLine,
    InOrder,
    WriteResult,
)
from simulators.ongoing_wms.store import Store

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from simulators.ongoing_wms.inputs import InLineInput, InOrderInput, InOrderQuery

__all__ = ["Purchasing"]

Quantity = Decimal | int | str


class Purchasing(Store):
    """The goods owner's purchase orders and their reception; rules marked [INF] are inferred."""

    def process_in_order(self, request: InOrderInput) -> WriteResult:
        """ProcessInOrder: Create / CreateOrUpdate / Remove by GoodsOwnerOrderNumber."""
        with self._changed:
            number = request.number or ""
            if request.identification != "GoodsOwnerOrderNumber" or not number:
                return _rejected(number, "InOrderIdentification GoodsOwnerOrderNumber with a number is required")
            existing = self.in_order(number)
            if request.operation == "Remove":
                return self._remove_in_order(existing, number)
            if existing is not None and request.operation == "Create":
                return _rejected(number, f"Purchase order {number} already exists (InOrderId {existing.in_order_id})")
            if existing is not None and any(line.received for line in existing.lines):
                # [INF] like ProcessOrder: once goods are received the purchase order is the warehouse's.
                return _rejected(number, f"Purchase order {number} cannot be updated: goods have been received")
            unknown = [line.article_number or "(none)" for line in request.lines or () if not self._known(line)]
            if unknown and self.rules.require_known_articles:
                return _rejected(number, f"Article {', '.join(unknown)} does not exist for this goods owner")
            in_order = self._write_in_order(existing, request)
            return WriteResult(success=True, number=number, in_order_id=in_order.in_order_id)

    def query_in_orders(self, query: InOrderQuery) -> list[InOrder]:
        """GetInOrdersByQuery: purchase orders matching every given filter, oldest first."""
        with self._changed:
            return [in_order for in_order in self.in_orders() if query.matches(in_order)]

    def update_in_order_lines(
        self, number: str | None, in_order_id: int | None, reported: Iterable[tuple[str | None, Decimal | None]]
    ) -> WriteResult:
        """UpdateInOrderLines: set ReportedNumberOfItems per line (by ExternalOrderLineCode)."""
        with self._changed:
            in_order = self.in_order(number) if number else self._in_orders.get(in_order_id or -1)
            if in_order is None:
                return WriteResult(
                    success=False, number=number, error=f"Purchase order {number or in_order_id} not found"
                )
            lines = {line.code: line for line in in_order.lines}
            for code, quantity in reported:
                if code not in lines:
                    return WriteResult(
                        success=False, in_order_id=in_order.in_order_id, error=f"Purchase order line {code} not found"
                    )
                lines[code] = replace(lines[code], reported=quantity)
            self._put_in_order(replace(in_order, lines=tuple(lines.values())))
            return WriteResult(success=True, number=in_order.number, in_order_id=in_order.in_order_id)

    def receive(self, number: str, quantities: Mapping[str, Quantity] | None = None) -> InOrder:
        """Receive goods on a purchase order (per line code, or everything still expected): stock goes up."""
        with self._changed:
            in_order = self.in_order(number)
            if in_order is None:
                raise KeyError(f"no purchase order {number}")
            if in_order.status == IN_CANCELLED:
                raise ValueError(f"purchase order {number} is cancelled")
            codes = {line.code for line in in_order.lines}
            if quantities is not None and set(quantities) - codes:
                raise KeyError(f"purchase order {number} has no lines {sorted(set(quantities) - codes)}")
            now = self.now()
            lines = []
            for line in in_order.lines:
                more = (
                    max(Decimal(0), line.advised - line.received)
                    if quantities is None
                    else Decimal(quantities.get(line.code or "", 0))
                )
                if more < 0:
                    raise ValueError(f"line {line.code}: cannot receive {more}")
                lines.append(
                    replace(line, received=line.received + more, received_at=now if more else line.received_at)
                )
            with self._watch(line.article_number for line in lines):
                for line, old in zip(lines, in_order.lines, strict=True):
                    if line.received != old.received and line.article_number in self._articles:
                        self._set_stock(line.article_number, line.received - old.received, received=True)
                complete = all(line.received >= line.advised for line in lines)
                status = IN_RECEIVED if complete else IN_PARTLY_RECEIVED
                return self._put_in_order(replace(in_order, lines=tuple(lines), status=status, received_at=now))

    def create_foreign_in_order(
        self,
        number: str,
        lines: Mapping[str, Quantity] | Sequence[tuple[str, str, Quantity]],
        supplier: str | None = None,
    ) -> InOrder:
        """Create a purchase order in the warehouse that no integration sent."""
        with self._changed:
            if self.in_order(number) is not None:
                raise ValueError(f"purchase order {number} already exists")
            specs = (
                [(str(i), article, qty) for i, (article, qty) in enumerate(lines.items(), start=1)]
                if isinstance(lines, Mapping)
                else list(lines)
            )
            now = self.now()
            in_order = InOrder(
                in_order_id=self._new_in_order_id(),
                number=number,
                status=IN_NOTIFIED,
                lines=tuple(
                    InLine(system_id=self._new_line_id(), code=code, article_number=article, advised=Decimal(qty))
                    for code, article, qty in specs
                ),
                created_at=now,
                updated_at=now,
                supplier_number=supplier,
                supplier_name=supplier,
                foreign=True,
            )
            return self._put_in_order(in_order)

    # --- internals --------------------------------------------------------------------------------

    def _known(self, line: InLineInput) -> bool:
        return line.article_number in self._articles

    def _new_in_order_id(self) -> int:
        self._next_in_order_id += 1
        return self._next_in_order_id - 1

    def _remove_in_order(self, existing: InOrder | None, number: str) -> WriteResult:
        if existing is None:
            return _rejected(number, f"Purchase order {number} does not exist")
        if any(line.received for line in existing.lines):
            return _rejected(number, f"Purchase order {number} cannot be cancelled: goods have been received")
        removed = self._put_in_order(replace(existing, status=IN_CANCELLED))
        return WriteResult(success=True, number=number, in_order_id=removed.in_order_id)

    def _write_in_order(self, existing: InOrder | None, request: InOrderInput) -> InOrder:
        now = self.now()
        if existing is None:
            existing = InOrder(
                in_order_id=self._new_in_order_id(),
                number=request.number or "",
                status=IN_NOTIFIED,
                lines=(),
                created_at=now,
                updated_at=now,
            )
        lines = existing.lines
        if request.lines is not None:
            by_code = {line.code: line for line in existing.lines}
            lines = tuple(
                InLine(
                    system_id=by_code[line.code].system_id if line.code in by_code else self._new_line_id(),
                    code=line.code,
                    article_number=line.article_number or "",
                    advised=line.quantity,
                    comment=line.comment,
                )
                for line in request.lines
            )
        return self._put_in_order(
            replace(
                existing,
                status=IN_NOTIFIED if existing.status == IN_CANCELLED else existing.status,
                lines=lines,
                supplier_number=request.supplier_number or existing.supplier_number,
                supplier_name=request.supplier_name or existing.supplier_name,
                in_date=request.in_date or existing.in_date,
                remark=request.remark if request.remark is not None else existing.remark,
            )
        )


def _rejected(number: str, message: str) -> WriteResult:
    return WriteResult(success=False, number=number, error=message)
