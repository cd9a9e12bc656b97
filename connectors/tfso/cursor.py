"""The pull cursor: which phase (full sync or changed-since), the DateChanged watermark, work in flight."""

from __future__ import annotations

import datetime as dt
import enum

import msgspec

from router.errors import InputError

__all__ = ["Cursor", "Phase"]


class Phase(enum.StrEnum):
    """`sync`: walking GetOrderSyncList by OrderId; `changed`: GetInvoices with ChangedAfter."""

    SYNC = "sync"
    CHANGED = "changed"


class Cursor(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Opaque to the router (it is stored as a string); `v` versions the format."""

    v: int = 1
    phase: Phase = Phase.SYNC
    since: dt.datetime | None = None
    """Largest DateChanged (the server's clock, UTC) of what was returned; frozen at the first sync batch."""
    after_id: int | None = None
    """During the full sync: the last OrderId already returned."""
    ack: tuple[int, ...] = ()
    """OrderIds of the previous page, moved to `import_state` once the router comes back for the next page."""

    def encode(self) -> str:
        """The cursor as the router stores it."""
        return msgspec.json.encode(self).decode()

    @classmethod
    def decode(cls, raw: str | None) -> Cursor:
        """Read a stored cursor; None starts the full sync."""
        if raw is None:
            return cls()
        try:
            cursor = msgspec.json.decode(raw, type=cls)
        except msgspec.DecodeError as exc:
            raise InputError(f"not a tfso cursor: {exc}", field="cursor") from None
        if cursor.v != 1:
            raise InputError(f"unknown cursor version {cursor.v}", field="cursor")
        return cursor
