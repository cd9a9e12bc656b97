"""The running router's shared parts: database (embedded or configured), keys, stores and workers."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import sys
from collections.abc import AsyncIterator
from typing import Any

import anyio
import asyncpg
import httpx
import structlog

from router import migrate
from router.crypto import CredentialBox, read_or_create_secret
from router.db import create_pool
from router.errors import RouterError
from router.ingest import Ingestor
from router.outbox import Outbox, wms_lane
from router.pg import start_embedded
from router.settings import Settings
from router.store.inbox import InboxStore
from router.store.orders import OrderStore
from router.store.sources import SourceStore
from router.wms.client import WmsClient

__all__ = ["Runtime"]

log = structlog.get_logger(__name__)


class Runtime:
    """Everything a router process shares between its API and its workers."""

    def __init__(
        self,
        *,
        settings: Settings,
        dsn: str,
        pool: asyncpg.Pool,
        box: CredentialBox,
        admin_hash: bytes,
        http: httpx.AsyncClient,
    ) -> None:
        self.settings = settings
        self.dsn = dsn
        self.pool = pool
        self.box = box
        self._admin_hash = admin_hash
        self.admin_key_tag = hashlib.sha256(b"router-admin-session:" + admin_hash).digest()
        """Names the current admin key in admin sessions (not its hash): a new key ends the old sessions."""
        self.sources = SourceStore(pool, box)
        self.inbox = InboxStore(pool)
        self.orders = OrderStore(pool)
        self.outbox = Outbox(pool)
        self.wms_lane = wms_lane(settings.wms.goods_owner_code or "default")
        self.ingestor = Ingestor(pool, wms_lane=self.wms_lane)
        self.wms: WmsClient | None = None
        self.http = http  # shared by connectors (connection pooling); they set URLs, headers and auth per call

    def is_admin_key(self, presented: str) -> bool:
        """Constant-time check of the admin key."""
        return hmac.compare_digest(hashlib.sha256(presented.encode()).digest(), self._admin_hash)

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, settings: Settings, *, migrate_first: bool = True) -> AsyncIterator[Runtime]:
        """Find or start the database, migrate it, open the pool; close everything on exit."""
        server: Any = None
        if settings.database.url is None:
            dsn, server = await anyio.to_thread.run_sync(start_embedded, settings.database.data_dir)
            log.info("database.embedded", data_dir=str(settings.database.data_dir))
        else:
            dsn = settings.database.url
        admin_hash, secret_key = _keys(settings)
        if migrate_first:
            await anyio.to_thread.run_sync(migrate.upgrade, dsn)
        pool = await create_pool(dsn, min_size=settings.database.pool_min, max_size=settings.database.pool_max)
        http = httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0), follow_redirects=False)
        try:
            yield cls(
                settings=settings, dsn=dsn, pool=pool, box=CredentialBox(secret_key), admin_hash=admin_hash, http=http
            )
        finally:
            await http.aclose()
            await pool.close()
            del server  # the embedded server stays up for other processes; pgserver stops it when unused


def _keys(settings: Settings) -> tuple[bytes, str]:
    """The admin key's hash and the credential key; generated into the data directory when embedded."""
    security, data_dir = settings.security, settings.database.data_dir
    embedded = settings.database.url is None
    if security.admin_key:
        admin_hash = hashlib.sha256(security.admin_key.encode()).digest()
    elif embedded:
        admin_hash = _generated_admin_hash(data_dir / "admin.key.sha256")
    else:
        msg = "ROUTER_ADMIN_KEY must be set when ROUTER_DATABASE_URL is (every process needs the same key)"
        raise RouterError(msg)
    if security.secret_key:
        secret_key = security.secret_key
    elif embedded:
        secret_key, _ = read_or_create_secret(data_dir / "secret.key", CredentialBox)
    else:
        msg = "ROUTER_SECRET_KEY must be set when ROUTER_DATABASE_URL is (it decrypts stored credentials)"
        raise RouterError(msg)
    return admin_hash, secret_key


def _generated_admin_hash(path: Any) -> bytes:
    """Create an admin key on first start, print it once, keep only its hash."""
    import secrets  # noqa: PLC0415

    if path.exists():
        return bytes.fromhex(path.read_text(encoding="utf-8").strip())
    key = "adm_" + secrets.token_urlsafe(32)
    digest = hashlib.sha256(key.encode()).digest()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(digest.hex() + "\n", encoding="utf-8")
    sys.stderr.write(
        f"\n  Admin API key (shown once; only its hash is kept in {path}):\n\n    {key}\n\n"
        "  Set ROUTER_ADMIN_KEY to choose your own instead.\n\n"
    )
    return digest
