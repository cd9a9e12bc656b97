"""Map every error to application/problem+json; nothing a client sends yields a 500."""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from router.errors import InputError, RouterError

__all__ = ["exception_handlers", "problem"]

log = structlog.get_logger(__name__)
PROBLEM = "application/problem+json"


def problem(status: int, code: str, detail: str, *, instance: str | None = None, **extra: Any) -> Response[Any]:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": f"urn:order-router:problem:{code}",
        "title": code.replace("_", " "),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": 'Bearer realm="order-router"'} if status == 401 else None  # noqa: PLR2004
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


def router_error(request: Request[Any, Any, Any], exc: RouterError) -> Response[Any]:
    """A typed router error, with `field` for input errors."""
    if exc.status >= 500:  # noqa: PLR2004
        log.error("request.failed", path=request.url.path, code=exc.code, error=exc.message)
    field = exc.field if isinstance(exc, InputError) else None
    return problem(exc.status, exc.code, exc.message, instance=request.url.path, field=field)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar's own errors (unknown route, wrong method, bad parameter) in the same shape."""
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        field = next((e.get("key") for e in extra if isinstance(e, dict)), None)
        return problem(400, "invalid_parameter", str(exc.detail), instance=request.url.path, field=field, errors=extra)
    code = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
        exc.status_code, "http_error"
    )
    return problem(exc.status_code, code, str(exc.detail), instance=request.url.path)


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A bug: logged with its traceback, answered without internals."""
    log.error("request.crashed", path=request.url.path, error_type=type(exc).__name__, exc_info=exc)
    return problem(500, "internal_error", "the router failed; the error is logged", instance=request.url.path)


exception_handlers: ExceptionHandlersMap = {
    RouterError: router_error,
    HTTPException: http_error,
    Exception: internal_error,
}
