"""Request bodies of the `/_sim/` control API (msgspec Structs, unknown fields rejected)."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from simulators._control import FaultsBody, FaultSpec

__all__ = [
    "AdjustBody",
    "ArticleBody",
    "FaultSpec",
    "FaultsBody",
    "ForeignInOrderBody",
    "ForeignOrderBody",
    "LineSpec",
    "LinesBody",
    "ReturnBody",
    "ShipBody",
    "StatusBody",
    "WebhookKnobsBody",
    "WebhooksBody",
]


class ArticleBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/articles."""

    number: str
    name: str | None = None
    stock: Decimal = Decimal(0)


class AdjustBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/articles/{number}/adjust."""

    delta: Decimal
    cause: str = "counted"
    comment: str | None = None


class StatusBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/orders/{number}/status."""

    status: int


class LinesBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/orders/{number}/pick and /_sim/in-orders/{number}/receive; no `lines`: everything left."""

    lines: dict[str, Decimal] | None = None


class ShipBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/orders/{number}/ship."""

    way_bill: str | None = None
    tracking_url: str | None = None
    transporter: str | None = None
    transporter_code: str | None = None


class ReturnBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/orders/{number}/return."""

    lines: dict[str, Decimal]
    restock: bool = True


class LineSpec(msgspec.Struct, forbid_unknown_fields=True):
    """One line of a foreign order or purchase order."""

    line_id: str
    article: str
    quantity: Decimal


class ForeignOrderBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/orders: an order the router never sent."""

    number: str
    lines: list[LineSpec]
    order_type: str | None = None


class ForeignInOrderBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/in-orders: a purchase order the router never sent."""

    number: str
    lines: list[LineSpec]
    supplier: str | None = None


class WebhooksBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/webhooks: where to send webhooks."""

    url: str
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    orders: bool = True
    inventory: bool = True


class WebhookKnobsBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /_sim/webhooks/knobs."""

    drop_next: int | None = None
    duplicate_next: int | None = None
    reorder_next: int | None = None
    release_held: bool = False
