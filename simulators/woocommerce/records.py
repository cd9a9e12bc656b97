"""Records of the WooCommerce simulator: requests, webhook deliveries, line specs, REST errors, times."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["ApiError", "DeliveryAttempt", "LineSpec", "RecordedRequest", "invalid_param", "wc_times"]


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """One REST request as the simulator saw it: the consumer key and secret are never kept."""

    method: str
    path: str
    route: str
    query: dict[str, str]
    body: object
    status: int
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class DeliveryAttempt:
    """One webhook delivery (or ping), or a knob's decision not to send it."""

    webhook_id: int
    topic: str
    resource_id: int | None
    delivery_id: str
    outcome: str  # "delivered", "failed", "dropped", "disabled", "ping ok", "ping failed"
    status: int | None
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class LineSpec:
    """A line of an order made through the simulator's API."""

    sku: str | None
    quantity: int
    price: float = 25.0
    name: str = "Article"


@dataclass(kw_only=True)
class ApiError(Exception):
    """A WordPress REST error: `{"code", "message", "data": {"status"}}`."""

    status: int
    code: str
    message: str
    params: dict[str, str] | None = field(default=None)

    def payload(self) -> dict[str, object]:
        """The JSON body."""
        data: dict[str, object] = {"status": self.status}
        if self.params:
            data["params"] = self.params
        return {"code": self.code, "message": self.message, "data": data}


def invalid_param(name: str, why: str) -> ApiError:
    """400 `rest_invalid_param`."""
    return ApiError(status=400, code="rest_invalid_param", message=f"Invalid parameter(s): {name}", params={name: why})


def wc_times(moment: dt.datetime, zone: dt.tzinfo) -> tuple[str, str]:
    """(site-local, GMT) timestamps as WooCommerce writes them: whole seconds, no offset, no `Z`."""
    local = moment.astimezone(zone).replace(microsecond=0, tzinfo=None).isoformat()
    gmt = moment.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat()
    return local, gmt
