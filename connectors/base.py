"""The small Protocols a connector implements: identity and normalize always, the rest by capability."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Protocol, runtime_checkable

import msgspec

from router.domain import CanonicalOrder, Ignored, Source
from router.errors import InputError

__all__ = ["Connector", "ConnectorContext", "decode_error_to_input_error"]


class ConnectorContext(msgspec.Struct, frozen=True, kw_only=True):
    """What a connector instance is given: its source and that source's decrypted credentials."""

    source: Source
    credentials: Mapping[str, object] = msgspec.field(default_factory=dict)


@runtime_checkable
class Connector(Protocol):
    """**Protocol**: one kind of upstream system (Shopify, 24SevenOffice, the generic JSON push, ...).

    Instances are made per source with `cls(context)`. `normalize` is pure: raw bytes in, a canonical
    order or an `Ignored` out, or an `InputError` naming the offending field. Capabilities such as
    pulling, reporting events and pushing stock are further Protocols a connector may also implement.
    """

    kind: ClassVar[str]

    def __init__(self, context: ConnectorContext) -> None: ...

    async def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Check an inbound webhook's signature on the raw body; raise AuthenticationFailed on mismatch."""
        ...

    def normalize(self, body: bytes, headers: Mapping[str, str]) -> CanonicalOrder | Ignored:
        """Turn one raw payload into a canonical order."""
        ...


def decode_error_to_input_error(exc: msgspec.DecodeError | msgspec.ValidationError) -> InputError:
    """Map msgspec's message (`... - at `$.lines[0].quantity``) to an InputError naming the field."""
    text = str(exc)
    marker = " - at `"
    if marker in text:
        message, _, where = text.rpartition(marker)
        path = where.removesuffix("`").removeprefix("$").removeprefix(".")
    else:
        message, path = text, ""
    missing = message.removeprefix("Object missing required field `")
    if missing != message:
        field_name = missing.rstrip("`")
        path = f"{path}.{field_name}" if path else field_name
    if isinstance(exc, msgspec.DecodeError) and not isinstance(exc, msgspec.ValidationError):
        return InputError(f"body is not valid JSON: {text}", field=path or "body")
    return InputError(message or text, field=path or "body")
