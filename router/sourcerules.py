"""What a source's kind and settings must satisfy before it is saved, whoever registers it (API, admin, CLI)."""

from __future__ import annotations

from collections.abc import Mapping

from connectors import check_settings, connector_class
from router.errors import InputError
from router.naming import validate_template

__all__ = ["MAX_STOCK_BUFFER", "check_source"]

MAX_STOCK_BUFFER = 999_999_999
"""The largest stock buffer the ledger reads from settings (nine digits)."""


def check_source(kind: str, settings: Mapping[str, object]) -> None:
    """An InputError naming the field when the kind is unknown or a setting is not acceptable.

    The connector's own rules come first (e.g. a 24SevenOffice poll interval of at least 5 s), then the
    router's: the WMS number template, `stock_buffer` (a whole number) and `shortage_policy` (hold|send).
    """
    connector_class(kind)
    check_settings(kind, settings)
    template = settings.get("order_number_template")
    if template is not None:
        validate_template(str(template))
    buffer = settings.get("stock_buffer")
    if buffer is not None and (type(buffer) is not int or not 0 <= buffer <= MAX_STOCK_BUFFER):
        message = f"stock_buffer must be a whole number from 0 to {MAX_STOCK_BUFFER}"
        raise InputError(message, field="settings.stock_buffer")
    policy = settings.get("shortage_policy")
    if policy is not None and policy not in {"hold", "send"}:
        raise InputError("shortage_policy must be 'hold' or 'send'", field="settings.shortage_policy")
