"""The order operations an integration calls: ProcessOrder's rules, UpdateOrderLines, GetOrdersByQuery."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from simulators.ongoing_wms.records import ALLOCATED, CANCELLED, Consignee, Line, Order, WriteResult
from simulators.ongoing_wms.store import Store

if TYPE_CHECKING:
    from collections.abc import Iterable

    from simulators.ongoing_wms.inputs import LineInput, OrderInput, OrderQuery

__all__ = ["LineReport", "OrderDesk", "RejectedError"]

LineReport = tuple[str | None, Decimal | None, Decimal | None]  # line code, reported, reported returned


class RejectedError(Exception):
    """A write the WMS refuses (answered with Success=false and this message)."""


class OrderDesk(Store):
    """ProcessOrder / UpdateOrderLines / GetOrdersByQuery, with Ongoing's documented rules."""

    def process_order(self, request: OrderInput) -> WriteResult:
        """ProcessOrder: Create / CreateOrUpdate / Update / Remove by GoodsOwnerOrderNumber or SystemId."""
        with self._changed:
            try:
                existing = self._lookup(request)
                if request.operation == "Remove":
                    order = self._remove_order(existing)
                else:
                    target = self._write_target(existing, request)
                    self._check_articles(line.article_number for line in request.lines or ())
                    order = self._write_order(target, request)
            except RejectedError as exc:
                return WriteResult(success=False, number=request.number, error=str(exc))
            return WriteResult(success=True, number=order.number, order_id=order.order_id)

    def update_order_lines(
        self, number: str | None, order_id: int | None, reports: Iterable[LineReport]
    ) -> WriteResult:
        """UpdateOrderLines: set ReportedNumberOfItems / ReportedReturnedNumberOfItems per line code."""
        with self._changed:
            order = self._find(number) if number else self._orders.get(order_id or -1)
            if order is None:
                return WriteResult(success=False, number=number, error=f"Order {number or order_id} not found")
            lines = {line.code: line for line in order.lines}
            for code, reported, reported_returned in reports:
                if code not in lines:
                    return WriteResult(success=False, order_id=order.order_id, error=f"Order line {code} not found")
                line = lines[code]
                if reported is not None:
                    line = replace(line, reported=reported)
                if reported_returned is not None:
                    line = replace(line, reported_returned=reported_returned)
                lines[code] = line
            self._put(replace(order, lines=tuple(lines.values())))
            return WriteResult(success=True, number=order.number, order_id=order.order_id)

    def query_orders(self, query: OrderQuery) -> list[Order]:
        """GetOrdersByQuery: orders matching every given filter, oldest first."""
        with self._changed:
            return [order for order in self.orders() if query.matches(order)]

    def set_status(self, number: str, status: int) -> Order:
        """Move an order to any status, no rules checked (320 allocates its unpicked quantities)."""
        with self._changed:
            order = self._require(number)
            lines = order.lines
            if status == ALLOCATED:
                lines = tuple(replace(line, allocated=line.ordered - line.picked) for line in lines)
            return self._put(replace(order, status=status, lines=lines))

    # --- internals --------------------------------------------------------------------------------

    def _lookup(self, request: OrderInput) -> Order | None:
        if request.identification == "GoodsOwnerOrderNumber":
            if not request.number:
                raise RejectedError("GoodsOwnerOrderNumber is required")
            return self._find(request.number)
        if request.identification == "SystemId":
            return self._orders.get(request.order_id or -1)
        raise RejectedError(f"OrderIdentification {request.identification} is not supported")

    def _write_target(self, existing: Order | None, request: OrderInput) -> Order | None:
        """Return the order to update (None: create one), or reject the operation."""
        operation = request.operation
        if operation not in ("Create", "CreateOrUpdate", "Update"):
            raise RejectedError(f"OrderOperation {operation} is not supported")
        if existing is None:
            if operation == "Update":
                raise RejectedError(f"Order {request.number} does not exist")
            return None
        if operation == "Create":
            if self.rules.reject_duplicate_create:
                raise RejectedError(f"Order {request.number} already exists (OrderId {existing.order_id})")
            return None
        if existing.status >= self.rules.update_threshold:
            raise RejectedError(
                f"Order {existing.number} cannot be updated: it has status {existing.status} {existing.status_text}"
            )
        return existing

    def _check_articles(self, numbers: Iterable[str | None]) -> None:
        if not self.rules.require_known_articles:
            return
        unknown = [number or "(none)" for number in numbers if number not in self._articles]
        if unknown:
            raise RejectedError(f"Article {', '.join(unknown)} does not exist for this goods owner")

    def _remove_order(self, existing: Order | None) -> Order:
        if existing is None:
            raise RejectedError("Order does not exist")
        if existing.status == CANCELLED:
            return existing
        if existing.status >= self.rules.update_threshold:
            raise RejectedError(
                f"Order {existing.number} cannot be cancelled: it has status {existing.status} {existing.status_text}"
            )
        return self._put(replace(existing, status=CANCELLED, lines=_unallocated(existing.lines)))

    def _write_order(self, existing: Order | None, request: OrderInput) -> Order:
        if existing is None:
            now = self.now()
            existing = Order(
                order_id=self._new_order_id(),
                number=request.number or "",
                status=self.rules.initial_status,
                order_type=None,
                consignee=Consignee(),
                lines=(),
                created_at=now,
                updated_at=now,
            )
        lines = existing.lines if request.lines is None else self._merge_lines(existing.lines, request.lines)
        return self._put(
            replace(
                existing,
                order_type=request.order_type or existing.order_type,
                consignee=request.consignee or existing.consignee,
                lines=lines,
                remark=request.remark,
                delivery_instruction=request.delivery_instruction,
                way_of_delivery=request.way_of_delivery,
                way_of_delivery_type=request.way_of_delivery_type,
                reference_number=request.reference_number,
                sales_code=request.sales_code,
                service_point_code=request.service_point_code,
                freight_price=request.freight_price,
                delivery_date=request.delivery_date,
            )
        )

    def _merge_lines(self, current: tuple[Line, ...], incoming: tuple[LineInput, ...]) -> tuple[Line, ...]:
        """Replace the order's lines by the request's; a line keeps its system id when its key matches."""
        by_key = {(old.code or old.article_number): old for old in current}
        merged: dict[str, Line] = {}
        for line in incoming:
            key = (line.article_number if line.identification == "ArticleNumber" else line.code) or ""
            article = self._articles.get(line.article_number or "")
            previous = by_key.get(key)
            merged[key] = Line(  # with ArticleNumber identification the last line per article wins
                system_id=previous.system_id if previous else self._new_line_id(),
                code=line.code,
                article_number=line.article_number or "",
                article_name=line.article_name or (article.name if article else None),
                ordered=line.quantity,
                comment=line.comment,
                line_price=line.line_price,
                customer_line_price=line.customer_line_price,
                currency=line.currency,
                discount=line.discount,
                vat_percent=line.vat_percent,
            )
        return tuple(merged.values())


def _unallocated(lines: tuple[Line, ...]) -> tuple[Line, ...]:
    return tuple(replace(line, allocated=Decimal(0)) for line in lines)
