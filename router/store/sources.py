"""Source repository: registration, lookup by API key, changes."""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

import asyncpg
import httpx
import msgspec

from router.crypto import ApiKey, CredentialBox, generate_api_key, hash_secret, parse_api_key, secret_matches
from router.db import transaction, wrap_db_errors
from router.domain import Source
from router.errors import AuthenticationFailed, NotFound, SourceHasOrders, SourceNameTaken, SuffixTaken, UniqueViolation
from router.sql import queries
from router.store.articles import MASTER_CONSTRAINT, ArticleMasterTaken

__all__ = ["SourceChanges", "SourceStore"]

_CONSTRAINT_ERRORS: dict[str, type[Exception]] = {
    "sources_suffix_ci_key": SuffixTaken,
    "sources_name_key": SourceNameTaken,
    MASTER_CONSTRAINT: ArticleMasterTaken,
}


class SourceChanges(msgspec.Struct, frozen=True, kw_only=True):
    """Validated changes to a source; UNSET fields stay as they are."""

    kind: str | msgspec.UnsetType = msgspec.UNSET
    suffix: str | msgspec.UnsetType = msgspec.UNSET
    order_type: str | msgspec.UnsetType = msgspec.UNSET
    is_article_master: bool | msgspec.UnsetType = msgspec.UNSET
    settings: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    credentials: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET
    enabled: bool | msgspec.UnsetType = msgspec.UNSET


def to_source(row: asyncpg.Record) -> Source:
    """A database row as a domain Source (credentials only as set/unset)."""
    return Source(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        suffix=row["suffix"],
        order_type=row["order_type"],
        is_article_master=row["is_article_master"],
        enabled=row["enabled"],
        settings=dict(row["settings"]),
        has_credentials=row["credentials"] is not None,
        created_at=row["created_at"],
    )


def _translate(exc: UniqueViolation) -> Exception:
    cls = _CONSTRAINT_ERRORS.get(exc.constraint or "")
    return cls() if cls else exc


class SourceStore:
    """Sources in PostgreSQL."""

    def __init__(self, pool: asyncpg.Pool, box: CredentialBox) -> None:
        self.pool = pool
        self.box = box
        self._connectors: dict[int, tuple[bytes, object]] = {}

    async def create(
        self,
        *,
        name: str,
        kind: str,
        suffix: str,
        order_type: str,
        is_article_master: bool,
        settings: dict[str, Any],
        credentials: dict[str, Any] | None,
    ) -> tuple[Source, ApiKey]:
        """Register a source; the returned key is shown once and stored only hashed."""
        key = generate_api_key()
        sealed = self.box.seal(credentials) if credentials else None
        try:
            with wrap_db_errors():
                row = await self.pool.fetchrow(
                    queries["insert_source"],
                    name,
                    kind,
                    suffix,
                    order_type,
                    is_article_master,
                    settings,
                    sealed,
                    key.key_id,
                    hash_secret(key.secret),
                )
        except UniqueViolation as exc:
            raise _translate(exc) from exc
        return to_source(row), key

    async def list(self) -> list[Source]:
        """Every source."""
        with wrap_db_errors():
            rows = await self.pool.fetch(queries["list_sources"])
        return [to_source(r) for r in rows]

    async def get(self, name: str) -> Source:
        """One source by name, or NotFound."""
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["get_source_by_name"], name)
        if row is None:
            raise NotFound(f"no source named {name!r}")
        return to_source(row)

    async def get_by_id(self, source_id: int) -> Source:
        """One source by id."""
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["get_source_by_id"], source_id)
        if row is None:
            raise NotFound(f"no source with id {source_id}")
        return to_source(row)

    async def credentials(self, source_id: int) -> dict[str, object]:
        """The decrypted credentials of a source (for its connector only, never for a response)."""
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["get_source_by_id"], source_id)
        if row is None or row["credentials"] is None:
            return {}
        return self.box.open(row["credentials"])

    async def connector(self, source: Source, http: httpx.AsyncClient) -> object:
        """The source's connector, reused while its kind, settings and credentials stay the same.

        Connectors keep what is costly to rebuild per call — a 24SevenOffice session (its logins are
        throttled), an Omnium token, parsed WSDLs, SKU lookups — so every worker of this process shares one
        instance per source; any change to the source builds a fresh one.
        """
        from connectors import ConnectorContext, connector_class  # noqa: PLC0415 - connectors import the domain

        credentials = await self.credentials(source.id)
        fingerprint = hashlib.sha256(
            msgspec.json.encode([source.kind, source.enabled, source.settings, credentials], order="sorted")
        ).digest()
        cached = self._connectors.get(source.id)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        connector: object = connector_class(source.kind)(
            ConnectorContext(source=source, credentials=credentials, http=http)
        )
        self._connectors[source.id] = (fingerprint, connector)
        if cached is not None:
            close = getattr(cached[1], "aclose", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()
        return connector

    async def authenticate(self, presented: str) -> Source:
        """The enabled source a presented API key belongs to; AuthenticationFailed otherwise."""
        key = parse_api_key(presented)
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["get_source_by_key_id"], key.key_id)
        # Compare even when no row matched, so timing does not tell whether the key id exists.
        stored = row["api_key_hash"] if row is not None else b"\0" * 32
        if not secret_matches(key.secret, stored) or row is None or not row["enabled"]:
            raise AuthenticationFailed
        return to_source(row)

    async def change(self, name: str, changes: SourceChanges) -> Source:
        """Apply changes atomically; a suffix is fixed once the source has orders."""
        try:
            async with transaction(self.pool) as conn:
                current = await conn.fetchrow(queries["get_source_by_name"], name)
                if current is None:
                    raise NotFound(f"no source named {name!r}")
                row = await conn.fetchrow(queries["lock_source"], current["id"])
                suffix = row["suffix"] if changes.suffix is msgspec.UNSET else changes.suffix
                if suffix != row["suffix"] and await conn.fetchval(queries["source_has_orders"], row["id"]):
                    raise SourceHasOrders
                if changes.credentials is msgspec.UNSET:
                    sealed = row["credentials"]
                else:
                    sealed = self.box.seal(changes.credentials) if changes.credentials else None

                def pick(value: object, column: str) -> object:
                    return row[column] if value is msgspec.UNSET else value

                updated = await conn.fetchrow(
                    queries["update_source"],
                    row["id"],
                    pick(changes.kind, "kind"),
                    suffix,
                    pick(changes.order_type, "order_type"),
                    pick(changes.is_article_master, "is_article_master"),
                    pick(changes.settings, "settings"),
                    sealed,
                    pick(changes.enabled, "enabled"),
                )
        except UniqueViolation as exc:
            raise _translate(exc) from exc
        return to_source(updated)

    async def set_article_master(self, name: str) -> Source:
        """Make `name` the one article master in one transaction (the old master stops being one).

        Switches are serialised by a transaction-level advisory lock, so concurrent calls each see the one
        before: the last to commit wins and there is never a second master (the partial unique index
        `sources_one_article_master` guarantees it; a violation anyway is ArticleMasterTaken, 409).
        """
        try:
            async with transaction(self.pool) as conn:
                await conn.execute(queries["lock_article_master"])
                if await conn.fetchrow(queries["get_source_by_name"], name) is None:
                    raise NotFound(f"no source named {name!r}")
                await conn.execute(queries["clear_article_master"], name)
                row = await conn.fetchrow(queries["set_article_master"], name)
        except UniqueViolation as exc:
            raise _translate(exc) from exc
        return to_source(row)
