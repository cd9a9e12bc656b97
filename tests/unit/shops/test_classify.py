from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from connectors.shopify import LeakyBucketPacer, ShopifyClient
from connectors.woocommerce import WooClient
from router.errors import FatalUpstreamError, RetriableUpstreamError

TOKEN = "shpat_never-in-errors"
SECRET = "cs_never-in-errors"


@pytest.fixture(params=["shopify", "woocommerce"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    async with httpx.AsyncClient() as http:
        if request.param == "shopify":
            pacer = LeakyBucketPacer(leak_rate=2)
            yield ShopifyClient(http, shop_url="https://x", api_version="2025-01", access_token=TOKEN, pacer=pacer)
        else:
            yield WooClient(http, base_url="https://x", consumer_key="ck_x", consumer_secret=SECRET)


def response(status: int, headers: dict[str, str] | None = None, body: bytes = b'{"errors":"x"}') -> httpx.Response:
    return httpx.Response(status, headers=headers, content=body)


@pytest.mark.parametrize("status", [200, 201, 204, 302])
def test_success_passes(client: Any, status: int) -> None:
    assert client.classify_response(response(status), what="GET x") is None  # no error raised


@pytest.mark.parametrize(
    ("status", "headers", "retry_after"),
    [(429, {"Retry-After": "2.0"}, 2.0), (500, {}, None), (502, {}, None), (503, {"Retry-After": "7"}, 7.0)],
)
def test_throttling_and_server_errors_are_retriable(
    client: Any, status: int, headers: dict[str, str], retry_after: float | None
) -> None:
    with pytest.raises(RetriableUpstreamError) as caught:
        client.classify_response(response(status, headers), what="GET x")
    assert caught.value.upstream_status == status
    assert caught.value.retry_after == retry_after
    assert not isinstance(caught.value, FatalUpstreamError)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 406, 422])
def test_other_client_errors_are_fatal_with_status_and_body(client: Any, status: int) -> None:
    with pytest.raises(FatalUpstreamError) as caught:
        client.classify_response(response(status, body=b'{"errors":{"base":["no"]}}'), what="POST y")
    assert caught.value.upstream_status == status
    assert caught.value.body == '{"errors":{"base":["no"]}}'
    assert TOKEN not in str(caught.value)
    assert SECRET not in str(caught.value)


def test_the_client_repr_holds_no_credentials(client: Any) -> None:
    assert TOKEN not in repr(client)
    assert SECRET not in repr(client)
    assert "ck_x" not in repr(client)


def test_both_connectors_implement_every_capability(shopify_connector: Any, woo_connector: Any) -> None:
    from connectors.base import Connector, Puller, Reporter, StockPusher

    for connector in (shopify_connector, woo_connector):
        for protocol in (Connector, Puller, Reporter, StockPusher):
            assert isinstance(connector, protocol)
    assert (type(shopify_connector).kind, type(woo_connector).kind) == ("shopify", "woocommerce")
