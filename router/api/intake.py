"""What every push endpoint checks before it stores anything: who may push, that the source is on, the size."""

from __future__ import annotations

from typing import Any

from litestar import Request

from router.api.auth import require_source
from router.domain import Source
from router.errors import PayloadTooLarge, SourceDisabled
from router.runtime import Runtime

__all__ = ["pushed_body", "read_body"]


async def read_body(request: Request[Any, Any, Any], limit: int) -> bytes:
    """The raw request body, or 413 when it is larger than `limit` bytes."""
    body = await request.body()
    if len(body) > limit:
        raise PayloadTooLarge
    return body


async def pushed_body(request: Request[Any, Any, Any], rt: Runtime, name: str) -> tuple[Source, bytes]:
    """The enabled source `name` (its own key or the admin's) and the raw body it pushes."""
    owner = await require_source(request, rt, name)
    if not owner.enabled:
        raise SourceDisabled
    return owner, await read_body(request, rt.settings.http.max_body_bytes)
