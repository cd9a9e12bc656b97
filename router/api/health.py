"""Liveness, readiness (database and WMS reachable) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Response, get
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from router.api.auth import Rt

__all__ = ["healthz", "metrics", "readyz"]


@get("/healthz", summary="Liveness", tags=["health"])
async def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@get("/readyz", summary="Readiness: database and WMS reachable", tags=["health"])
async def readyz(rt: Rt) -> Response[dict[str, Any]]:
    """503 until the database answers and, when a WMS is configured, the WMS answers too."""
    checks: dict[str, str] = {}
    try:
        with anyio.fail_after(3):
            await rt.pool.fetchval("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"failed: {type(exc).__name__}"
    if rt.wms is not None:
        try:
            with anyio.fail_after(5):
                await rt.wms.ping()
            checks["wms"] = "ok"
        except Exception as exc:
            checks["wms"] = f"failed: {type(exc).__name__}"
    else:
        checks["wms"] = "not configured"
    ready = all(v in {"ok", "not configured"} for v in checks.values())
    return Response({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


@get("/metrics", summary="Prometheus metrics", tags=["health"], media_type=CONTENT_TYPE_LATEST)
async def metrics() -> Response[bytes]:
    """The process's metrics in the Prometheus text format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
