"""Article master data: only the master source's updates reach the WMS; orders wait for articles it lacks."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

import asyncpg
import msgspec
import structlog

from connectors.base import decode_error_to_input_error
from router.db import transaction, wrap_db_errors
from router.domain import ArticleUpdate, CanonicalOrder, Ignored, InboxState, RoutedOrder, Source, SourceCancellation
from router.errors import FatalUpstreamError, InputError, RetriableUpstreamError, UpstreamError
from router.lane import Periodic
from router.naming import validate_article_number, validate_country_code
from router.outbox import Job, Outbox, Priority, enqueue, wms_lane
from router.sql import queries
from router.store.inbox import InboxStore

if TYPE_CHECKING:
    from router.settings import OutboxSettings, WmsSettings
    from router.wms.client import WmsClient

__all__ = [
    "CHANNEL",
    "FEED_CHANNEL",
    "NOT_MASTER",
    "ArticleAccepted",
    "ArticleIn",
    "ArticleWorker",
    "accept",
    "decode_article",
    "from_connector",
]

log = structlog.get_logger(__name__)

CHANNEL = "articles"
"""The inbox channel of `POST /api/sources/{source}/articles`: the generic article JSON, whatever the source's kind."""
FEED_CHANNEL = "article_feed"
"""The inbox channel of article documents a platform connector reads itself (its `normalize` gives ArticleUpdate)."""
NOT_MASTER = "not master"

Text = Annotated[str, msgspec.Meta(max_length=1000)]
Short = Annotated[str, msgspec.Meta(max_length=100)]
_MAX_MEASURE = Decimal(1_000_000)
_encoder = msgspec.json.Encoder()  # decimals as strings: converted back exactly


class ArticleIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Wire model of the generic article update (`POST /api/sources/{source}/articles`)."""

    article_number: str
    name: Text | None = None
    description: Text | None = None
    product_code: Short | None = None
    barcode: Short | None = None
    weight: Decimal | None = None
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    country_of_origin: Annotated[str, msgspec.Meta(min_length=2, max_length=2)] | None = None
    statistics_number: Short | None = None
    active: bool = True
    deleted: bool = False


_decoder = msgspec.json.Decoder(ArticleIn)


def decode_article(body: bytes) -> ArticleUpdate:
    """Decode and validate a generic article update; every problem is an InputError naming its field."""
    try:
        raw = _decoder.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise decode_error_to_input_error(exc) from exc
    validate_article_number(raw.article_number, field="article_number")
    if raw.country_of_origin is not None:
        validate_country_code(raw.country_of_origin, field="country_of_origin")
    for name in ("weight", "length", "width", "height"):
        value: Decimal | None = getattr(raw, name)
        if value is not None and (not value.is_finite() or value < 0 or value > _MAX_MEASURE):
            raise InputError(f"must be a number from 0 to {_MAX_MEASURE}", field=name)
    return ArticleUpdate(
        article_number=raw.article_number,
        name=raw.name,
        description=raw.description,
        product_code=raw.product_code,
        barcode=raw.barcode,
        weight=raw.weight,
        length=raw.length,
        width=raw.width,
        height=raw.height,
        country_of_origin=raw.country_of_origin,
        statistics_number=raw.statistics_number,
        active=raw.active and not raw.deleted,
    )


def from_connector(result: CanonicalOrder | ArticleUpdate | SourceCancellation | Ignored) -> ArticleUpdate | Ignored:
    """What a platform connector read from a payload of the article feed: an update, or nothing to keep."""
    if isinstance(result, ArticleUpdate | Ignored):
        return result
    return Ignored(reason=f"{type(result).__name__} on the article feed, not article master data")


class ArticleAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one article update: `pending` (queued for the WMS) or `ignored`."""

    update_id: int
    article_number: str
    fate: str
    reason: str | None


async def accept(
    pool: asyncpg.Pool, source: Source, *, inbox_id: int, update: ArticleUpdate, lane: str
) -> ArticleAccepted:
    """Store the update with its fate; the master's is queued as `article.send`, anyone else's only kept.

    The source row is share-locked while deciding, so a master switch cannot commit in between.
    """
    payload = msgspec.json.decode(_encoder.encode(update))
    async with transaction(pool) as conn:
        is_master = bool(await conn.fetchval(queries["source_is_master_locked"], source.id))
        fate, reason = ("pending", None) if is_master else ("ignored", NOT_MASTER)
        update_id: int = await conn.fetchval(
            queries["insert_article_update"],
            source.id,
            inbox_id,
            update.article_number,
            payload,
            update.active,
            fate,
            reason,
        )
        if is_master:
            await enqueue(
                conn,
                lane=lane,
                kind="article.send",
                priority=Priority.ARTICLE,
                idempotency_key=f"article:{update_id}",
                payload={"update_id": update_id},
            )
            await InboxStore.finish(conn, inbox_id, InboxState.ACCEPTED)
        else:
            await InboxStore.finish(conn, inbox_id, InboxState.IGNORED, error={"detail": f"ignored: {NOT_MASTER}"})
    log.info("article.received", source=source.name, article=update.article_number, fate=fate)
    return ArticleAccepted(update_id=update_id, article_number=update.article_number, fate=fate, reason=reason)


