from __future__ import annotations

import pytest

from router.crypto import CredentialBox, generate_api_key, hash_secret, parse_api_key, secret_matches
from router.errors import AuthenticationFailed, RouterError


def test_api_keys_round_trip_and_only_the_hash_verifies() -> None:
    key = generate_api_key()
    parsed = parse_api_key(str(key))
    assert (parsed.key_id, parsed.secret) == (key.key_id, key.secret)
    stored = hash_secret(key.secret)
    assert secret_matches(key.secret, stored)
    assert not secret_matches(key.secret + "x", stored)
    assert key.secret not in repr(key)


@pytest.mark.parametrize("raw", ["", "rk_", "rk_abc", "xx_abc_def", "rk__secret"])
def test_malformed_keys_are_not_keys(raw: str) -> None:
    with pytest.raises(AuthenticationFailed):
        parse_api_key(raw)


def test_credentials_are_sealed_and_opened_only_with_the_same_key() -> None:
    box = CredentialBox(CredentialBox.generate_key())
    token = box.seal({"password": "hunter2"})
    assert b"hunter2" not in token
    assert box.open(token) == {"password": "hunter2"}
    with pytest.raises(RouterError):
        CredentialBox(CredentialBox.generate_key()).open(token)


def test_a_bad_secret_key_is_a_clear_error() -> None:
    with pytest.raises(RouterError, match="Fernet"):
        CredentialBox("not-a-key")


def test_a_connector_context_never_shows_credential_values() -> None:
    import datetime as dt

    from connectors.base import ConnectorContext
    from router.domain import Source

    source = Source(
        id=1,
        name="se",
        kind="generic",
        suffix="SE",
        order_type="B2C",
        is_article_master=False,
        enabled=True,
        settings={},
        has_credentials=True,
        created_at=dt.datetime.now(dt.UTC),
    )
    context = ConnectorContext(source=source, credentials={"password": "hunter2", "token": "t0ken"})
    for text in (repr(context), str(context), f"{context!r}"):
        assert "hunter2" not in text
        assert "t0ken" not in text
        assert "password" in text
