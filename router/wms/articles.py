"""Article master data for ProcessArticle: the router's input Struct and its mapping from ArticleUpdate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from decimal import Decimal

    from router.domain import ArticleUpdate

__all__ = ["WmsArticle", "article_definition", "article_from_update"]


class WmsArticle(msgspec.Struct, frozen=True, kw_only=True):
    """Article master data as the router sends it to the WMS (`ProcessArticle`); None leaves a field as is."""

    number: str
    name: str | None = None
    product_code: str | None = None
    barcode: str | None = None  # "" clears the barcode in the WMS
    description: str | None = None
    unit_code: str | None = None
    country_of_origin: str | None = None
    statistics_number: str | None = None
    weight: Decimal | None = None
    volume: Decimal | None = None
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    price: Decimal | None = None
    purchase_price: Decimal | None = None
    is_stock_article: bool = True
    is_obsolete: bool = False


def article_from_update(update: ArticleUpdate) -> WmsArticle:
    """Map the master source's ArticleUpdate; a deactivated article becomes obsolete with its barcode cleared.

    Ongoing has no "active" flag: the nearest is `IsObsolete` (design section 7: a deleted article is made
    inactive and loses its barcode, so the barcode can be reused).
    """
    return WmsArticle(
        number=update.article_number,
        name=update.name,
        product_code=update.product_code,
        barcode=update.barcode if update.active else "",
        description=update.description,
        country_of_origin=update.country_of_origin,
        statistics_number=update.statistics_number,
        weight=update.weight,
        length=update.length,
        width=update.width,
        height=update.height,
        is_obsolete=not update.active,
    )


def article_definition(article: WmsArticle) -> dict[str, Any]:
    """Build the `art` (ArticleDefinition) argument of ProcessArticle, keyed on the article number."""
    return {
        "ArticleOperation": "CreateOrUpdate",
        "ArticleIdentification": "ArticleNumber",
        "ArticleSystemId": None,
        "ArticleNumber": article.number,
        "ArticleName": article.name,
        "ProductCode": article.product_code,
        "BarCode": article.barcode,
        "ArticleDescription": article.description,
        "ArticleUnitCode": article.unit_code,
        "CountryOfOriginCode": article.country_of_origin,
        "StatisticsNumber": article.statistics_number,
        "Weight": article.weight,
        "Volume": article.volume,
        "Length": article.length,
        "Width": article.width,
        "Height": article.height,
        "Price": article.price,
        "PurchasePrice": article.purchase_price,
        "IsStockArticle": article.is_stock_article,
        "IsObsolete": article.is_obsolete,
    }
