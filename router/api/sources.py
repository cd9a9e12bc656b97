"""Admin endpoints for sources: register, list, read, change, disable."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from connectors import connector_class
from router import ledger
from router.api.auth import Rt, require_admin
from router.api.schemas import SourceCreate, SourceCreated, SourceOut, SourcePatch
from router.errors import InputError
from router.naming import normalize_suffix, validate_template
from router.store.sources import SourceChanges

__all__ = ["SourceController"]

_MAX_BUFFER = 999_999_999
"""The largest stock buffer the ledger reads from settings (nine digits)."""


def _check_settings(settings: dict[str, Any]) -> None:
    template = settings.get("order_number_template")
    if template is not None:
        validate_template(str(template))
    buffer = settings.get("stock_buffer")
    if buffer is not None and (type(buffer) is not int or not 0 <= buffer <= _MAX_BUFFER):
        raise InputError(f"stock_buffer must be a whole number from 0 to {_MAX_BUFFER}", field="settings.stock_buffer")
    policy = settings.get("shortage_policy")
    if policy is not None and policy not in {"hold", "send"}:
        raise InputError("shortage_policy must be 'hold' or 'send'", field="settings.shortage_policy")


class SourceController(Controller):
    """`/api/sources`: admin only."""

    path = "/api/sources"
    tags = ["sources"]  # noqa: RUF012 - litestar reads it as a class attribute

    @post("/", status_code=HTTP_201_CREATED, summary="Register a source; its API key is returned once")
    async def create(self, request: Request[Any, Any, Any], rt: Rt, data: JSONBody[SourceCreate]) -> SourceCreated:
        """Register a source."""
        await require_admin(request, rt)
        connector_class(data.kind)
        _check_settings(data.settings)
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
        if data.kind is not msgspec.UNSET:
            connector_class(data.kind)
        if data.settings is not msgspec.UNSET:
            _check_settings(data.settings)
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
