"""The tfso client's rules without a network: settings, credentials, the cursor and fault classification."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import zeep.exceptions

from connectors.tfso import Cursor, Phase, SessionExpired, TfsoClient, TfsoCredentials, TfsoSettings
from connectors.tfso.faults import Exchange
from router.errors import FatalUpstreamError, InputError, OutcomeUnknown, RetriableUpstreamError

CREDENTIALS = {
    "application_id": "5e1f3a0c-1111-4a2b-9c3d-000000000001",
    "username": "api@example.no",
    "password": "hunter2-secret",
}


@pytest.fixture
async def client() -> Any:
    made = TfsoClient(TfsoSettings(), TfsoCredentials.from_mapping(CREDENTIALS), None)
    yield made
    await made.aclose()


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"pull_states": ["Sent"]}, "settings.pull_states[0]"),
        ({"shipped_state": "Shipped"}, "settings.shipped_state"),
        ({"import_state": "Confirmed"}, "settings.import_state"),
        ({"event_states": {"shipped": "OrderState_Sent"}}, "settings.event_states"),
        ({"event_states": {"cancelled": "Cancelled"}}, "settings.event_states.cancelled"),
        ({"page_size": 5000}, "settings.page_size"),
        ({"overlap_seconds": -1}, "settings.overlap_seconds"),
        ({"base_url": "ftp://x"}, "settings.base_url"),
        ({"no_such_setting": 1}, "settings.no_such_setting"),
    ],
)
def test_bad_settings_name_the_field(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        TfsoSettings.from_mapping(settings)
    assert caught.value.field == field


def test_default_settings() -> None:
    settings = TfsoSettings.from_mapping({})
    assert settings.pull_states == ("Confirmed",)
    assert settings.shipped_state == "OrderState_Sent"
    assert settings.import_state is None
    assert settings.event_states == {}


@pytest.mark.parametrize("missing", ["application_id", "username", "password"])
def test_credentials_errors_name_the_field_never_a_value(missing: str) -> None:
    given = {k: v for k, v in CREDENTIALS.items() if k != missing}
    with pytest.raises(InputError) as caught:
        TfsoCredentials.from_mapping(given)
    assert caught.value.field == f"credentials.{missing}"
    assert "hunter2" not in str(caught.value)


def test_secrets_stay_out_of_reprs(client: TfsoClient) -> None:
    credentials = TfsoCredentials.from_mapping(CREDENTIALS)
    assert "hunter2" not in repr(credentials)
    assert "hunter2" not in repr(client)


def test_cursor_round_trip_and_garbage() -> None:
    cursor = Cursor(phase=Phase.CHANGED, since=dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC), ack=(1, 2))
    assert Cursor.decode(cursor.encode()) == cursor
    assert Cursor.decode(None) == Cursor(phase=Phase.SYNC)
    for bad in ("not json", '{"v": 2}', '{"phase": "sideways"}'):
        with pytest.raises(InputError) as caught:
            Cursor.decode(bad)
        assert caught.value.field == "cursor"


def _fault(message: str, code: str = "soap:Server") -> zeep.exceptions.Fault:
    return zeep.exceptions.Fault(message, code=code)


@pytest.mark.parametrize(
    ("operation", "exc", "status", "expected"),
    [
        ("GetInvoices", httpx.ConnectError("refused"), None, RetriableUpstreamError),
        ("GetInvoices", httpx.ReadTimeout("slow"), None, RetriableUpstreamError),
        ("SaveInvoices", httpx.ReadTimeout("slow"), None, OutcomeUnknown),
        ("SaveInvoices", httpx.ConnectError("refused"), None, RetriableUpstreamError),
        (
            "GetInvoices",
            _fault("Server was unable to process request. ---> Simulated failure."),
            500,
            RetriableUpstreamError,
        ),
        ("SaveInvoices", _fault("Server was unable to process request. ---> boom"), 500, OutcomeUnknown),
        (
            "GetInvoices",
            _fault("Server was unable to process request. ---> the session is not authenticated."),
            500,
            SessionExpired,
        ),
        (
            "GetInvoices",
            _fault("Server was unable to read request. ---> 'Sent' is not a valid value"),
            500,
            FatalUpstreamError,
        ),
        ("GetInvoices", _fault("anything", code="soap:Client"), 500, FatalUpstreamError),
        (
            "Login",
            _fault("Limit exceeded by 1. Request is blocked. Quarantine ends at 2099-01-01T00:00:00"),
            500,
            RetriableUpstreamError,
        ),
        ("GetInvoices", zeep.exceptions.TransportError(status_code=503), 503, RetriableUpstreamError),
        ("GetInvoices", zeep.exceptions.TransportError(status_code=429), 429, RetriableUpstreamError),
        ("GetInvoices", zeep.exceptions.TransportError(status_code=403), 403, FatalUpstreamError),
        ("GetInvoices", zeep.exceptions.XMLSyntaxError("junk"), 200, FatalUpstreamError),
    ],
)
def test_classify_fault(
    client: TfsoClient, operation: str, exc: Exception, status: int | None, expected: type[Exception]
) -> None:
    error = client.classify_fault(operation, exc, Exchange(status=status, body=b"<fault>hunter2-secret</fault>"))
    assert type(error) is expected
    assert error is not None
    assert error.upstream_status == status
    assert "hunter2" not in str(error.body)
    assert "hunter2" not in str(error)


def test_rate_limit_carries_retry_after(client: TfsoClient) -> None:
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90)).replace(tzinfo=None).isoformat(timespec="seconds")
    error = client.classify_fault(
        "Login", _fault(f"Limit exceeded by 2. Request is blocked. Quarantine ends at {soon}"), Exchange(status=500)
    )
    assert error is not None
    assert error.retry_after is not None
    assert 60 < error.retry_after <= 90


def test_anything_else_is_not_classified(client: TfsoClient) -> None:
    assert client.classify_fault("GetInvoices", KeyError("x"), Exchange()) is None


def test_classify_result(client: TfsoClient) -> None:
    assert client.classify_result("SetStockQuantity", True, Exchange(status=200)) is None
    assert isinstance(client.classify_result("SetStockQuantity", False, Exchange(status=200)), FatalUpstreamError)
    assert isinstance(client.classify_result("Login", "", Exchange(status=200)), FatalUpstreamError)
    assert client.classify_result("Login", "abc", Exchange(status=200)) is None
