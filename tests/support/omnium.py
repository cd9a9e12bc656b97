"""Omnium in tests: the connector's test secrets, and an order document with one line per shipment."""

from __future__ import annotations

from typing import Any

SECRET = "cs-Omn1um-never-in-logs"
EVENT_KEY = "ek-hook-Zz9"


def order_doc(order_id: str, *, shipments: int = 2, status: str = "New", **fields: Any) -> dict[str, Any]:
    """An order with `shipments` shipments to Oslo; shipment n carries line n (SKU-n, quantity n + 1), plus `fields`."""
    lines = [
        {"lineItemId": str(n), "code": f"SKU-{n}", "quantity": n + 1, "placedPrice": 100, "taxRate": 25}
        for n in range(1, shipments + 1)
    ]
    address = {"name": "Ola Nordmann", "line1": "Storgata 1", "postalCode": "0155", "city": "Oslo", "countryCode": "NO"}
    return {
        "id": order_id,
        "orderNumber": order_id,
        "status": status,
        "customerEmail": "ola@example.com",
        "billingCurrency": "NOK",
        "orderForm": {
            "lineItems": lines,
            "shipments": [
                {"shipmentId": str(n), "address": address, "lineItems": [lines[n - 1]], "shippingMethodName": "Bring"}
                for n in range(1, shipments + 1)
            ],
            "shippingTotal": 79,
        },
        **fields,
    }
