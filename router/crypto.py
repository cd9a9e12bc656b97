"""API keys (stored hashed, compared in constant time) and upstream credentials encrypted at rest."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from router.errors import AuthenticationFailed, RouterError

__all__ = ["ApiKey", "CredentialBox", "generate_api_key", "hash_secret", "parse_api_key", "secret_matches"]

_PREFIX = "rk"


class ApiKey:
    """A source API key `rk_<id>_<secret>`: the id finds the source, the secret is only ever hashed."""

    __slots__ = ("key_id", "secret")

    def __init__(self, key_id: str, secret: str) -> None:
        self.key_id = key_id
        self.secret = secret

    def __str__(self) -> str:
        return f"{_PREFIX}_{self.key_id}_{self.secret}"

    def __repr__(self) -> str:
        return f"ApiKey(key_id={self.key_id!r}, secret=<hidden>)"


def generate_api_key() -> ApiKey:
    """A new random key (256 bits of secret)."""
    return ApiKey(secrets.token_hex(8), secrets.token_urlsafe(32))


def parse_api_key(raw: str) -> ApiKey:
    """Split a presented key; anything malformed is simply not a key."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != _PREFIX or not parts[1] or not parts[2]:  # noqa: PLR2004
        raise AuthenticationFailed
    return ApiKey(parts[1], parts[2])


def hash_secret(secret: str) -> bytes:
    """SHA-256 of a high-entropy secret (a slow hash would add nothing for 256 random bits)."""
    return hashlib.sha256(secret.encode()).digest()


def secret_matches(presented: str, stored_hash: bytes) -> bool:
    """Constant-time comparison of a presented secret against a stored hash."""
    return hmac.compare_digest(hash_secret(presented), stored_hash)


class CredentialBox:
    """Encrypts upstream credentials (a JSON object) with Fernet; the plaintext never leaves the router."""

    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode())
        except (ValueError, TypeError) as exc:
            msg = "ROUTER_SECRET_KEY is not a valid Fernet key (32 url-safe base64 bytes)"
            raise RouterError(msg) from exc

    @staticmethod
    def generate_key() -> str:
        """A new random Fernet key."""
        return Fernet.generate_key().decode()

    def seal(self, credentials: dict[str, object]) -> bytes:
        """Encrypt a credentials object."""
        return self._fernet.encrypt(json.dumps(credentials, sort_keys=True).encode())

    def open(self, token: bytes) -> dict[str, object]:
        """Decrypt a credentials object sealed with this key."""
        try:
            value = json.loads(self._fernet.decrypt(token))
        except InvalidToken as exc:
            msg = "stored credentials cannot be decrypted with ROUTER_SECRET_KEY"
            raise RouterError(msg) from exc
        if not isinstance(value, dict):
            msg = "stored credentials are not an object"
            raise RouterError(msg)
        return value


def read_or_create_secret(path: Path, factory: type[CredentialBox] | None = None) -> tuple[str, bool]:
    """Read a generated secret from `path`, or create it (mode 0600); returns (value, created)."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), False
    value = factory.generate_key() if factory else secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(value + "\n", encoding="utf-8")
    return value, True
