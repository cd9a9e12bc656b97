"""Admin endpoints for sources: register, list, read, change, disable."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from router import ledger
from router.api.auth import Rt, require_admin
from router.api.schemas import SourceCreate, SourceCreated, SourceOut, SourcePatch
from router.naming import normalize_suffix
from router.sourcerules import check_source
from router.store.sources import SourceChanges

__all__ = ["SourceController"]


class SourceController(Controller):
    """`/api/sources`: admin only."""

    path = "/api/sources"
    tags = ["sources"]  # noqa: RUF012 - litestar reads it as a class attribute

    @post("/", status_code=HTTP_201_CREATED, summary="Register a source; its API key is returned once")
    async def create(self, request: Request[Any, Any, Any], rt: Rt, data: JSONBody[SourceCreate]) -> SourceCreated:
        """Register a source."""
        await require_admin(request, rt)
        check_source(data.kind, data.settings)
        source, key = await rt.sources.create(
            name=data.name,
            kind=data.kind,
            suffix=normalize_suffix(data.suffix),
            order_type=data.order_type,
            is_article_master=data.is_article_master,
            settings=data.settings,
            credentials=data.credentials,
        )
        await ledger.seed_source(rt.pool, source.id)  # a new shop learns the current stock at once
        return SourceCreated(source=SourceOut.of(source), api_key=str(key))

    @get("/", summary="List sources")
    async def list_sources(self, request: Request[Any, Any, Any], rt: Rt) -> list[SourceOut]:
        """Every source."""
        await require_admin(request, rt)
        return [SourceOut.of(s) for s in await rt.sources.list()]

    @get("/{source:str}", summary="Read a source")
    async def read(self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str]) -> SourceOut:
        """One source."""
        await require_admin(request, rt)
        return SourceOut.of(await rt.sources.get(source))

    @patch("/{source:str}", summary="Change a source (absent fields stay)")
    async def change(
        self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str], data: JSONBody[SourcePatch]
    ) -> SourceOut:
        """Change a source; the suffix is fixed once it has orders."""
        await require_admin(request, rt)
        if data.settings is not msgspec.UNSET or data.kind is not msgspec.UNSET:
            current = await rt.sources.get(source)
            kind = current.kind if data.kind is msgspec.UNSET else data.kind
            check_source(kind, current.settings if data.settings is msgspec.UNSET else data.settings)
        suffix = data.suffix if data.suffix is msgspec.UNSET else normalize_suffix(data.suffix)
        changes = SourceChanges(
            kind=data.kind,
            suffix=suffix,
            order_type=data.order_type,
            is_article_master=data.is_article_master,
            settings=data.settings,
            credentials=data.credentials,
            enabled=data.enabled,
        )
        changed = await rt.sources.change(source, changes)
        if data.enabled is True:
            await ledger.seed_source(rt.pool, changed.id)
        return SourceOut.of(changed)

    @delete("/{source:str}", status_code=200, summary="Disable a source (its orders and history stay)")
    async def disable(self, request: Request[Any, Any, Any], rt: Rt, source: FromPath[str]) -> SourceOut:
        """Disable: its key stops working; nothing is deleted."""
        await require_admin(request, rt)
        return SourceOut.of(await rt.sources.change(source, SourceChanges(enabled=False)))
