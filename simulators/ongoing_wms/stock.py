"""Articles and stock: ProcessArticle, GetInventoryByQuery (with paging), adjustments and GetInventoryChanges."""

from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from simulators.ongoing_wms.inputs import InventoryQuery
from simulators.ongoing_wms.records import Article, InventoryRow, InventoryTransaction, WriteResult, aware
from simulators.ongoing_wms.store import Store

if TYPE_CHECKING:
    from simulators.ongoing_wms.inputs import ArticleInput, ChangesQuery

__all__ = ["ADJUSTMENT_CAUSES", "StockRoom"]

# Adjustment causes the simulator knows (code -> name). Ongoing's cause codes are set up per warehouse;
# these three are the router's vocabulary, not Ongoing's.
ADJUSTMENT_CAUSES = {"received": "Goods received", "counted": "Stocktaking", "damaged": "Damaged goods"}
_ARTICLE_FIELDS = {f.name for f in fields(Article)}


class StockRoom(Store):
    """Article master data and stock figures of the goods owner."""

    def add_article(self, number: str, name: str | None = None, stock: Decimal | int = 0) -> Article:
        """Create an article, or set its name and stock on hand if it exists (a test hook, no transaction)."""
        with self._changed:
            current = self._articles.get(number) or self._new_article(number)
            with self._watch([number]):
                self._articles[number] = replace(current, name=name or current.name, stock=Decimal(stock))
            article = replace(self._articles[number], changed_at=self.now())
            self._articles[number] = article
            self._changed.notify_all()
            return article

    def article(self, number: str) -> Article | None:
        """One article, or None."""
        with self._changed:
            return self._articles.get(number)

    def inventory(self, query: InventoryQuery | None = None) -> list[InventoryRow]:
        """GetInventoryByQuery: rows by ascending SystemId, filtered, at most `max_articles` of them."""
        with self._changed:
            query = query or InventoryQuery()
            rows = []
            for article in sorted(self._articles.values(), key=lambda a: a.system_id):
                if query.numbers is not None and article.number not in query.numbers:
                    continue
                if query.changed_from is not None and article.changed_at < aware(query.changed_from):
                    continue
                if query.system_id_from is not None and article.system_id < query.system_id_from:
                    continue
                rows.append(self.row(article))
            return rows if query.max_articles is None else rows[: max(query.max_articles, 0)]

    def adjust_stock(
        self, number: str, delta: Decimal | int | str, cause: str = "counted", comment: str | None = None
    ) -> InventoryTransaction:
        """Change physical stock outside the order flow, recorded as one inventory transaction."""
        if cause not in ADJUSTMENT_CAUSES:
            raise ValueError(f"cause must be one of {sorted(ADJUSTMENT_CAUSES)}")
        amount = Decimal(delta)
        with self._changed:
            self._set_stock(number, amount, received=cause == "received" and amount > 0)
            transaction = InventoryTransaction(
                inventory_id=self._next_inventory_id,
                article_number=number,
                quantity=amount,
                at=self.now(),
                cause_code=cause,
                cause_name=ADJUSTMENT_CAUSES[cause],
                comment=comment,
            )
            self._next_inventory_id += 1
            self._transactions.append(transaction)
            self._changed.notify_all()
            return transaction

    def inventory_changes(self, query: ChangesQuery) -> list[tuple[Article, list[InventoryTransaction]]]:
        """GetInventoryChanges: adjustments per article within [FromDate, ToDate].

        `UnReported` filters nothing: this subset has no SetInventoryChangesToReported, so no adjustment
        is ever marked reported. `InventoryId` selects one adjustment (each has its own id here).
        """
        with self._changed:
            grouped: dict[str, list[InventoryTransaction]] = {}
            for transaction in self._transactions:
                if query.from_date is not None and transaction.at < aware(query.from_date):
                    continue
                if query.to_date is not None and transaction.at > aware(query.to_date):
                    continue
                if query.inventory_id is not None and transaction.inventory_id != query.inventory_id:
                    continue
                grouped.setdefault(transaction.article_number, []).append(transaction)
            return [(self._articles[number], found) for number, found in grouped.items() if number in self._articles]

    def process_article(self, request: ArticleInput) -> WriteResult:
        """ProcessArticle CreateOrUpdate keyed on ArticleNumber; unset fields keep their value, "" clears."""
        with self._changed:
            if request.identification != "ArticleNumber" or not request.number:
                return WriteResult(success=False, error="ArticleIdentification ArticleNumber with a number is required")
            current = self._articles.get(request.number) or self._new_article(request.number)
            changes: dict[str, object] = {}
            for name, value in vars(request).items():
                if name in ("identification", "number") or name not in _ARTICLE_FIELDS or value is None:
                    continue
                changes[name] = None if value == "" else value
            article = replace(current, **changes)  # type: ignore[arg-type]  # names checked against the fields
            self._articles[article.number] = replace(article, changed_at=self.now())
            self._changed.notify_all()
            return WriteResult(success=True, article_id=article.system_id)

    def _new_article(self, number: str) -> Article:
        article = Article(system_id=self._next_article_id, number=number, changed_at=self.now())
        self._next_article_id += 1
        return article
