"""Products, variants, locations and inventory levels of the simulated shop (callers hold the lock)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.shopify.records import ApiError

__all__ = ["Catalog"]

_MAX_LEVEL_ITEMS = 50


class Catalog:
    """The shop's catalogue; every method expects the state's lock to be held."""

    def __init__(self, *, next_id: Callable[[], int], now: Callable[[], str], location_ids: list[int]) -> None:
        self._next_id = next_id
        self._now = now
        self.location_ids = location_ids
        self.products: dict[int, dict[str, Any]] = {}
        self.variants: dict[int, dict[str, Any]] = {}
        self.tracked: dict[int, bool] = {}  # inventory item id -> tracked
        self.levels: dict[tuple[int, int], dict[str, Any]] = {}  # (item, location) -> level

    def add_product(self, sku: str | None, *, available: int, title: str, tracked: bool) -> dict[str, Any]:
        """A product with one variant whose inventory item sits at the first location."""
        product_id, variant_id, item_id = self._next_id(), self._next_id(), self._next_id()
        now = self._now()
        variant = {
            "id": variant_id,
            "product_id": product_id,
            "title": "Default Title",
            "sku": sku,
            "price": "100.00",
            "inventory_item_id": item_id,
            "inventory_management": "shopify" if tracked else None,
            "inventory_quantity": available,
            "requires_shipping": True,
            "created_at": now,
            "updated_at": now,
            "admin_graphql_api_id": f"gid://shopify/ProductVariant/{variant_id}",
        }
        product = {
            "id": product_id,
            "title": title,
            "status": "active",
            "created_at": now,
            "updated_at": now,
            "variants": [variant],
            "admin_graphql_api_id": f"gid://shopify/Product/{product_id}",
        }
        self.products[product_id] = product
        self.variants[variant_id] = variant
        self.tracked[item_id] = tracked
        self._level(item_id, self.location_ids[0])["available"] = available
        return variant

    def variant_by_sku(self, sku: str | None) -> dict[str, Any] | None:
        """The first variant with this SKU."""
        if not sku:
            return None
        return next((v for v in self.variants.values() if v["sku"] == sku), None)

    def available(self, sku: str, location_id: int | None = None) -> int | None:
        """The `available` quantity of a SKU at a location (default: the first)."""
        variant = self.variant_by_sku(sku)
        if variant is None:
            return None
        level = self.levels.get((variant["inventory_item_id"], location_id or self.location_ids[0]))
        return None if level is None else level["available"]

    def products_page(self, after: int, limit: int) -> list[dict[str, Any]]:
        """Products with an id above `after`, lowest first."""
        return [self.products[pid] for pid in sorted(self.products) if pid > after][:limit]

    def levels_for(self, item_ids: list[int], location_ids: list[int]) -> list[dict[str, Any]]:
        """`GET inventory_levels.json`: at least one filter; at most 50 items."""
        if not item_ids and not location_ids:
            raise ApiError(status=422, errors="inventory_item_ids or location_ids is required")
        if len(item_ids) > _MAX_LEVEL_ITEMS:
            raise ApiError(status=422, errors={"inventory_item_ids": ["must have at most 50 ids"]})
        return [
            dict(level)
            for (item, location), level in sorted(self.levels.items())
            if (not item_ids or item in item_ids) and (not location_ids or location in location_ids)
        ]

    def set_level(self, body: object) -> dict[str, Any]:
        """`POST inventory_levels/set.json`: connects the item at the location if needed."""
        if not isinstance(body, dict):
            raise ApiError(status=400, errors={"inventory_level": "Required parameter missing or invalid"})
        item, location, available = body.get("inventory_item_id"), body.get("location_id"), body.get("available")
        for name, value in (("inventory_item_id", item), ("location_id", location), ("available", available)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise ApiError(status=422, errors={name: ["is missing or not an integer"]})
        if item not in self.tracked:
            raise ApiError(status=404, errors="Not Found")
        if location not in self.location_ids:
            raise ApiError(status=422, errors={"location_id": ["Location does not exist"]})
        if not self.tracked[item]:
            raise ApiError(status=422, errors=["Inventory item does not have inventory tracking enabled"])
        level = self._level(item, location)
        level["available"], level["updated_at"] = available, self._now()
        for variant in self.variants.values():
            if variant["inventory_item_id"] == item:
                variant["inventory_quantity"] = sum(
                    lvl["available"] or 0 for (i, _), lvl in self.levels.items() if i == item
                )
        return dict(level)

    def _level(self, item: int, location: int) -> dict[str, Any]:
        return self.levels.setdefault(
            (item, location),
            {
                "inventory_item_id": item,
                "location_id": location,
                "available": None,
                "updated_at": self._now(),
                "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{item}?inventory_item_id={item}",
            },
        )
