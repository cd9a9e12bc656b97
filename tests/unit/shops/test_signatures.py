from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.shopify import ShopifyConnector
from connectors.woocommerce import WooCommerceConnector
from router.errors import AuthenticationFailed

BODY = b'{"id":5223452934372,"order_number":1001,"note":"a\\/b"}'
HEADER = {"shopify": "X-Shopify-Hmac-Sha256", "woocommerce": "X-WC-Webhook-Signature"}
fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200, deadline=None)


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


async def test_a_correct_signature_passes_in_any_header_case(
    kind: str, connector: Any, secrets: dict[str, str]
) -> None:
    assert await connector.verify(BODY, {HEADER[kind]: sign(BODY, secrets[kind])}) is None  # accepted
    assert await connector.verify(BODY, {HEADER[kind].lower(): sign(BODY, secrets[kind])}) is None


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda _kind, _secret: {}, id="missing header"),
        pytest.param(lambda kind, _secret: {HEADER[kind]: ""}, id="empty header"),
        pytest.param(lambda kind, secret: {HEADER[kind]: sign(BODY, secret + "x")}, id="wrong secret"),
        pytest.param(lambda kind, secret: {HEADER[kind]: sign(BODY + b" ", secret)}, id="tampered body"),
        pytest.param(lambda kind, _secret: {HEADER[kind]: "not base64!"}, id="not base64"),
        pytest.param(lambda kind, secret: {HEADER[kind]: sign(BODY, secret)[:-4]}, id="truncated"),
        pytest.param(
            lambda kind, secret: {HEADER[kind]: hmac.new(secret.encode(), BODY, "sha256").hexdigest()}, id="hex"
        ),
    ],
)
async def test_anything_else_is_refused(kind: str, connector: Any, secrets: dict[str, str], headers: Any) -> None:
    with pytest.raises(AuthenticationFailed):
        await connector.verify(BODY, headers(kind, secrets[kind]))


async def test_a_source_without_a_webhook_secret_refuses_everything(make_shopify: Any) -> None:
    connector = make_shopify()
    connector._credentials = type(connector._credentials)(
        access_token="t", webhook_secret=None, previous_webhook_secret=None
    )
    with pytest.raises(AuthenticationFailed):
        await connector.verify(BODY, {HEADER["shopify"]: sign(BODY, "")})


async def test_shopify_accepts_the_previous_secret_during_a_rotation(make_shopify: Any) -> None:
    from connectors.base import ConnectorContext

    plain = make_shopify()
    rotating = ShopifyConnector(
        ConnectorContext(
            source=plain.context.source,
            credentials={"access_token": "t", "webhook_secret": "new", "previous_webhook_secret": "old"},
        )
    )
    await rotating.verify(BODY, {HEADER["shopify"]: sign(BODY, "old")})
    await rotating.verify(BODY, {HEADER["shopify"]: sign(BODY, "new")})
    with pytest.raises(AuthenticationFailed):
        await rotating.verify(BODY, {HEADER["shopify"]: sign(BODY, "older")})


async def test_only_the_bare_woocommerce_ping_passes_unsigned(woo_connector: WooCommerceConnector) -> None:
    await woo_connector.verify(b"webhook_id=17", {})
    for body in (b"webhook_id=17&x=1", b'{"id":17}', b"webhook_id=", b"webhook_id=17\n"):
        with pytest.raises(AuthenticationFailed):
            await woo_connector.verify(body, {})


@fixture_ok
@given(body=st.binary(min_size=1, max_size=300), data=st.data())
async def test_any_single_byte_change_is_refused(
    kind: str, connector: Any, secrets: dict[str, str], body: bytes, data: st.DataObject
) -> None:
    signature = {HEADER[kind]: sign(body, secrets[kind])}
    await connector.verify(body, signature)
    index = data.draw(st.integers(0, len(body) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != body[index]))
    tampered = body[:index] + bytes([replacement]) + body[index + 1 :]
    with pytest.raises(AuthenticationFailed):
        await connector.verify(tampered, signature)
