"""Signing in to the admin view with the admin key, and out again."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from router.admin.pages import form_of, page, see_other
from router.admin.session import CookieSettings, Rt, cleared_cookie, current, end, issue, verify_csrf

__all__ = ["SignInController"]


def _safe_next(target: str | None) -> str:
    """Only a path inside the admin view (no scheme, no host, no `//`), so the sign-in is no open redirect."""
    if target and target.startswith("/admin") and "//" not in target and "\\" not in target:
        return target
    return "/admin"


class SignInController(Controller):
    """`/admin/sign-in`, `/admin/sign-out`."""

    path = "/"

    @get("/sign-in")
    async def sign_in_form(
        self,
        request: Request[Any, Any, Any],
        rt: Rt,
        admin_cookie: CookieSettings,
        next_page: Annotated[str | None, QueryParameter(name="next", max_length=300)] = None,
    ) -> Template | Redirect:
        """The sign-in form; an anonymous session carries its CSRF token."""
        session = await current(request, rt)
        if session is not None and session.admin:
            return see_other(_safe_next(next_page))
        cookies = []
        if session is None:
            session, cookie = await issue(request, rt, admin_cookie, admin=False)
            cookies.append(cookie)
        return page(session, "sign_in.html", cookies=cookies, next=_safe_next(next_page), error=None)

    @post("/sign-in")
    async def sign_in(
        self, request: Request[Any, Any, Any], rt: Rt, admin_cookie: CookieSettings
    ) -> Template | Redirect:
        """Check the admin key (constant time, like the API); a new session and token on success."""
        form = await form_of(request)
        session = await current(request, rt, signed_in_only=False)
        verify_csrf(session, form)
        assert session is not None  # noqa: S101 - verify_csrf refuses a missing session
        target = _safe_next(form.get("next"))
        if not rt.is_admin_key(form.get("admin_key", "")):
            return page(session, "sign_in.html", status=401, next=target, error="That is not the admin key.")
        _, cookie = await issue(request, rt, admin_cookie, admin=True)
        return see_other(target, cookies=[cookie])

    @post("/sign-out")
    async def sign_out(self, request: Request[Any, Any, Any], rt: Rt, admin_cookie: CookieSettings) -> Redirect:
        """End the session (its row, so every copy of the cookie) and forget it in the browser."""
        session = await current(request, rt, signed_in_only=False)
        verify_csrf(session, await form_of(request))
        await end(rt, session)
        return see_other("/admin/sign-in", cookies=[cleared_cookie(request, admin_cookie)])
