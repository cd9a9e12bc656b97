from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from router.errors import InputError

fuzz = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300, deadline=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)
TOPICS = {
    "shopify": ("X-Shopify-Topic", ["orders/create", "orders/updated", "orders/cancelled", "x"]),
    "woocommerce": ("X-WC-Webhook-Topic", ["order.created", "order.updated", "order.deleted", "x"]),
}


@pytest.fixture
def sample(kind: str, shopify_order: dict[str, Any], woo_order: dict[str, Any]) -> dict[str, Any]:
    return shopify_order if kind == "shopify" else woo_order


def input_error_fields(connector: Any, body: bytes, headers: dict[str, str]) -> list[str]:
    """The fields the InputErrors of normalize() and dedup_key() named (any other exception fails the test)."""
    fields: list[str] = []
    for call in (connector.normalize, connector.dedup_key):
        try:
            call(body, headers)
        except InputError as exc:  # anything else fails the test
            fields.append(exc.field)
    return fields


@fuzz
@given(body=st.binary(max_size=400), topic=st.integers(0, 3))
def test_arbitrary_bytes_raise_nothing_but_input_errors(kind: str, connector: Any, body: bytes, topic: int) -> None:
    name, topics = TOPICS[kind]
    assert all(input_error_fields(connector, body, {name: topics[topic]}))


@fuzz
@given(value=json_values, topic=st.integers(0, 3))
def test_arbitrary_json_raises_nothing_but_input_errors(kind: str, connector: Any, value: object, topic: int) -> None:
    name, topics = TOPICS[kind]
    assert all(input_error_fields(connector, msgspec.json.encode(value), {name: topics[topic]}))


@fuzz
@given(data=st.data())
def test_a_real_order_with_any_field_replaced_raises_nothing_but_input_errors(
    kind: str, connector: Any, sample: dict[str, Any], data: st.DataObject
) -> None:
    name, topics = TOPICS[kind]
    order = msgspec.json.decode(msgspec.json.encode(sample))
    node: Any = order
    while True:  # walk down to a random place and replace it with random JSON
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        if isinstance(node[key], (dict, list)) and data.draw(st.booleans()):
            node = node[key]
            continue
        node[key] = data.draw(json_values)
        break
    assert all(input_error_fields(connector, msgspec.json.encode(order), {name: topics[0]}))
