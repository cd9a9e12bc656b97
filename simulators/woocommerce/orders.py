"""Orders and order notes of the simulated WooCommerce site (callers hold the state's lock)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from simulators.woocommerce.products import Catalog
from simulators.woocommerce.records import ApiError, LineSpec, invalid_param

__all__ = ["STATUSES", "OrderBook"]

STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "trash",
    "checkout-draft",
)
_DATE_PARAMS = {
    "after": "date_created",
    "before": "date_created",
    "modified_after": "date_modified",
    "modified_before": "date_modified",
}
_ORDERBY = {"date": "date_created_gmt", "id": "id", "include": "id", "title": "id", "slug": "id"}

ADDRESS: dict[str, str] = {
    "first_name": "Erika",
    "last_name": "Mustermann",
    "company": "",
    "address_1": "Hauptstraße 5",
    "address_2": "",
    "city": "Berlin",
    "state": "",
    "postcode": "10115",
    "country": "DE",
    "phone": "+4930123456",
}


class OrderBook:
    """Orders by id; every change bumps `date_modified`."""

    def __init__(self, *, next_id: Callable[[], int], times: Callable[[], tuple[str, str]], catalog: Catalog) -> None:
        self._next_id = next_id
        self._times = times
        self._catalog = catalog
        self.orders: dict[int, dict[str, Any]] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}

    def get(self, order_id: int) -> dict[str, Any]:
        """An order, or 404 `woocommerce_rest_shop_order_invalid_id`."""
        order = self.orders.get(order_id)
        if order is None:
            raise ApiError(status=404, code="woocommerce_rest_shop_order_invalid_id", message="Invalid ID.")
        return order

    def create(self, lines: Sequence[LineSpec], *, status: str = "processing", **fields: Any) -> dict[str, Any]:
        """An order as a checkout makes it."""
        order_id = self._next_id()
        local, gmt = self._times()
        items: list[dict[str, Any]] = []
        for spec in lines:
            product = self._catalog.by_sku(spec.sku) if spec.sku else None
            is_variation = product is not None and product["type"] == "variation"
            total = f"{spec.price * spec.quantity:.2f}"
            items.append(
                {
                    "id": self._next_id(),
                    "name": spec.name,
                    "product_id": (product["parent_id"] if is_variation else product["id"]) if product else 0,
                    "variation_id": product["id"] if product and is_variation else 0,
                    "quantity": spec.quantity,
                    "tax_class": "",
                    "subtotal": total,
                    "subtotal_tax": "0.00",
                    "total": total,
                    "total_tax": "0.00",
                    "taxes": [],
                    "meta_data": [],
                    "sku": spec.sku or "",
                    "price": spec.price,
                }
            )
        shipping = fields.pop("shipping", dict(ADDRESS))
        billing = fields.pop("billing", {**ADDRESS, "email": "kunde@example.de"})
        shipping_lines = fields.pop(
            "shipping_lines",
            [{"id": self._next_id(), "method_title": "DHL", "method_id": "flat_rate", "total": "4.90"}],
        )
        subtotal = sum(spec.price * spec.quantity for spec in lines)
        freight = sum(float(line["total"]) for line in shipping_lines)
        order: dict[str, Any] = {
            "id": order_id,
            "parent_id": 0,
            "number": str(order_id),
            "order_key": f"wc_order_{secrets.token_hex(6)}",
            "created_via": "checkout",
            "status": status,
            "currency": "EUR",
            "date_created": local,
            "date_created_gmt": gmt,
            "date_modified": local,
            "date_modified_gmt": gmt,
            "date_paid": local,
            "date_paid_gmt": gmt,
            "date_completed": None,
            "date_completed_gmt": None,
            "discount_total": "0.00",
            "shipping_total": f"{freight:.2f}",
            "total": f"{subtotal + freight:.2f}",
            "total_tax": "0.00",
            "prices_include_tax": False,
            "customer_id": 0,
            "customer_note": "",
            "billing": billing,
            "shipping": shipping,
            "payment_method": "stripe",
            "payment_method_title": "Credit card",
            "transaction_id": "",
            "meta_data": [],
            "line_items": items,
            "tax_lines": [],
            "shipping_lines": shipping_lines,
            "fee_lines": [],
            "coupon_lines": [],
            "refunds": [],
        }
        order.update(fields)
        self.orders[order_id] = order
        self.notes[order_id] = []
        return order

    def update(self, order_id: int, changes: object) -> dict[str, Any]:
        """`PUT /orders/<id>`: status (validated), meta_data (upsert by id, else by key), notes, addresses."""
        order = self.get(order_id)
        if not isinstance(changes, dict):
            raise invalid_param("body", "must be a JSON object")
        status = changes.get("status")
        if status is not None and status not in STATUSES:
            raise invalid_param("status", f"status is not one of {', '.join(STATUSES)}.")
        meta = changes.get("meta_data", [])
        if not isinstance(meta, list) or not all(isinstance(m, dict) and "key" in m for m in meta):
            raise invalid_param("meta_data", "meta_data is not a list of {key, value} objects.")
        for entry in meta:
            self._upsert_meta(order, entry)
        for key in ("customer_note", "billing", "shipping"):
            if key in changes:
                order[key] = changes[key]
        local, gmt = self._times()
        if status is not None:
            order["status"] = status
            if status == "completed" and order["date_completed"] is None:
                order["date_completed"], order["date_completed_gmt"] = local, gmt
        order["date_modified"], order["date_modified_gmt"] = local, gmt
        return order

    def _upsert_meta(self, order: dict[str, Any], entry: dict[str, Any]) -> None:
        existing = order["meta_data"]
        target = next((m for m in existing if "id" in entry and m["id"] == entry["id"]), None)
        target = target or next((m for m in existing if m["key"] == entry["key"]), None)
        if target is None:
            existing.append({"id": self._next_id(), "key": entry["key"], "value": entry.get("value")})
        else:
            target["value"] = entry.get("value")

    def add_note(self, order_id: int, body: object) -> dict[str, Any]:
        """`POST /orders/<id>/notes`."""
        self.get(order_id)
        note = body.get("note") if isinstance(body, dict) else None
        if not isinstance(note, str) or not note:
            raise ApiError(status=400, code="rest_missing_callback_param", message="Missing parameter(s): note")
        local, gmt = self._times()
        row = {
            "id": self._next_id(),
            "author": "WooCommerce",
            "date_created": local,
            "date_created_gmt": gmt,
            "note": note,
            "customer_note": bool(isinstance(body, dict) and body.get("customer_note", False)),
        }
        self.notes[order_id].append(row)
        return row

    def listing(self, params: dict[str, str]) -> list[dict[str, Any]]:
        """`GET /orders` filters and sort (before paging)."""
        statuses = [s for s in params.get("status", "any").split(",") if s]
        unknown = [s for s in statuses if s != "any" and s not in STATUSES]
        if unknown:
            raise invalid_param("status", f"status[0] is not one of any, {', '.join(STATUSES)}.")
        rows = [o for o in self.orders.values() if "any" in statuses or o["status"] in statuses]
        gmt = params.get("dates_are_gmt", "false") in {"true", "1"}
        for name, field in _DATE_PARAMS.items():
            if name in params:
                bound = _moment(params[name], name, gmt=gmt)
                column = f"{field}_gmt" if gmt else field
                after = name.endswith("after")
                rows = [o for o in rows if (o[column] > bound if after else o[column] < bound)]
        if "include" in params:
            rows = [o for o in rows if str(o["id"]) in params["include"].split(",")]
        if "search" in params:
            needle = params["search"].lower()
            rows = [o for o in rows if needle in o["number"].lower() or needle in str(o["billing"]).lower()]
        orderby = params.get("orderby", "date")
        if orderby not in _ORDERBY:
            raise invalid_param("orderby", f"orderby is not one of {', '.join(_ORDERBY)}.")
        descending = params.get("order", "desc") == "desc"
        return sorted(rows, key=lambda o: (o[_ORDERBY[orderby]], o["id"]), reverse=descending)


def _moment(value: str, name: str, *, gmt: bool) -> str:
    """A filter bound as the comparable `YYYY-MM-DDTHH:MM:SS` string (offsets converted when GMT)."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise invalid_param(name, f"{name} is not a valid date.") from None
    if moment.tzinfo is not None and gmt:
        moment = moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=None, microsecond=0).isoformat()
