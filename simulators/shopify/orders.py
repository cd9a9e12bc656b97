"""Orders, fulfillment orders and fulfillments of the simulated shop (callers hold the state's lock)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from simulators.shopify.catalog import Catalog
from simulators.shopify.records import ApiError, LineSpec

__all__ = ["CANCEL_REASONS", "OrderBook"]

CANCEL_REASONS = frozenset({"customer", "fraud", "inventory", "declined", "other"})
_OPEN_FO = frozenset({"open", "in_progress"})

DEFAULT_ADDRESS: dict[str, Any] = {
    "first_name": "Anna",
    "last_name": "Svensson",
    "name": "Anna Svensson",
    "company": None,
    "address1": "Storgatan 1",
    "address2": "",
    "zip": "11122",
    "city": "Stockholm",
    "province": None,
    "province_code": None,
    "country": "Sweden",
    "country_code": "SE",
    "phone": "+46701234567",
}


class OrderBook:
    """The shop's orders and their fulfillment model; methods return the changed order (a live dict)."""

    def __init__(self, *, next_id: Callable[[], int], now: Callable[[], str], catalog: Catalog) -> None:
        self._next_id = next_id
        self._now = now
        self._catalog = catalog
        self.orders: dict[int, dict[str, Any]] = {}
        self.fulfillment_orders: dict[int, dict[str, Any]] = {}
        self.fulfillments: dict[int, dict[str, Any]] = {}
        self._next_number = 1001

    def get(self, order_id: int) -> dict[str, Any]:
        """One order, or a 404."""
        order = self.orders.get(order_id)
        if order is None:
            raise ApiError(status=404, errors="Not Found")
        return order

    def create(self, lines: Sequence[LineSpec], **fields: Any) -> dict[str, Any]:
        """A paid, unfulfilled order with one fulfillment order per location of its shipping lines."""
        order_id, number, now = self._next_id(), self._next_number, self._now()
        self._next_number += 1
        items = [self._line_item(spec) for spec in lines]
        subtotal = sum((Decimal(i["price"]) * i["quantity"] for i in items), Decimal(0))
        shipping_lines = fields.pop("shipping_lines", [{"code": "standard", "title": "PostNord", "price": "49.00"}])
        shipping = sum((Decimal(line["price"]) for line in shipping_lines), Decimal(0))
        address = fields.pop("shipping_address", DEFAULT_ADDRESS)
        order: dict[str, Any] = {
            "id": order_id,
            "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
            "name": f"#{number}",
            "order_number": number,
            "email": "kund@example.se",
            "phone": None,
            "created_at": now,
            "updated_at": now,
            "processed_at": now,
            "cancelled_at": None,
            "cancel_reason": None,
            "closed_at": None,
            "currency": "SEK",
            "presentment_currency": fields.get("currency", "SEK"),
            "total_price": f"{subtotal + shipping:.2f}",
            "subtotal_price": f"{subtotal:.2f}",
            "total_tax": "0.00",
            "financial_status": "paid",
            "fulfillment_status": None,
            "test": False,
            "note": None,
            "tags": "",
            "line_items": items,
            "shipping_address": address,
            "billing_address": address,
            "customer": {"id": self._next_id(), "email": "kund@example.se", "phone": None},
            "shipping_lines": shipping_lines,
            "fulfillments": [],
        }
        order.update(fields)
        self.orders[order_id] = order
        by_location: dict[int, list[dict[str, Any]]] = {}
        for spec, item in zip(lines, items, strict=True):
            if spec.requires_shipping:
                by_location.setdefault(spec.location_id or self._catalog.location_ids[0], []).append(item)
        for location, located in by_location.items():
            self._fulfillment_order(order_id, location, located)
        return order

    def _line_item(self, spec: LineSpec) -> dict[str, Any]:
        line_id = self._next_id()
        variant = self._catalog.variant_by_sku(spec.sku)
        return {
            "id": line_id,
            "admin_graphql_api_id": f"gid://shopify/LineItem/{line_id}",
            "variant_id": variant["id"] if variant else None,
            "product_id": variant["product_id"] if variant else None,
            "sku": spec.sku,
            "title": spec.title,
            "variant_title": None,
            "name": spec.title,
            "quantity": spec.quantity,
            "price": spec.price,
            "fulfillable_quantity": spec.quantity if spec.requires_shipping else 0,
            "fulfillment_status": None,
            "requires_shipping": spec.requires_shipping,
            "grams": 500,
        }

    def _fulfillment_order(self, order_id: int, location: int, items: list[dict[str, Any]]) -> None:
        fo_id = self._next_id()
        self.fulfillment_orders[fo_id] = {
            "id": fo_id,
            "order_id": order_id,
            "assigned_location_id": location,
            "request_status": "unsubmitted",
            "status": "open",
            "fulfill_at": None,
            "line_items": [
                {
                    "id": self._next_id(),
                    "fulfillment_order_id": fo_id,
                    "line_item_id": item["id"],
                    "variant_id": item["variant_id"],
                    "quantity": item["quantity"],
                    "fulfillable_quantity": item["quantity"],
                }
                for item in items
            ],
        }

    def fulfillment_orders_of(self, order_id: int) -> list[dict[str, Any]]:
        """`GET orders/{id}/fulfillment_orders.json`."""
        self.get(order_id)
        return [fo for fo in self.fulfillment_orders.values() if fo["order_id"] == order_id]

    def fulfillments_of(self, order_id: int) -> list[dict[str, Any]]:
        """`GET orders/{id}/fulfillments.json`."""
        return list(self.get(order_id)["fulfillments"])

    def fulfil(self, body: object) -> tuple[dict[str, Any], dict[str, Any]]:
        """`POST fulfillments.json`: validate every line first, then apply; returns (fulfillment, order)."""
        request = body.get("fulfillment") if isinstance(body, dict) else None
        groups = request.get("line_items_by_fulfillment_order") if isinstance(request, dict) else None
        if not isinstance(request, dict) or not isinstance(groups, list) or not groups:
            raise ApiError(status=400, errors={"fulfillment": "Required parameter missing or invalid"})
        take = self._validate(groups)
        order_ids = {self.fulfillment_orders[fo_id]["order_id"] for fo_id, _ in take}
        if len(order_ids) != 1:
            raise ApiError(status=422, errors=["All fulfillment orders must belong to the same order"])
        order = self.orders[order_ids.pop()]
        fulfilled: dict[int, int] = {}
        for fo_id, lines in take:
            fo = self.fulfillment_orders[fo_id]
            for line in fo["line_items"]:
                quantity = lines.get(line["id"], 0)
                line["fulfillable_quantity"] -= quantity
                fulfilled[line["line_item_id"]] = fulfilled.get(line["line_item_id"], 0) + quantity
            fo["status"] = (
                "closed" if all(li["fulfillable_quantity"] == 0 for li in fo["line_items"]) else "in_progress"
            )
        return self._record_fulfillment(order, request, fulfilled), order

    def _validate(self, groups: list[object]) -> list[tuple[int, dict[int, int]]]:
        seen: set[int] = set()
        take: list[tuple[int, dict[int, int]]] = []
        for group in groups:
            fo_id = group.get("fulfillment_order_id") if isinstance(group, dict) else None
            fo = self.fulfillment_orders.get(fo_id) if isinstance(fo_id, int) else None
            if fo is None or not isinstance(group, dict) or not isinstance(fo_id, int):
                raise ApiError(status=404, errors="Not Found")
            if fo_id in seen:
                raise ApiError(status=422, errors=[f"Fulfillment order {fo_id} appears more than once"])
            seen.add(fo_id)
            if fo["status"] not in _OPEN_FO:
                raise ApiError(
                    status=422, errors=[f"Fulfillment order {fo_id} has an unfulfillable status= {fo['status']}"]
                )
            lines = self._validate_lines(fo, group.get("fulfillment_order_line_items"))
            if not any(lines.values()):
                raise ApiError(status=422, errors=[f"Fulfillment order {fo_id} has nothing left to fulfil"])
            take.append((fo_id, lines))
        return take

    @staticmethod
    def _validate_lines(fo: dict[str, Any], requested: object) -> dict[int, int]:
        """Fulfillment-order line id to quantity; no list means everything still fulfillable."""
        if requested is None:
            return {li["id"]: li["fulfillable_quantity"] for li in fo["line_items"]}
        if not isinstance(requested, list) or not requested:
            raise ApiError(status=422, errors=["fulfillment_order_line_items must be a non-empty list"])
        by_id = {li["id"]: li for li in fo["line_items"]}
        lines: dict[int, int] = {}
        for entry in requested:
            line_id = entry.get("id") if isinstance(entry, dict) else None
            quantity = entry.get("quantity") if isinstance(entry, dict) else None
            if not isinstance(line_id, int) or line_id not in by_id or line_id in lines:
                raise ApiError(status=422, errors=[f"Invalid fulfillment order line item {line_id}"])
            if not isinstance(quantity, int) or quantity < 1:
                raise ApiError(status=422, errors={"quantity": ["must be a positive integer"]})
            if quantity > by_id[line_id]["fulfillable_quantity"]:
                raise ApiError(status=422, errors=[f"Quantity {quantity} exceeds the fulfillable quantity"])
            lines[line_id] = quantity
        return lines

    def _record_fulfillment(
        self, order: dict[str, Any], request: dict[str, Any], fulfilled: dict[int, int]
    ) -> dict[str, Any]:
        tracking = request.get("tracking_info") or {}
        fulfillment_id, now = self._next_id(), self._now()
        number = tracking.get("number")
        fulfillment = {
            "id": fulfillment_id,
            "order_id": order["id"],
            "name": f"{order['name']}.{len(order['fulfillments']) + 1}",
            "status": "success",
            "created_at": now,
            "updated_at": now,
            "tracking_company": tracking.get("company"),
            "tracking_number": number,
            "tracking_numbers": [number] if number else [],
            "tracking_url": tracking.get("url"),
            "tracking_urls": [tracking["url"]] if tracking.get("url") else [],
            "notify_customer": bool(request.get("notify_customer", False)),
            "line_items": [
                {**item, "quantity": fulfilled[item["id"]]} for item in order["line_items"] if fulfilled.get(item["id"])
            ],
        }
        self.fulfillments[fulfillment_id] = fulfillment
        order["fulfillments"].append(fulfillment)
        for item in order["line_items"]:
            item["fulfillable_quantity"] -= fulfilled.get(item["id"], 0)
            if item["requires_shipping"] and (fulfilled.get(item["id"]) or item["fulfillment_status"]):
                item["fulfillment_status"] = "fulfilled" if item["fulfillable_quantity"] == 0 else "partial"
        shippable = [i for i in order["line_items"] if i["requires_shipping"]]
        done = all(i["fulfillable_quantity"] == 0 for i in shippable)
        order["fulfillment_status"] = "fulfilled" if done else "partial"
        order["updated_at"] = now
        return fulfillment

    def update_tracking(self, fulfillment_id: int, body: object) -> dict[str, Any]:
        """`POST fulfillments/{id}/update_tracking.json`."""
        fulfillment = self.fulfillments.get(fulfillment_id)
        request = body.get("fulfillment") if isinstance(body, dict) else None
        tracking = request.get("tracking_info") if isinstance(request, dict) else None
        if fulfillment is None:
            raise ApiError(status=404, errors="Not Found")
        if not isinstance(tracking, dict):
            raise ApiError(status=400, errors={"fulfillment": "Required parameter missing or invalid"})
        number = tracking.get("number", fulfillment["tracking_number"])
        url = tracking.get("url", fulfillment["tracking_url"])
        fulfillment.update(
            tracking_company=tracking.get("company", fulfillment["tracking_company"]),
            tracking_number=number,
            tracking_numbers=[number] if number else [],
            tracking_url=url,
            tracking_urls=[url] if url else [],
            updated_at=self._now(),
        )
        return fulfillment

    def cancel(self, order_id: int, body: object) -> dict[str, Any]:
        """`POST orders/{id}/cancel.json`: refused once cancelled or fulfilled."""
        order = self.get(order_id)
        reason = body.get("reason", "other") if isinstance(body, dict) else "other"
        if reason not in CANCEL_REASONS:
            raise ApiError(status=422, errors={"reason": ["is not included in the list"]})
        if order["cancelled_at"] is not None:
            raise ApiError(status=422, errors={"base": ["Order has already been cancelled"]})
        if order["fulfillments"]:
            raise ApiError(status=422, errors={"base": ["Cannot cancel an order that has fulfillments"]})
        now = self._now()
        order.update(cancelled_at=now, cancel_reason=reason, closed_at=now, updated_at=now)
        for fo in self.fulfillment_orders_of(order_id):
            fo["status"] = "cancelled"
        return order

    def update(self, order_id: int, body: object) -> dict[str, Any]:
        """`PUT orders/{id}.json`: note, tags, email, phone and shipping_address are writable."""
        order = self.get(order_id)
        changes = body.get("order") if isinstance(body, dict) else None
        if not isinstance(changes, dict):
            raise ApiError(status=400, errors={"order": "Required parameter missing or invalid"})
        for key in ("note", "tags", "email", "phone", "shipping_address"):
            if key in changes:
                order[key] = changes[key]
        order["updated_at"] = self._now()
        return order
