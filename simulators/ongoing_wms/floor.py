"""What the warehouse does to orders on command: allocate, pick, ship, cancel, take returns, foreign orders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from simulators.ongoing_wms.records import (
    ALLOCATED,
    CANCELLED,
    PICKED,
    RETURNED,
    SENT,
    Consignee,
    Line,
    Order,
)
from simulators.ongoing_wms.store import Store

__all__ = ["Floor", "ForeignLines", "Quantity"]

Quantity = Decimal | int | str
# {article: quantity} (line codes "1", "2", ...) or [(line code, article, quantity), ...]
ForeignLines = Mapping[str, Quantity] | Sequence[tuple[str, str, Quantity]]


class Floor(Store):
    """Warehouse moves; each raises ValueError when the warehouse could not do it, KeyError when unknown."""

    def allocate(self, number: str) -> Order:
        """Allocate an order's unpicked quantities (320 Allocated)."""
        with self._changed:
            order = self._require(number)
            if order.status >= PICKED:
                raise ValueError(f"order {number} has status {order.status}: too late to allocate")
            lines = tuple(replace(line, allocated=line.ordered - line.picked) for line in order.lines)
            return self._put(replace(order, status=ALLOCATED, lines=lines))

    def pick(self, number: str, quantities: Mapping[str, Quantity] | None = None) -> Order:
        """Pick more of some lines (by line code), or everything left; 400 Picked once anything is picked."""
        with self._changed:
            order = self._require(number)
            if order.status >= SENT:
                raise ValueError(f"order {number} has status {order.status}: nothing left to pick")
            wanted = _by_code(order, quantities) if quantities is not None else None
            lines = []
            for line in order.lines:
                more = line.ordered - line.picked if wanted is None else wanted.get(line.code or "", Decimal(0))
                if more < 0 or line.picked + more > line.ordered:
                    raise ValueError(f"line {line.code}: cannot pick {more}, {line.ordered - line.picked} left")
                lines.append(replace(line, picked=line.picked + more, allocated=max(Decimal(0), line.allocated - more)))
            if not any(line.picked for line in lines):
                raise ValueError(f"order {number}: nothing picked")
            status = max(order.status, PICKED)
            return self._put(replace(order, lines=tuple(lines), status=status, picked_at=self.now()))

    def ship(
        self,
        number: str,
        way_bill: str | None = None,
        *,
        tracking_url: str | None = None,
        transporter: str | None = None,
        transporter_code: str | None = None,
    ) -> Order:
        """Ship what was picked (450 Sent, ShippedTime now): physical stock drops by the picked quantities."""
        with self._changed:
            order = self._require(number)
            if order.status >= SENT:
                raise ValueError(f"order {number} has status {order.status}: already sent")
            if not any(line.picked for line in order.lines):
                raise ValueError(f"order {number}: nothing picked, nothing to ship")
            with self._watch(line.article_number for line in order.lines):
                for line in order.lines:
                    if line.picked and line.article_number in self._articles:
                        self._set_stock(line.article_number, -line.picked)
                return self._put(
                    replace(
                        order,
                        status=SENT,
                        shipped_at=self.now(),
                        way_bill=way_bill,
                        tracking_url=tracking_url,
                        transporter_name=transporter,
                        transporter_code=transporter_code,
                    )
                )

    def cancel(self, number: str) -> Order:
        """Cancel in the warehouse (1000 Cancelled), possible only while nothing is picked (below 400)."""
        with self._changed:
            order = self._require(number)
            if order.status == CANCELLED:
                return order
            if order.status >= PICKED or any(line.picked for line in order.lines):
                raise ValueError(f"order {number} has status {order.status}: picking has begun, too late to cancel")
            lines = tuple(replace(line, allocated=Decimal(0)) for line in order.lines)
            return self._put(replace(order, status=CANCELLED, lines=lines))

    def return_lines(self, number: str, quantities: Mapping[str, Quantity], *, restock: bool = True) -> Order:
        """Take back shipped goods per line code (800 Returned); returned goods go back on hand by default."""
        with self._changed:
            order = self._require(number)
            if order.status < SENT or order.status == CANCELLED:
                raise ValueError(f"order {number} has status {order.status}: nothing shipped to return")
            wanted = _by_code(order, quantities)
            lines = []
            for line in order.lines:
                more = wanted.get(line.code or "", Decimal(0))
                if more < 0 or line.returned + more > line.picked:
                    raise ValueError(f"line {line.code}: cannot return {more} of {line.picked - line.returned}")
                lines.append(replace(line, returned=line.returned + more))
            with self._watch(line.article_number for line in order.lines):
                for line in order.lines:
                    back = wanted.get(line.code or "", Decimal(0))
                    if back and restock and line.article_number in self._articles:
                        self._set_stock(line.article_number, back)
                return self._put(replace(order, lines=tuple(lines), status=RETURNED, returned_at=self.now()))

    def create_foreign_order(self, number: str, lines: ForeignLines, order_type: str | None = None) -> Order:
        """Create an order in the warehouse that no integration sent (it takes sellable stock all the same)."""
        with self._changed:
            if self._find(number) is not None:
                raise ValueError(f"order {number} already exists")
            specs = (
                [(str(i), article, qty) for i, (article, qty) in enumerate(lines.items(), start=1)]
                if isinstance(lines, Mapping)
                else list(lines)
            )
            unknown = [article for _, article, _ in specs if article not in self._articles]
            if unknown and self.rules.require_known_articles:
                raise ValueError(f"unknown articles {unknown}")
            now = self.now()
            order = Order(
                order_id=self._new_order_id(),
                number=number,
                status=self.rules.initial_status,
                order_type=order_type,
                consignee=Consignee(name="Warehouse customer"),
                lines=tuple(
                    Line(
                        system_id=self._new_line_id(),
                        code=code,
                        article_number=article,
                        article_name=self._articles[article].name if article in self._articles else None,
                        ordered=Decimal(qty),
                    )
                    for code, article, qty in specs
                ),
                created_at=now,
                updated_at=now,
                foreign=True,
            )
            return self._put(order)


def _by_code(order: Order, quantities: Mapping[str, Quantity]) -> dict[str, Decimal]:
    codes = {line.code for line in order.lines}
    unknown = sorted(set(quantities) - codes)
    if unknown:
        raise KeyError(f"order {order.number} has no lines {unknown}")
    return {code: Decimal(qty) for code, qty in quantities.items()}