class ArticleWorker:
    """The WMS lane's article work: `article.send`, holding orders for unknown articles, releasing them."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        wms: WmsClient,
        *,
        wms_settings: WmsSettings,
        outbox_settings: OutboxSettings,
    ) -> None:
        self.pool = pool
        self.wms = wms
        self.outbox = Outbox(pool)
        self.lane = wms_lane(wms_settings.goods_owner_code or "default")
        self.policy: Literal["wait", "dead_letter"] = wms_settings.unknown_article
        self.max_attempts = outbox_settings.max_attempts

    def periodic(self, interval: float) -> Periodic:
        """The lane task releasing orders whose articles appeared in the WMS some other way."""
        return Periodic("articles.recheck", interval, self.recheck)

    async def send(self, job: Job) -> None:
        """ProcessArticle for one update of the master; orders waiting for the article are due again."""
        update_id = int(job.payload["update_id"])
        with wrap_db_errors():
            row = await self.pool.fetchrow(queries["get_article_update"], update_id)
        if row is None or row["fate"] in {"sent", "ignored"}:
            return
        if not row["is_article_master"]:
            reason = f"{NOT_MASTER} (the master changed before it was sent)"
            await self._fate(update_id, "ignored", reason)
            return
        update = msgspec.convert(row["payload"], ArticleUpdate)
        try:
            article_id = await self.wms.process_article(update)
        except FatalUpstreamError as exc:
            await self._fate(update_id, "failed", f"WMS rejected: {_wms_message(exc)}")
            raise
        except RetriableUpstreamError as exc:
            exhausted = job.attempts >= self.max_attempts
            await self._fate(update_id, "failed" if exhausted else "pending", f"{exc.code}: {exc.message}")
            raise
        async with transaction(self.pool) as conn:
            await conn.execute(queries["set_article_fate"], update_id, "sent", None, article_id)
            released = await self._release(conn, [update.article_number], tag=f"article:{update_id}")
        log.info("article.sent", article=update.article_number, active=update.active, released=released)

    async def send_order(
        self, job: Job, routed: RoutedOrder, *, operation: str, placed: Callable[[int], Awaitable[None]]
    ) -> None:
        """ProcessOrder, then `placed(OrderId)`; refused for an article the WMS lacks, the order waits instead."""
        try:
            wms_order_id = await self.wms.process_order(routed, operation=operation)
        except FatalUpstreamError as exc:
            if await self.wait_if_unknown(job, routed, exc):
                return
            raise
        await placed(wms_order_id)

    async def wait_if_unknown(self, job: Job, routed: RoutedOrder, exc: UpstreamError) -> bool:
        """After the WMS refused an order: True when it lacks some of its articles and the order now waits.

        The WMS's wording is not documented, so the articles are looked up rather than the message parsed.
        With `unknown_article=dead_letter` (or every article known) the caller handles the refusal as usual.
        """
        if self.policy != "wait" or job.order_id is None:
            return False
        articles = sorted({line.article_number for line in routed.order.lines})
        known = {line.article_number for line in await self.wms.get_inventory(article_numbers=articles)}
        unknown = [article for article in articles if article not in known]
        if not unknown:
            return False
        reason = f"waiting for article {', '.join(unknown)}: the WMS does not know it yet (WMS: {_wms_message(exc)})"
        async with transaction(self.pool) as conn:
            await conn.execute(queries["insert_article_waits"], job.order_id, unknown)
            await conn.execute(queries["hold_order_for_articles"], job.order_id, reason[:2000])
            await self.outbox.finish(job.id, conn)
        log.info("dispatch.waiting_for_articles", order_id=job.order_id, articles=unknown)
        return True

    async def recheck(self) -> int:
        """Release orders waiting for articles the WMS now has; returns how many became due."""
        with wrap_db_errors():
            waiting = [r["article_number"] for r in await self.pool.fetch(queries["waiting_articles"])]
        if not waiting:
            return 0
        known = {line.article_number for line in await self.wms.get_inventory(article_numbers=waiting)}
        found = [article for article in waiting if article in known]
        if not found:
            return 0
        async with transaction(self.pool) as conn:
            return await self._release(conn, found, tag=f"recheck:{uuid.uuid4().hex}")

    async def _release(self, conn: asyncpg.Connection, articles: Sequence[str], *, tag: str) -> int:
        released = 0
        for row in await conn.fetch(queries["release_article_waits"], list(articles)):
            if await conn.fetchval(queries["requeue_waiting_order"], row["id"]) is None:
                continue  # cancelled meanwhile, or still held for stock: nothing to send now
            await enqueue(
                conn,
                lane=self.lane,
                kind="order.send",
                priority=Priority.ORDER,
                idempotency_key=f"order:{row['id']}:rev:{row['revision']}:{tag}",
                order_id=row["id"],
                payload={"revision": row["revision"]},
            )
            released += 1
        return released

    async def _fate(self, update_id: int, fate: str, reason: str | None) -> None:
        with wrap_db_errors():
            await self.pool.execute(queries["set_article_fate"], update_id, fate, reason, None)


def _wms_message(exc: UpstreamError) -> str:
    message = exc.context.get("wms_message")
    return str(message) if message else exc.message
