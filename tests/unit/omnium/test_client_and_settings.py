from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.omnium import OmniumClient, TokenRejected
from router.errors import FatalUpstreamError, InputError, OutcomeUnknown, RetriableUpstreamError

SECRET = "cs-Omn1um-never-in-logs"


def client() -> OmniumClient:
    return OmniumClient(base_url="https://apitest.omnium.no/", client_id="cid-1", client_secret=SECRET)


def response(status: int, body: str = "", **headers: str) -> httpx.Response:
    return httpx.Response(status, text=body, headers=headers)


@pytest.mark.parametrize("status", [200, 201, 204])
def test_success_passes(status: int) -> None:
    assert client().classify_response("GET /api/Orders/1", response(status), idempotent=True) is None


@pytest.mark.parametrize(
    ("outcome", "idempotent", "error", "upstream_status", "retry_after"),
    [
        (response(429, "slow down", **{"Retry-After": "2"}), False, RetriableUpstreamError, 429, 2.0),
        (response(429), True, RetriableUpstreamError, 429, None),
        (response(503, **{"Retry-After": "bogus"}), True, RetriableUpstreamError, 503, None),
        (response(500, "boom"), False, RetriableUpstreamError, 500, None),
        (response(401), True, TokenRejected, 401, None),
        (response(400, '{"title":"bad"}'), False, FatalUpstreamError, 400, None),
        (response(404), True, FatalUpstreamError, 404, None),
        (response(409), False, FatalUpstreamError, 409, None),
        (httpx.ConnectError("refused"), False, RetriableUpstreamError, None, None),
        (httpx.ConnectTimeout("t"), False, RetriableUpstreamError, None, None),
        (httpx.ReadTimeout("t"), True, RetriableUpstreamError, None, None),
        (httpx.ReadTimeout("t"), False, OutcomeUnknown, None, None),
        (httpx.RemoteProtocolError("closed"), False, OutcomeUnknown, None, None),
    ],
)
def test_classification(
    outcome: Any, idempotent: bool, error: type[Exception], upstream_status: int | None, retry_after: float | None
) -> None:
    with pytest.raises(error) as raised:
        client().classify_response("POST /api/Orders/1/UpdateStatus", outcome, idempotent=idempotent)
    assert type(raised.value) is error
    assert getattr(raised.value, "upstream_status", None) == upstream_status
    assert getattr(raised.value, "retry_after", None) == retry_after


def test_a_fatal_error_carries_the_body_with_secrets_redacted() -> None:
    with pytest.raises(FatalUpstreamError) as raised:
        client().classify_response("GET /x", response(400, f"clientSecret={SECRET} bad"), idempotent=True)
    assert raised.value.body == "clientSecret=*** bad"
    assert SECRET not in str(raised.value)


def test_secrets_are_not_in_reprs(om: Any) -> None:
    connector = om.connector()
    assert SECRET not in repr(connector)
    assert SECRET not in repr(connector.client)
    assert SECRET not in repr(connector._credentials)
    assert "cid-1" not in repr(connector._credentials)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"base_url": "not a url"}, "settings.base_url"),
        ({"page_size": 101}, "settings.page_size"),
        ({"inventory_batch_size": 1001}, "settings.inventory_batch_size"),
        ({"batch_concurrency": 5}, "settings.batch_concurrency"),
        ({"import_statuses": []}, "settings.import_statuses"),
        ({"statuses": {"shiped": "Completed"}}, "settings.statuses"),
        ({"transporters": {"a": 1}}, "settings.transporters[...]"),
        ({"overlap_seconds": -1}, "settings.overlap_seconds"),
    ],
)
def test_bad_settings_name_the_field(om: Any, settings: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as raised:
        om.connector(**settings)
    assert raised.value.field == field


def test_missing_base_url_names_the_field(om: Any) -> None:
    from connectors.base import ConnectorContext
    from connectors.omnium import OmniumConnector

    source = om.source()
    bare = type(source)(**{**{f: getattr(source, f) for f in source.__struct_fields__}, "settings": {}})
    with pytest.raises(InputError) as raised:
        OmniumConnector(ConnectorContext(source=bare))
    assert raised.value.field == "settings.base_url"


def test_settings_defaults(om: Any) -> None:
    settings = om.connector().settings
    assert settings.import_statuses == ["New", "InProgress"]
    assert settings.statuses.shipped == "Completed"
    assert settings.page_size == 100
    assert settings.inventory_batch_size == 1000
    assert om.connector().poll_interval == 60.0


def test_the_connector_implements_every_capability(om: Any) -> None:
    from connectors.base import Connector, Puller, Reporter, StockPusher

    connector = om.connector()
    assert connector.kind == "omnium"
    for protocol in (Connector, Puller, Reporter, StockPusher):
        assert isinstance(connector, protocol)
