"""The typed error tree; each class's docstring is its default human message."""

from __future__ import annotations

__all__ = [
    "AuthenticationFailed",
    "ClientError",
    "ConflictError",
    "DatabaseError",
    "DuplicateOrder",
    "FatalUpstreamError",
    "InputError",
    "NotFound",
    "NotReplayable",
    "OutcomeUnknown",
    "PayloadTooLarge",
    "RetriableUpstreamError",
    "RouterError",
    "SourceDisabled",
    "SourceHasOrders",
    "SourceNameTaken",
    "SuffixTaken",
    "UniqueViolation",
    "UpstreamError",
]


class RouterError(Exception):
    """The router failed."""

    code: str = "router_error"
    status: int = 500

    def __init__(self, message: str | None = None, **context: object) -> None:
        self.message = message or (self.__doc__ or self.code).strip().splitlines()[0]
        self.context = context
        super().__init__(self.message)


# --- client errors (4xx) -------------------------------------------------------------------------


class ClientError(RouterError):
    """The request cannot be processed as sent."""

    code = "bad_request"
    status = 400


class InputError(ClientError):
    """A field of the payload is invalid."""

    code = "invalid_input"
    status = 422

    def __init__(self, message: str | None = None, *, field: str, **context: object) -> None:
        super().__init__(message, field=field, **context)
        self.field = field


class AuthenticationFailed(ClientError):
    """Missing or invalid credentials."""

    code = "unauthorized"
    status = 401


class NotFound(ClientError):
    """No such resource."""

    code = "not_found"
    status = 404


class PayloadTooLarge(ClientError):
    """The payload is larger than the router accepts."""

    code = "payload_too_large"
    status = 413


# --- conflicts (409) ------------------------------------------------------------------------------


class ConflictError(RouterError):
    """The request conflicts with the current state."""

    code = "conflict"
    status = 409


class SuffixTaken(ConflictError):
    """Another source already uses this suffix (compared case-insensitively)."""

    code = "suffix_taken"


class SourceNameTaken(ConflictError):
    """Another source already has this name."""

    code = "source_name_taken"


class SourceHasOrders(ConflictError):
    """The suffix cannot change once the source has orders: their WMS numbers are built from it."""

    code = "source_has_orders"


class SourceDisabled(ConflictError):
    """The source is disabled; enable it before pushing to it."""

    code = "source_disabled"


class DuplicateOrder(ConflictError):
    """The WMS order number is already taken by another order."""

    code = "duplicate_order"


class NotReplayable(ConflictError):
    """Only dead letters can be replayed."""

    code = "not_replayable"


# --- upstream (WMS and source systems) ------------------------------------------------------------


class UpstreamError(RouterError):
    """An upstream system failed."""

    code = "upstream_error"
    status = 502

    def __init__(
        self,
        message: str | None = None,
        *,
        upstream_status: int | None = None,
        body: str | None = None,
        retry_after: float | None = None,
        **context: object,
    ) -> None:
        super().__init__(message, **context)
        self.upstream_status = upstream_status
        self.body = body
        self.retry_after = retry_after


class RetriableUpstreamError(UpstreamError):
    """The upstream system failed transiently (5xx, 429, timeout, connection); the call may be retried."""

    code = "upstream_transient"


class OutcomeUnknown(RetriableUpstreamError):
    """The call may or may not have taken effect upstream (timeout or dropped connection after sending)."""

    code = "upstream_outcome_unknown"


class FatalUpstreamError(UpstreamError):
    """The upstream system rejected the call; retrying the same call cannot succeed."""

    code = "upstream_rejected"


# --- database -------------------------------------------------------------------------------------


class DatabaseError(RouterError):
    """The database failed."""

    code = "database_error"
    status = 503


class UniqueViolation(DatabaseError):
    """A unique constraint was violated."""

    code = "unique_violation"

    def __init__(self, message: str | None = None, *, constraint: str | None) -> None:
        super().__init__(message, constraint=constraint)
        self.constraint = constraint
