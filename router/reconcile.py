"""`router reconcile`: each source's last known stock, the ledger and a fresh WMS read, compared per article.

Three figures are compared:

* **the WMS**: a fresh paged `GetInventoryByQuery`. Its `SellableNumberOfItems` already excludes every
  order the WMS holds, so what may still be sold by its account is `sellable - held`, where `held` are the
  ledger's reservations of orders not yet confirmed by the WMS;
* **the ledger**: `available = snapshot sellable - held - placed` (see `router.ledger`);
* **each source**: the last value pushed to it (`stock_targets.pushed_value`), against what it should
  show, `max(0, available - stock_buffer)`.

A difference is not necessarily an error. These are expected to disappear on their own and are marked
`pending` rather than counted as errors:

* **push pending**: the ledger changed and the source's push job has not run yet (its version is newer
  than the one the source was told);
* **order in flight**: an accepted order the WMS has already created but whose confirmation the router
  has not recorded yet counts as `held` here and is already in the WMS's figure; any shortfall up to
  `held` is explained by that;
* **stock changed after the last read**: goods received, counted or damaged in the WMS after the
  ledger's snapshot was read (`GetInventoryChanges` names them); the next delta read applies them;
* **not read yet**: no stock read has included the article (the ledger counts it as 0 until one does).

Everything else — a source told a value no push explains, a push that dead-lettered, a ledger figure the
WMS contradicts without an adjustment to account for it, an article the WMS does not know — is an error.

The WMS read happens first, then the ledger and targets are read in one snapshot, so an order accepted
during the WMS read is `held` (and subtracted) rather than missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

import asyncpg
import msgspec
import structlog

from router.db import wrap_db_errors
from router.errors import UpstreamError
from router.ledger import push_target
from router.sql import queries
from router.wms.client import WmsClient
from router.wms.inventory import WmsInventoryChange, WmsStockLine

__all__ = ["Difference", "LedgerRow", "Report", "TargetRow", "compare", "reconcile"]

log = structlog.get_logger(__name__)

ZERO = Decimal(0)


class LedgerRow(msgspec.Struct, frozen=True, kw_only=True):
    """One article's counter row."""

    article_number: str
    known: bool
    held: Decimal
    placed: Decimal
    available: Decimal
    read_started_at: dt.datetime | None


class TargetRow(msgspec.Struct, frozen=True, kw_only=True):
    """What one source should show of one article and what it was last told."""

    source: str
    article_number: str
    target: Decimal
    version: int
    pushed_value: Decimal | None
    pushed_version: int | None
    stock_buffer: Decimal
    push_dead: bool


class Difference(msgspec.Struct, frozen=True, kw_only=True):
    """One disagreement; `source` None compares the ledger with the WMS, otherwise a source with the ledger."""

    article_number: str
    source: str | None
    told: Decimal | None
    ledger_available: Decimal | None
    wms_available: Decimal | None
    difference: Decimal
    pending: bool
    reason: str


