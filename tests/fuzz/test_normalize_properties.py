"""Every connector's normalize() on any input: an order, article update, cancellation, Ignored, or an InputError."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from router.domain import ArticleUpdate, CanonicalOrder, Ignored, SourceCancellation
from router.errors import InputError

fuzz = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "0", "-1", "1e400", "NaN", "A_1", "SE", "2026-02-30T25:61:00", "\x00", "é" * 60])
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)


ACCEPTABLE = (CanonicalOrder, ArticleUpdate, SourceCancellation, Ignored, InputError)
"""What normalize() may give: a result, or an InputError naming a field."""


def outcome(kind: Any, body: bytes, headers: dict[str, str]) -> object:
    """normalize()'s result, or the InputError it raised (any other exception fails the test)."""
    try:
        result = kind.connector.normalize(body, headers)
    except InputError as exc:
        error = exc
    else:
        assert isinstance(result, CanonicalOrder | ArticleUpdate | SourceCancellation | Ignored), type(result)
        return result
    assert isinstance(error.field, str), error
    assert error.field.strip(), f"an InputError must name its field: {error!r}"
    return error


def mutate(data: st.DataObject, document: Any) -> Any:
    """Walk down the document to a random place; replace, delete or retype what is there."""
    node = document
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return document
        key = data.draw(st.sampled_from(keys), label="at")
        child = node[key]
        if isinstance(child, dict | list) and child and data.draw(st.booleans(), label="deeper"):
            node = child
            continue
        action = data.draw(st.sampled_from(["replace", "delete", "empty", "stringify", "wrap"]), label="action")
        if action == "delete":
            del node[key]
        elif action == "empty":
            node[key] = type(child)() if isinstance(child, dict | list | str) else None
        elif action == "stringify":
            node[key] = str(child)
        elif action == "wrap":
            node[key] = [child]
        else:
            node[key] = data.draw(json_values, label="value")
        return document


def test_every_sample_is_a_valid_order(kind: Any) -> None:
    """The mutations below start from payloads each connector accepts (so they probe near-valid input)."""
    result = outcome(kind, kind.encode(kind.fresh_sample()), kind.headers[0])
    assert isinstance(result, CanonicalOrder), result
    assert result.lines


@fuzz
@given(body=st.binary(max_size=600), which=st.integers(min_value=0, max_value=2))
def test_arbitrary_bytes_give_only_orders_or_input_errors(kind: Any, body: bytes, which: int) -> None:
    assert isinstance(outcome(kind, body, kind.headers[which % len(kind.headers)]), ACCEPTABLE)


@fuzz
@given(value=json_values, which=st.integers(min_value=0, max_value=2))
def test_arbitrary_json_gives_only_orders_or_input_errors(kind: Any, value: object, which: int) -> None:
    headers = kind.headers[which % len(kind.headers)]
    assert isinstance(outcome(kind, kind.encode(value) if kind.name == "tfso" else _json(value), headers), ACCEPTABLE)


@fuzz
@given(data=st.data(), which=st.integers(min_value=0, max_value=2), rounds=st.integers(min_value=1, max_value=3))
def test_near_valid_payloads_give_only_orders_or_input_errors(
    kind: Any, data: st.DataObject, which: int, rounds: int
) -> None:
    document = kind.fresh_sample()
    for _ in range(rounds):
        document = mutate(data, document)
    assert isinstance(outcome(kind, kind.encode(document), kind.headers[which % len(kind.headers)]), ACCEPTABLE)


@pytest.mark.parametrize("cut", [1, 7, 40, -1])
def test_truncated_payloads_are_input_errors(kind: Any, cut: int) -> None:
    body = kind.encode(kind.fresh_sample())
    result = outcome(kind, body[:cut], kind.headers[0])
    assert isinstance(result, InputError), result


def _json(value: object) -> bytes:
    import json

    return json.dumps(value, allow_nan=True).encode()
