"""Helpers both shop connectors share: header lookup, credentials, base64 HMAC-SHA256 webhook signatures."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from decimal import ROUND_FLOOR, Decimal

from router.errors import AuthenticationFailed, InputError

__all__ = [
    "check_money",
    "credential",
    "header",
    "required_header",
    "sign_base64",
    "verify_base64_hmac",
    "whole_units",
]

_MAX_MONEY = Decimal(100_000_000)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name`, compared case-insensitively (HTTP/2 lower-cases every name)."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, found in headers.items():
        if key.lower() == wanted:
            return found
    return None


def credential(credentials: Mapping[str, object], key: str) -> str | None:
    """A non-empty string credential, or None; the value never reaches a message."""
    value = credentials.get(key)
    return value if isinstance(value, str) and value else None


def sign_base64(body: bytes, secret: str) -> str:
    """base64(HMAC-SHA256(secret, body)), the signature both Shopify and WooCommerce send."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode("ascii")


def verify_base64_hmac(body: bytes, headers: Mapping[str, str], *, header_name: str, secrets: Iterable[str]) -> None:
    """Check a base64 HMAC-SHA256 signature of the exact raw body against every accepted secret.

    Raises AuthenticationFailed for a missing or malformed header, no configured secret, or a mismatch.
    Every secret is compared (constant time each), so timing does not tell which one matched.
    """
    given = header(headers, header_name)
    if not given:
        raise AuthenticationFailed(f"the {header_name} header is missing")
    try:
        digest = base64.b64decode(given.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise AuthenticationFailed(f"the {header_name} header is not base64") from None
    keys = [secret for secret in secrets if secret]
    if not keys:
        raise AuthenticationFailed("no webhook secret is configured for this source")
    matched = False
    for secret in keys:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        matched |= hmac.compare_digest(expected, digest)
    if not matched:
        raise AuthenticationFailed(f"the {header_name} signature does not match the body")


def check_money(value: Decimal | None, field: str) -> Decimal | None:
    """A finite amount within +-100 million, or an InputError naming the field."""
    if value is None:
        return None
    if not value.is_finite() or abs(value) > _MAX_MONEY:
        raise InputError("must be a finite amount within 100 million", field=field)
    return value


def whole_units(available: Decimal) -> int:
    """A stock target as the whole, non-negative units a shop shows (rounded down; not finite: 0)."""
    if not available.is_finite():
        return 0
    return max(0, int(available.to_integral_value(rounding=ROUND_FLOOR)))


def required_header(headers: Mapping[str, str], name: str) -> str:
    """The non-empty value of header `name`, or an InputError naming `headers.<name>`."""
    value = header(headers, name)
    if not value:
        raise InputError(f"the {name} header is missing", field=f"headers.{name}")
    return value