class Report(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of one reconciliation."""

    articles: int
    sources: int
    differences: tuple[Difference, ...]

    @property
    def errors(self) -> tuple[Difference, ...]:
        """Differences nothing legitimate explains."""
        return tuple(d for d in self.differences if not d.pending)


def _adjusted_since(changes: Iterable[WmsInventoryChange], ledger: dict[str, LedgerRow]) -> dict[str, Decimal]:
    """Per article, the WMS adjustments made after the ledger's snapshot of it was read."""
    total: dict[str, Decimal] = {}
    for change in changes:
        row = ledger.get(change.article_number)
        if row is None or row.read_started_at is None or change.at is None or change.at < row.read_started_at:
            continue
        total[change.article_number] = total.get(change.article_number, ZERO) + change.quantity
    return total


def _ledger_vs_wms(row: LedgerRow | None, line: WmsStockLine | None, adjusted: Decimal) -> Difference | None:
    article = row.article_number if row is not None else line.article_number if line is not None else "?"
    held = row.held if row is not None else ZERO
    wms = line.sellable - held if line is not None and line.sellable is not None else None
    ledger = row.available if row is not None and row.known else None

    def diff(difference: Decimal, *, pending: bool, reason: str) -> Difference:
        return Difference(
            article_number=article,
            source=None,
            told=None,
            ledger_available=ledger,
            wms_available=wms,
            difference=difference,
            pending=pending,
            reason=reason,
        )

    if line is None:
        return diff(ledger or ZERO, pending=False, reason="the WMS does not know this article")
    if wms is None:
        return diff(ZERO, pending=False, reason="the WMS gives no sellable figure for this article")
    if ledger is None:
        return diff(-wms, pending=True, reason="not read yet: no stock read has included it (counted as 0)")
    difference = ledger - wms
    if difference == 0:
        return None
    unexplained = difference + adjusted
    reasons = []
    if adjusted:
        reasons.append(f"stock changed in the WMS by {adjusted:+} after the last read; the next read applies it")
    if 0 < unexplained <= held:
        reasons.append(f"order in flight: up to {held} held may already be in the WMS")
        unexplained = ZERO
    if unexplained == 0:
        return diff(difference, pending=True, reason="; ".join(reasons))
    return diff(difference, pending=False, reason="the ledger disagrees with the WMS")


def _source_vs_ledger(target: TargetRow, row: LedgerRow | None, wms: Decimal | None) -> Difference | None:
    available = row.available if row is not None and row.known else None
    should = push_target(available, target.stock_buffer) if available is not None else target.target
    told = target.pushed_value
    if told == should:
        return None
    newer = target.pushed_version is None or target.pushed_version < target.version
    if target.push_dead:
        pending, reason = False, "the push to this source failed (dead letter): replay it"
    elif newer:
        pending, reason = True, f"push pending: version {target.version} not sent yet"
    else:
        pending, reason = False, "the source was told a value the ledger does not explain"
    return Difference(
        article_number=target.article_number,
        source=target.source,
        told=told,
        ledger_available=available,
        wms_available=push_target(wms, target.stock_buffer) if wms is not None else None,
        difference=(told if told is not None else ZERO) - should,
        pending=pending,
        reason=reason,
    )


def compare(
    ledger_rows: Sequence[LedgerRow],
    targets: Sequence[TargetRow],
    wms_lines: Sequence[WmsStockLine],
    changes: Sequence[WmsInventoryChange] = (),
) -> list[Difference]:
    """Every difference between the three figures, article by article (pure)."""
    ledger = {r.article_number: r for r in ledger_rows}
    wms = {line.article_number: line for line in wms_lines}
    adjusted = _adjusted_since(changes, ledger)
    found: list[Difference] = []
    for article in sorted(ledger.keys() | wms.keys()):
        row = ledger.get(article)
        if row is not None and not row.known and article not in wms:
            continue  # ordered but never stocked anywhere: nothing to compare
        difference = _ledger_vs_wms(row, wms.get(article), adjusted.get(article, ZERO))
        if difference is not None:
            found.append(difference)
    for target in targets:
        line = wms.get(target.article_number)
        row = ledger.get(target.article_number)
        held = row.held if row is not None else ZERO
        wms_figure = line.sellable - held if line is not None and line.sellable is not None else None
        difference = _source_vs_ledger(target, row, wms_figure)
        if difference is not None:
            found.append(difference)
    return found


async def reconcile(
    pool: asyncpg.Pool, wms: WmsClient, *, page_size: int = 500, on_line: Callable[[], object] | None = None
) -> Report:
    """Read the WMS afresh, then the ledger and every source's last value, and compare them."""
    lines: list[WmsStockLine] = []
    async for line in wms.iter_inventory(page_size=page_size):
        lines.append(line)
        if on_line is not None:
            on_line()
    with wrap_db_errors():
        async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            ledger_rows = [_ledger_row(r) for r in await conn.fetch(queries["reconcile_ledger"])]
            targets = [_target_row(r) for r in await conn.fetch(queries["reconcile_targets"])]
    reads = [r.read_started_at for r in ledger_rows if r.read_started_at is not None]
    changes: list[WmsInventoryChange] = []
    if reads:
        try:
            changes = await wms.get_inventory_changes(min(reads))
        except UpstreamError as exc:  # the comparison stands without it; adjustments just stay unexplained
            log.warning("reconcile.no_inventory_changes", error=exc.message)
    differences = compare(ledger_rows, targets, lines, changes)
    return Report(
        articles=len({r.article_number for r in ledger_rows} | {line.article_number for line in lines}),
        sources=len({t.source for t in targets}),
        differences=tuple(differences),
    )


def _ledger_row(r: asyncpg.Record) -> LedgerRow:
    return LedgerRow(
        article_number=r["article_number"],
        known=r["known"],
        held=r["held"],
        placed=r["placed"],
        available=r["available"],
        read_started_at=r["read_started_at"],
    )


def _target_row(r: asyncpg.Record) -> TargetRow:
    return TargetRow(
        source=r["source"],
        article_number=r["article_number"],
        target=r["target"],
        version=r["version"],
        pushed_value=r["pushed_value"],
        pushed_version=r["pushed_version"],
        stock_buffer=r["stock_buffer"],
        push_dead=r["push_dead"],
    )
