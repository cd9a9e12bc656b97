"""Who is calling: the admin key or a source's key (Bearer or X-API-Key), checked in constant time."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.di import NamedDependency

from router.domain import Source
from router.errors import AuthenticationFailed, NotFound
from router.runtime import Runtime

__all__ = ["Principal", "Rt", "authenticate", "require_admin", "require_source"]

Rt = NamedDependency[Runtime]
"""The runtime, injected into handlers as `rt`."""


class Principal(msgspec.Struct, frozen=True):
    """The caller: admin, or one source."""

    is_admin: bool
    source: Source | None = None


def _presented_key(request: Request[Any, Any, Any]) -> str | None:
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key else None


async def authenticate(request: Request[Any, Any, Any], rt: Runtime) -> Principal:
    """Resolve the caller or raise AuthenticationFailed (401)."""
    key = _presented_key(request)
    if not key:
        raise AuthenticationFailed("an API key is required (Authorization: Bearer <key>)")
    if rt.is_admin_key(key):
        return Principal(is_admin=True)
    return Principal(is_admin=False, source=await rt.sources.authenticate(key))


async def require_admin(request: Request[Any, Any, Any], rt: Runtime) -> Principal:
    """Only the admin key; a source key is 404 (admin resources are not revealed to sources)."""
    principal = await authenticate(request, rt)
    if not principal.is_admin:
        raise NotFound("no such resource")
    return principal


async def require_source(request: Request[Any, Any, Any], rt: Runtime, name: str) -> Source:
    """The named source, for the admin or that source's own key; any other source gets 404."""
    principal = await authenticate(request, rt)
    if principal.is_admin:
        return await rt.sources.get(name)
    assert principal.source is not None  # noqa: S101 - non-admin principals always carry a source
    if principal.source.name != name:
        raise NotFound(f"no source named {name!r}")
    return principal.source
