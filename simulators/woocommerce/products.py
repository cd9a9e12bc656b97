"""Products and variations of the simulated WooCommerce site (callers hold the state's lock)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.woocommerce.records import ApiError, invalid_param

__all__ = ["Catalog"]

_WRITABLE = ("stock_quantity", "manage_stock", "name", "regular_price", "backorders")


class Catalog:
    """Simple and variable products; variations belong to a variable product."""

    def __init__(self, *, next_id: Callable[[], int], times: Callable[[], tuple[str, str]]) -> None:
        self._next_id = next_id
        self._times = times
        self.products: dict[int, dict[str, Any]] = {}
        self.variations: dict[int, dict[str, Any]] = {}

    def _row(
        self, *, sku: str | None, name: str, stock: int | None, manage_stock: bool, **extra: Any
    ) -> dict[str, Any]:
        local, gmt = self._times()
        row = {
            "id": self._next_id(),
            "name": name,
            "sku": sku or "",
            "price": "25.00",
            "regular_price": "25.00",
            "manage_stock": manage_stock,
            "stock_quantity": stock if manage_stock else None,
            "backorders": "no",
            "date_modified": local,
            "date_modified_gmt": gmt,
            "meta_data": [],
            **extra,
        }
        _derive_status(row)
        return row

    def add_product(self, sku: str | None, *, stock: int | None, name: str, manage_stock: bool) -> dict[str, Any]:
        """A simple product."""
        row = self._row(sku=sku, name=name, stock=stock, manage_stock=manage_stock, type="simple", parent_id=0)
        row["variations"] = []
        self.products[row["id"]] = row
        return row

    def add_variation(
        self, parent_sku: str, sku: str, *, stock: int | None, name: str, manage_stock: bool
    ) -> dict[str, Any]:
        """A variation of the variable product `parent_sku` (made on first use)."""
        parent = self.by_sku(parent_sku)
        if parent is None:
            parent = self._row(sku=parent_sku, name=name, stock=None, manage_stock=False, type="variable", parent_id=0)
            parent["variations"] = []
            self.products[parent["id"]] = parent
        row = self._row(sku=sku, name=name, stock=stock, manage_stock=manage_stock, type="variation")
        row["parent_id"] = parent["id"]
        parent["variations"].append(row["id"])
        self.variations[row["id"]] = row
        return row

    def by_sku(self, sku: str) -> dict[str, Any] | None:
        """The product or variation with exactly this SKU."""
        return next((row for row in [*self.products.values(), *self.variations.values()] if row["sku"] == sku), None)

    def listing(self, params: dict[str, str]) -> list[dict[str, Any]]:
        """`GET /products`: `sku` (exact, may match variations, comma list), `include`; sorted by id."""
        if "sku" in params:
            wanted = set(params["sku"].split(","))
            rows = [r for r in [*self.products.values(), *self.variations.values()] if r["sku"] in wanted]
        else:
            rows = list(self.products.values())
        if "include" in params:
            rows = [r for r in rows if str(r["id"]) in params["include"].split(",")]
        return sorted(rows, key=lambda r: r["id"])

    def variations_of(self, parent_id: int, params: dict[str, str]) -> list[dict[str, Any]]:
        """`GET /products/<id>/variations`."""
        parent = self.product(parent_id)
        rows = [self.variations[v] for v in parent["variations"]]
        if "include" in params:
            rows = [r for r in rows if str(r["id"]) in params["include"].split(",")]
        return rows

    def product(self, product_id: int) -> dict[str, Any]:
        """A product, or 404 `woocommerce_rest_product_invalid_id`."""
        row = self.products.get(product_id)
        if row is None:
            raise ApiError(status=404, code="woocommerce_rest_product_invalid_id", message="Invalid ID.")
        return row

    def variation(self, parent_id: int, variation_id: int) -> dict[str, Any]:
        """A variation of this parent, or 404."""
        row = self.variations.get(variation_id)
        if row is None or row["parent_id"] != parent_id:
            raise ApiError(status=404, code="woocommerce_rest_product_variation_invalid_id", message="Invalid ID.")
        return row

    def update(self, row: dict[str, Any], changes: object) -> dict[str, Any]:
        """Apply a PUT body (stock_quantity, manage_stock, name, regular_price, backorders)."""
        if not isinstance(changes, dict):
            raise invalid_param("body", "must be a JSON object")
        quantity = changes.get("stock_quantity", row["stock_quantity"])
        if quantity is not None and (not isinstance(quantity, int) or isinstance(quantity, bool)):
            raise invalid_param("stock_quantity", "stock_quantity is not of type integer.")
        if not isinstance(changes.get("manage_stock", True), bool):
            raise invalid_param("manage_stock", "manage_stock is not of type boolean.")
        for key in _WRITABLE:
            if key in changes:
                row[key] = changes[key]
        row["date_modified"], row["date_modified_gmt"] = self._times()
        _derive_status(row)
        return row


def _derive_status(row: dict[str, Any]) -> None:
    """With managed stock, `stock_status` follows the quantity (no backorders)."""
    if row["manage_stock"]:
        row["stock_status"] = "instock" if (row["stock_quantity"] or 0) > 0 else "outofstock"
    else:
        row.setdefault("stock_status", "instock")
