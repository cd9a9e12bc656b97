"""Suffix and WMS order-number rules, article-number validation and the order-type rule."""

from __future__ import annotations

import re
from collections.abc import Mapping

from router.errors import InputError

__all__ = [
    "DEFAULT_NUMBER_TEMPLATE",
    "MAX_WMS_ORDER_NUMBER",
    "normalize_suffix",
    "resolve_order_type",
    "validate_article_number",
    "validate_country_code",
    "wms_order_number",
]

MAX_WMS_ORDER_NUMBER = 50
"""Ongoing's GoodsOwnerOrderNumber holds at most 50 characters."""

DEFAULT_NUMBER_TEMPLATE = "{number}-{suffix}"
"""The WMS number of order 5178 of source SE is `5178-SE`."""

_SUFFIX = re.compile(r"^[A-Z0-9]{1,10}$")
_FORBIDDEN_IN_ARTICLE = frozenset("!%_^\\")
_TEMPLATE_FIELDS = re.compile(r"\{([^{}]*)\}")

# ISO 3166-1 alpha-2, officially assigned codes.
_COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY
    BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK
    FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR
    IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK
    ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 - a block of codes reads better than 249 quoted strings
)


def normalize_suffix(raw: str, *, field: str = "suffix") -> str:
    """Upper-case a suffix and check it is 1-10 of A-Z and 0-9."""
    suffix = raw.strip().upper()
    if not _SUFFIX.match(suffix):
        raise InputError("suffix must be 1 to 10 characters A-Z or 0-9", field=field)
    return suffix


def validate_template(template: str, *, field: str = "settings.order_number_template") -> str:
    """A number template may use only {number} and {suffix}, and must use both."""
    names = set(_TEMPLATE_FIELDS.findall(template))
    if names != {"number", "suffix"}:
        raise InputError("order_number_template must contain exactly {number} and {suffix}", field=field)
    return template


def wms_order_number(
    number: str, suffix: str, *, template: str = DEFAULT_NUMBER_TEMPLATE, field: str = "order_number"
) -> str:
    """The WMS order number of a source's order: the template filled with the number and suffix."""
    if not number.strip():
        raise InputError("order number must not be empty", field=field)
    if number != number.strip() or any(ch.isspace() and ch != " " for ch in number):
        raise InputError("order number must not have leading/trailing or control whitespace", field=field)
    result = template.replace("{number}", number).replace("{suffix}", suffix)
    if len(result) > MAX_WMS_ORDER_NUMBER:
        msg = f"WMS order number {result!r} is {len(result)} characters; the WMS takes at most {MAX_WMS_ORDER_NUMBER}"
        raise InputError(msg, field=field)
    return result


def validate_article_number(article: str, *, field: str) -> str:
    """Article numbers are the same in every source and must not contain ! % _ ^ or backslash."""
    if not article or not article.strip():
        raise InputError("article number must not be empty", field=field)
    bad = sorted(set(article) & _FORBIDDEN_IN_ARTICLE)
    if bad:
        raise InputError(f"article number contains forbidden characters {' '.join(bad)}", field=field)
    if article != article.strip() or len(article) > 50:  # noqa: PLR2004 - WMS column width
        raise InputError("article number must be at most 50 characters without surrounding spaces", field=field)
    return article


def validate_country_code(code: str, *, field: str) -> str:
    """An ISO 3166-1 alpha-2 country code (upper case)."""
    if code not in _COUNTRIES:
        raise InputError(f"{code!r} is not an ISO 3166-1 alpha-2 country code", field=field)
    return code


def resolve_order_type(requested: str | None, source_order_type: str, settings: Mapping[str, object]) -> str:
    """The order type of one order.

    Rule: an order may name its own `order_type`; it is honoured only when listed in the source's
    `settings.allowed_order_types` (the source's own type is always allowed). Otherwise the order is
    rejected naming `order_type`. Without one, the source's order type applies.
    """
    if requested is None or requested == source_order_type:
        return source_order_type
    configured = settings.get("allowed_order_types")
    allowed = [str(a) for a in configured] if isinstance(configured, list) else []
    if requested in allowed:
        return requested
    listed = ", ".join([source_order_type, *allowed])
    raise InputError(f"order type {requested!r} is not allowed for this source (allowed: {listed})", field="order_type")
