from __future__ import annotations

import pytest

from router.errors import InputError
from router.naming import (
    normalize_suffix,
    resolve_order_type,
    validate_article_number,
    validate_country_code,
    validate_template,
    wms_order_number,
)


@pytest.mark.parametrize(("number", "suffix", "expected"), [("5178", "SE", "5178-SE"), ("5178", "EU", "5178-EU")])
def test_the_suffix_makes_order_numbers_unique_per_source(number: str, suffix: str, expected: str) -> None:
    assert wms_order_number(number, suffix) == expected


def test_a_template_may_put_the_suffix_first() -> None:
    assert wms_order_number("5178", "ERP", template="{suffix}{number}") == "ERP5178"


def test_a_wms_number_longer_than_50_is_refused_naming_the_field() -> None:
    with pytest.raises(InputError) as err:
        wms_order_number("9" * 48, "SE")
    assert err.value.field == "order_number"
    assert "50" in err.value.message


@pytest.mark.parametrize("number", ["", "  ", " 51", "51\n"])
def test_blank_or_padded_order_numbers_are_refused(number: str) -> None:
    with pytest.raises(InputError):
        wms_order_number(number, "SE")


@pytest.mark.parametrize("raw", ["se", "SE", " se "])
def test_suffixes_are_upper_cased(raw: str) -> None:
    assert normalize_suffix(raw) == "SE"


@pytest.mark.parametrize("raw", ["", "S-E", "ABCDEFGHIJK", "Å"])
def test_bad_suffixes_are_refused(raw: str) -> None:
    with pytest.raises(InputError) as err:
        normalize_suffix(raw)
    assert err.value.field == "suffix"


@pytest.mark.parametrize("article", ["A!1", "A%1", "A_1", "A^1", "A\\1", "", " "])
def test_forbidden_article_numbers(article: str) -> None:
    with pytest.raises(InputError) as err:
        validate_article_number(article, field="lines[0].article_number")
    assert err.value.field == "lines[0].article_number"


def test_ordinary_article_numbers_pass() -> None:
    assert validate_article_number("ABC-123.4/5", field="x") == "ABC-123.4/5"


def test_country_codes_must_be_iso_alpha_2() -> None:
    assert validate_country_code("SE", field="c") == "SE"
    for bad in ("XX", "se", "SWE"):
        with pytest.raises(InputError):
            validate_country_code(bad, field="c")


def test_templates_need_both_placeholders_and_nothing_else() -> None:
    assert validate_template("{number}/{suffix}")
    for bad in ("{number}", "{number}-{suffix}-{x}", "plain"):
        with pytest.raises(InputError):
            validate_template(bad)


def test_order_type_rule() -> None:
    assert resolve_order_type(None, "B2C", {}) == "B2C"
    assert resolve_order_type("B2C", "B2C", {}) == "B2C"
    assert resolve_order_type("B2B", "B2C", {"allowed_order_types": ["B2B"]}) == "B2B"
    with pytest.raises(InputError) as err:
        resolve_order_type("B2B", "B2C", {})
    assert err.value.field == "order_type"
