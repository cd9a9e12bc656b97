"""Typed settings per concern, read once from the environment (ROUTER_*)."""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path
from typing import Literal


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"ROUTER_{name}")
    return value if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    return float(_env(name) or default)


def _int(name: str, default: int) -> int:
    return int(_env(name) or default)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DatabaseSettings:
    """Where the router keeps its state."""

    url: str | None = None
    """libpq URL of the PostgreSQL server; None starts the embedded server under `data_dir`."""
    data_dir: Path = Path(".data")
    """Directory for the embedded PostgreSQL and generated secrets."""
    pool_min: int = 2
    """Smallest number of pooled connections."""
    pool_max: int = 10
    """Largest number of pooled connections."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class HttpSettings:
    """The API server."""

    host: str = "127.0.0.1"
    """Address to listen on."""
    port: int = 8080
    """Port to listen on (0 picks a free one)."""
    max_body_bytes: int = 1_048_576
    """Largest request body accepted; larger ones get 413."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class SecuritySettings:
    """Keys for the admin API and for credentials at rest."""

    admin_key: str | None = None
    """The admin API key; the embedded default generates one into the data directory."""
    secret_key: str | None = None
    """Fernet key encrypting upstream credentials; the embedded default generates one."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class WmsSettings:
    """The single Ongoing WMS goods owner every source feeds."""

    url: str | None = None
    """Service endpoint, e.g. https://api.ongoingsystems.se/{warehouse}/service.asmx; None runs no dispatcher."""
    username: str = ""
    """API user (WSI...)."""
    password: str = ""
    """API password."""
    goods_owner_code: str = ""
    """The goods owner every source's orders go into."""
    timeout: float = 30.0
    """Seconds before a SOAP call counts as timed out (outcome unknown)."""
    create_operation: str = "CreateOrUpdate"
    """OrderOperation for new orders: CreateOrUpdate (idempotent upsert) or Create."""
    strict_xml: bool = False
    """Reject response elements the WSDL lacks (tests: True; live service has grown since 2017)."""
    frozen_from_status: int = 300
    """From this WMS status on an order can no longer be changed or cancelled (Released, by default)."""
    unknown_article: Literal["wait", "dead_letter"] = "wait"
    """An order for an article the WMS lacks: `wait` until the article exists, or `dead_letter` it at once."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class OutboxSettings:
    """Delivery of outbox rows: leases, retries, dead letters."""

    max_attempts: int = 10
    """Attempts before a transient failure becomes a dead letter."""
    backoff_base: float = 1.0
    """First retry waits up to this many seconds (full jitter)."""
    backoff_cap: float = 300.0
    """No retry waits longer than this."""
    lease_seconds: float = 120.0
    """A claimed row is another worker's again after this long (or at once if its holder's session died)."""
    sweep_seconds: float = 5.0
    """Workers look for due rows at least this often, even without a notification."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class FanbackSettings:
    """Reading WMS changes and delivering events to the owning source."""

    poll_seconds: float = 30.0
    """How often the WMS lane reads orders changed since its cursor (the backstop for lost webhooks)."""
    overlap_seconds: float = 120.0
    """Each read starts this far before the cursor (clock skew, late commits); duplicates are ignored."""
    reconcile_every: int = 10
    """Every Nth poll also reads every order with lines still to report (repairs what both paths missed)."""
    shipped_from_status: int = 450
    """WMS status from which an order counts as shipped (Ongoing's standard 450 Sent)."""
    webhook_secret: str | None = None
    """Value the WMS webhook must send in `X-Webhook-Secret`; None refuses every WMS webhook."""
    delivery_concurrency: int = 4
    """Event deliveries in flight per process (events of one order are always delivered in order)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class LedgerSettings:
    """The reservation ledger's stock reads and the stock push to sources (reservations are always kept)."""

    sync_enabled: bool = False
    """Read stock from the WMS and push targets to sources (on for `router serve` unless ROUTER_LEDGER_SYNC=false)."""
    full_sync_seconds: float = 900.0
    """How often the WMS lane reads every article's stock (GetInventoryByQuery, paged)."""
    delta_sync_seconds: float = 60.0
    """How often it reads only the articles whose stock changed since the last read (minus the overlap)."""
    delta_overlap_seconds: float = 120.0
    """Each delta read starts this far before the previous one (clock skew, late commits)."""
    page_size: int = 500
    """Articles per page of a full read."""
    settle_skew_seconds: float = 2.0
    """A placed reservation settles only on a read that started at least this long after the WMS confirmed it."""
    push_concurrency: int = 2
    """Stock pushes in flight per process (pushes to one source are serialised across processes)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    """All settings."""

    database: DatabaseSettings
    http: HttpSettings
    security: SecuritySettings
    wms: WmsSettings
    outbox: OutboxSettings
    fanback: FanbackSettings = dataclasses.field(default_factory=FanbackSettings)
    ledger: LedgerSettings = dataclasses.field(default_factory=LedgerSettings)
    log_level: str = "info"
    run_workers: bool = True

    @classmethod
    def from_env(cls) -> Settings:
        """Read every ROUTER_* variable once."""
        return cls(
            database=DatabaseSettings(
                url=_env("DATABASE_URL"),
                data_dir=Path(_env("DATA_DIR", ".data") or ".data"),
                pool_min=_int("DB_POOL_MIN", 2),
                pool_max=_int("DB_POOL_MAX", 10),
            ),
            http=HttpSettings(
                host=_env("HOST", "127.0.0.1") or "127.0.0.1",
                port=_int("PORT", 8080),
                max_body_bytes=_int("MAX_BODY_BYTES", 1_048_576),
            ),
            security=SecuritySettings(admin_key=_env("ADMIN_KEY"), secret_key=_env("SECRET_KEY")),
            wms=WmsSettings(
                url=_env("WMS_URL"),
                username=_env("WMS_USERNAME", "") or "",
                password=_env("WMS_PASSWORD", "") or "",
                goods_owner_code=_env("WMS_GOODS_OWNER", "") or "",
                timeout=_float("WMS_TIMEOUT", 30.0),
                create_operation=_env("WMS_CREATE_OPERATION", "CreateOrUpdate") or "CreateOrUpdate",
                strict_xml=(_env("WMS_STRICT_XML", "false") or "false").lower() in {"1", "true", "yes"},
                frozen_from_status=_int("WMS_FROZEN_FROM_STATUS", 300),
                unknown_article=_unknown_article(_env("WMS_UNKNOWN_ARTICLE", "wait") or "wait"),
            ),
            outbox=OutboxSettings(
                max_attempts=_int("OUTBOX_MAX_ATTEMPTS", 10),
                backoff_base=_float("OUTBOX_BACKOFF_BASE", 1.0),
                backoff_cap=_float("OUTBOX_BACKOFF_CAP", 300.0),
                lease_seconds=_float("OUTBOX_LEASE_SECONDS", 120.0),
                sweep_seconds=_float("OUTBOX_SWEEP_SECONDS", 5.0),
            ),
            fanback=FanbackSettings(
                poll_seconds=_float("FANBACK_POLL_SECONDS", 30.0),
                overlap_seconds=_float("FANBACK_OVERLAP_SECONDS", 120.0),
                reconcile_every=_int("FANBACK_RECONCILE_EVERY", 10),
                shipped_from_status=_int("FANBACK_SHIPPED_FROM_STATUS", 450),
                webhook_secret=_env("WMS_WEBHOOK_SECRET"),
                delivery_concurrency=_int("DELIVERY_CONCURRENCY", 4),
            ),
            ledger=LedgerSettings(
                sync_enabled=(_env("LEDGER_SYNC", "true") or "true").lower() in {"1", "true", "yes"},
                full_sync_seconds=_float("LEDGER_FULL_SYNC_SECONDS", 900.0),
                delta_sync_seconds=_float("LEDGER_DELTA_SYNC_SECONDS", 60.0),
                delta_overlap_seconds=_float("LEDGER_DELTA_OVERLAP_SECONDS", 120.0),
                page_size=_int("LEDGER_PAGE_SIZE", 500),
                settle_skew_seconds=_float("LEDGER_SETTLE_SKEW_SECONDS", 2.0),
                push_concurrency=_int("LEDGER_PUSH_CONCURRENCY", 2),
            ),
            log_level=_env("LOG_LEVEL", "info") or "info",
            run_workers=(_env("RUN_WORKERS", "true") or "true").lower() in {"1", "true", "yes"},
        )


def _unknown_article(value: str) -> Literal["wait", "dead_letter"]:
    if value == "wait":
        return "wait"
    if value == "dead_letter":
        return "dead_letter"
    msg = f"ROUTER_WMS_UNKNOWN_ARTICLE must be wait or dead_letter, not {value!r}"
    raise ValueError(msg)


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings.from_env()
