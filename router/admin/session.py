"""The admin view's session: a sealed cookie carrying the forms' CSRF token, backed by a row in `admin_sessions`."""

from __future__ import annotations

import dataclasses
import hmac
import os
import secrets
import time
from typing import Any, Literal

import msgspec
from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency

from router.crypto import hash_secret
from router.db import wrap_db_errors
from router.errors import AuthenticationFailed, ClientError, RouterError
from router.runtime import Runtime
from router.sql import queries

__all__ = [
    "COOKIE",
    "AdminSession",
    "CookieSettings",
    "CsrfRejected",
    "Rt",
    "SessionSettings",
    "SignInRequired",
    "cleared_cookie",
    "current",
    "end",
    "issue",
    "require_admin",
    "signed_in",
    "verify_csrf",
]

Rt = NamedDependency[Runtime]
"""The runtime, injected into handlers as `rt` (router.api.auth has the same; importing it here would be circular)."""

COOKIE = "router_admin"
"""Name of the session cookie (path /admin only)."""


class SignInRequired(AuthenticationFailed):
    """Sign in with the admin key first."""

    code = "sign_in_required"


class CsrfRejected(ClientError):
    """The form's CSRF token is missing or does not match this session; reload the page and try again."""

    code = "csrf_rejected"
    status = 403


@dataclasses.dataclass(frozen=True, kw_only=True)
class SessionSettings:
    """How the admin session cookie is issued."""

    secure: Literal["auto", "always", "never"] = "auto"
    """`Secure` flag: `auto` sets it when the request came over https (ROUTER_ADMIN_COOKIE_SECURE)."""
    max_age_seconds: int = 8 * 3600
    """A session ends this long after sign-in (ROUTER_ADMIN_SESSION_SECONDS)."""

    @classmethod
    def from_env(cls) -> SessionSettings:
        """Read ROUTER_ADMIN_COOKIE_SECURE (auto|always|never) and ROUTER_ADMIN_SESSION_SECONDS."""
        secure = os.environ.get("ROUTER_ADMIN_COOKIE_SECURE", "auto").strip().lower() or "auto"
        if secure not in {"auto", "always", "never"}:
            raise RouterError("ROUTER_ADMIN_COOKIE_SECURE must be auto, always or never")
        seconds = int(os.environ.get("ROUTER_ADMIN_SESSION_SECONDS", "") or 8 * 3600)
        return cls(secure=secure, max_age_seconds=seconds)  # type: ignore[arg-type]  # checked just above


CookieSettings = NamedDependency[SessionSettings]
"""The admin view's session settings, injected as `admin_cookie`."""


class AdminSession(msgspec.Struct, frozen=True, kw_only=True):
    """What the cookie holds: whether the admin signed in, the forms' CSRF token, and when it ends.

    A signed-in session also carries `token`, whose hash names its `admin_sessions` row: the cookie alone
    opens nothing once that row has ended (sign-out, `router admin end-sessions`) or the admin key changed.
    """

    admin: bool
    csrf: str
    expires: float
    token: str | None = None


async def current(request: Request[Any, Any, Any], rt: Runtime, *, signed_in_only: bool = True) -> AdminSession | None:
    """The request's session if its cookie opens with the router's key and has not expired.

    A signed-in session must also still be open in `admin_sessions`; with `signed_in_only=False` an ended
    one is returned as it is (its CSRF token still guards the sign-in and sign-out forms).
    """
    sealed = request.cookies.get(COOKIE)
    if not sealed:
        return None
    try:
        session = msgspec.convert(rt.box.open(sealed.encode()), AdminSession)
    except (RouterError, msgspec.ValidationError):
        return None
    if session.expires <= time.time():
        return None
    if session.admin and signed_in_only and not await signed_in(rt, session):
        return None
    return session


async def signed_in(rt: Runtime, session: AdminSession) -> bool:
    """True for an admin session whose row is open and was opened with the current admin key."""
    if not session.admin or session.token is None:
        return False
    with wrap_db_errors():
        is_open = await rt.pool.fetchval(queries["admin_session_is_open"], hash_secret(session.token), rt.admin_key_tag)
    return bool(is_open)


async def require_admin(request: Request[Any, Any, Any], rt: Runtime) -> AdminSession:
    """The signed-in admin's session, or SignInRequired (the view answers it with a redirect)."""
    session = await current(request, rt)
    if session is None or not session.admin:
        raise SignInRequired
    return session


def verify_csrf(session: AdminSession | None, form: Any) -> None:
    """The form's `csrf` field must equal the session's token (compared in constant time)."""
    presented = form.get("csrf") if form is not None else None
    if session is None or not isinstance(presented, str) or not presented:
        raise CsrfRejected
    if not hmac.compare_digest(presented.encode(), session.csrf.encode()):
        raise CsrfRejected


async def issue(
    request: Request[Any, Any, Any], rt: Runtime, settings: SessionSettings, *, admin: bool
) -> tuple[AdminSession, Cookie]:
    """A new session (fresh CSRF token; a signed-in one is recorded in `admin_sessions`) and its cookie."""
    token = secrets.token_urlsafe(32) if admin else None
    if token is not None:
        with wrap_db_errors():
            await rt.pool.execute(
                queries["open_admin_session"], hash_secret(token), rt.admin_key_tag, float(settings.max_age_seconds)
            )
    session = AdminSession(
        admin=admin, csrf=secrets.token_urlsafe(32), expires=time.time() + settings.max_age_seconds, token=token
    )
    sealed = rt.box.seal(msgspec.to_builtins(session)).decode()
    return session, _cookie(request, settings, sealed, max_age=settings.max_age_seconds)


async def end(rt: Runtime, session: AdminSession | None) -> None:
    """Sign-out: the session's row ends, so a copy of its cookie opens nothing either."""
    if session is not None and session.token is not None:
        with wrap_db_errors():
            await rt.pool.execute(queries["end_admin_session"], hash_secret(session.token))


def cleared_cookie(request: Request[Any, Any, Any], settings: SessionSettings) -> Cookie:
    """A cookie that removes the session from the browser."""
    return _cookie(request, settings, "", max_age=0)


def _cookie(request: Request[Any, Any, Any], settings: SessionSettings, value: str, *, max_age: int) -> Cookie:
    secure = settings.secure == "always" or (settings.secure == "auto" and request.url.scheme == "https")
    return Cookie(
        key=COOKIE, value=value, path="/admin", max_age=max_age, httponly=True, samesite="strict", secure=secure
    )
