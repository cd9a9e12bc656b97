"""Purchase orders (in-orders): the router's input Struct, request builders and result mapping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec

from router.wms._wire import decimal, field, items, text, timestamp, wire_time

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "WmsInOrderLineStatus",
    "WmsInOrderStatus",
    "WmsPurchaseOrder",
    "WmsPurchaseOrderLine",
    "in_order",
    "in_order_filters",
    "in_orders_from_result",
    "remove_in_order",
    "update_in_order_lines",
]


class WmsPurchaseOrderLine(msgspec.Struct, frozen=True, kw_only=True):
    """One purchase-order line; `line_id` becomes ExternalOrderLineCode."""

    line_id: str
    article_number: str
    quantity: Decimal


class WmsPurchaseOrder(msgspec.Struct, frozen=True, kw_only=True):
    """A purchase order as the router sends it (`ProcessInOrder`); `number` already carries the suffix."""

    number: str
    lines: tuple[WmsPurchaseOrderLine, ...]
    supplier: str | None = None  # the supplier's number in the WMS
    supplier_name: str | None = None  # given: the supplier is created or updated; else only looked up
    expected_date: dt.date | None = None  # InDate: when the goods are expected
    remark: str | None = None


class WmsInOrderLineStatus(msgspec.Struct, frozen=True, kw_only=True):
    """One purchase-order line as the WMS reports it."""

    line_id: str | None
    article_number: str | None
    advised: Decimal
    received: Decimal
    reported: Decimal | None
    line_system_id: int | None = None


class WmsInOrderStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A purchase order as the WMS reports it (`GetInOrdersByQuery`)."""

    in_order_id: int
    number: str
    status_number: int
    status_text: str | None
    supplier: str | None
    lines: tuple[WmsInOrderLineStatus, ...] = ()
    received_at: dt.datetime | None = None


def in_order(po: WmsPurchaseOrder, *, operation: str = "CreateOrUpdate") -> dict[str, Any]:
    """Build the `co` (InOrder) argument of ProcessInOrder."""
    expected = po.expected_date
    supplier = None
    if po.supplier is not None or po.supplier_name is not None:
        supplier = {
            "InOrderSupplierIdentificationType": "SupplierNumber" if po.supplier else "SupplierName",
            "InOrderSupplierOperation": "CreateOrUpdate" if po.supplier_name else "Find",
            "SupplierNumber": po.supplier,
            "SupplierName": po.supplier_name,
        }
    return {
        "InOrderInfo": {
            "InOrderIdentification": "GoodsOwnerOrderNumber",
            "InOrderOperation": operation,
            "GoodsOwnerOrderNumber": po.number,
            "OrderRemark": po.remark,
            "InDate": None if expected is None else dt.datetime(expected.year, expected.month, expected.day),  # noqa: DTZ001 - a calendar date
        },
        "InOrderSupplier": supplier,
        "InOrderLines": {
            "InOrderLine": [
                {
                    "OrderLineIdentification": "ExternalOrderLineCode",
                    "ArticleIdentification": "ArticleNumber",
                    "ExternalOrderLineCode": line.line_id,
                    "ArticleNumber": line.article_number,
                    "NumberOfItems": line.quantity,
                }
                for line in po.lines
            ]
        },
    }


def remove_in_order(number: str) -> dict[str, Any]:
    """Build the `co` argument of a ProcessInOrder that cancels a purchase order (`Remove`)."""
    return {
        "InOrderInfo": {
            "InOrderIdentification": "GoodsOwnerOrderNumber",
            "InOrderOperation": "Remove",
            "GoodsOwnerOrderNumber": number,
        }
    }


def in_order_filters(
    *,
    numbers: Sequence[str] = (),
    changed_since: dt.datetime | None = None,
    changed_until: dt.datetime | None = None,
    status_from: int | None = None,
    status_to: int | None = None,
    only_unreported: bool = False,
) -> dict[str, Any]:
    """Build the `query` (InOrderFilters) of GetInOrdersByQuery; unset filters go out as `xsi:nil`."""
    filters: dict[str, Any] = dict.fromkeys(
        ("InDateFrom", "InDateTo", "LastReceiveTimeFrom", "LastReceiveTimeTo", "IsReturnType")
    )
    filters.update(
        InOrderStatusFrom=status_from,
        InOrderStatusTo=status_to,
        InOrderNumbersToGet={"string": list(numbers)} if numbers else None,
        InOrderSpecialFilters=(
            {"OnlyGetUnDeclaredInOrders": False, "OnlyWithInOrderLinesWithDiffingReceviedToReported": True}
            if only_unreported
            else None
        ),
        LastUpdatedFrom=wire_time(changed_since),
        LastUpdatedTo=wire_time(changed_until),
    )
    return filters


def update_in_order_lines(number: str, reported: Mapping[str, Decimal]) -> dict[str, Any]:
    """Build the `UpdateInOrderLines` argument that sets ReportedNumberOfItems per line code."""
    return {
        "UpdateInOrderIdentification": {
            "InOrderIdentificationType": "GoodsOwnerOrderNumber",
            "GoodsOwnerOrderNumber": number,
            "InOrderId": 0,
        },
        "InOrderLines": {
            "UpdateInOrderLine": [
                {
                    "UpdateInOrderLineIdentification": {
                        "InOrderLineIdentificationType": "ExternalOrderLineCode",
                        "ExternalOrderLineCode": line_id,
                        "InOrderLineId": None,
                    },
                    "UpdateReportedNumberOfItems": {"ReportedNumberOfItems": quantity},
                }
                for line_id, quantity in reported.items()
            ]
        },
    }


def _in_order_status(received: Any) -> WmsInOrderStatus:
    info = field(received, "InOrderInfo")
    lines = items(field(received, "ReceivedInOrderLines"), "ReceivedInOrderLine")
    return WmsInOrderStatus(
        in_order_id=int(field(info, "InOrderId")),
        number=str(field(info, "GoodsOwnerOrderNumber") or ""),
        status_number=int(field(info, "InOrderStatusNumber")),
        status_text=text(field(info, "InOrderStatusText")),
        supplier=text(field(received, "InOrderSupplier", "SupplierNumber")),
        received_at=timestamp(field(info, "LastReceivedTime")),
        lines=tuple(
            WmsInOrderLineStatus(
                line_id=text(field(line, "ExternalOrderLineCode")),
                article_number=text(field(line, "Article", "ArticleNumber")),
                advised=decimal(field(line, "AdvisedNumberOfItems")) or Decimal(0),
                received=decimal(field(line, "ReceivedNumberOfItems")) or Decimal(0),
                reported=decimal(field(line, "ReportedNumberOfItems"), None),
                line_system_id=field(line, "InOrderLineId"),
            )
            for line in lines
        ),
    )


def in_orders_from_result(result: Any) -> list[WmsInOrderStatus]:
    """Map a GetInOrdersByQuery result (either wrapping level; nothing is an empty list)."""
    listing = field(result, "InOrders") or result
    return [_in_order_status(received) for received in items(listing, "ReceivedInOrder")]
