from __future__ import annotations

import re

from router.sql import load_queries, queries


def test_every_block_parses_into_a_named_statement() -> None:
    assert len(queries) >= 20
    for name, sql in queries.items():
        assert re.fullmatch(r"[a-z0-9_]+", name)
        assert sql.strip(), name
        assert "-- " not in sql.splitlines()[0] or sql.lstrip().startswith("--"), name


def test_loading_twice_gives_the_same_mapping_and_no_name_collides() -> None:
    again = load_queries()
    assert dict(again) == dict(queries)


def test_parameters_are_numbered_without_gaps() -> None:
    for name, sql in queries.items():
        numbers = sorted({int(n) for n in re.findall(r"\$(\d+)", sql)})
        assert numbers == list(range(1, len(numbers) + 1)), name
