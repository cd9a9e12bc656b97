"""Rendering helpers of the admin view: pages with their CSRF token, redirects, and errors as HTML."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

from router.admin.session import AdminSession, SignInRequired, current, signed_in, verify_csrf
from router.errors import RouterError
from router.runtime import Runtime

__all__ = ["TEMPLATES", "admin_form", "form_of", "html_error", "page", "see_other", "template_config"]

TEMPLATES = Path(__file__).parent / "templates"
"""The admin view's Jinja templates."""


def quantity(value: object) -> str:
    """A ledger quantity without trailing zeros (numeric columns come back as Decimal)."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())
    return "-" if value is None else str(value)


def when(value: object) -> str:
    """A timestamp to the second, in UTC."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return "-" if value is None else str(value)


def age(seconds: object) -> str:
    """An age in seconds as the largest sensible unit."""
    if not isinstance(seconds, int | float):
        return "-"
    if seconds < 120:  # noqa: PLR2004 - two minutes
        return f"{seconds:.0f} s"
    if seconds < 7200:  # noqa: PLR2004 - two hours
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _register_filters(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters.update(quantity=quantity, when=when, age=age)


def template_config(*extra_directories: Path) -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja (autoescaping) over the admin templates, plus any other directory the app serves templates from."""
    return TemplateConfig(
        directory=[TEMPLATES, *extra_directories], engine=JinjaTemplateEngine, engine_callback=_register_filters
    )


def page(
    session: AdminSession,
    template: str,
    *,
    status: int = 200,
    cookies: list[Cookie] | None = None,
    **context: Any,
) -> Template:
    """A page; every form on it posts the session's CSRF token."""
    return Template(
        template_name=template,
        context={"csrf": session.csrf, "signed_in": session.admin, **context},
        status_code=status,
        cookies=cookies or [],
    )


def see_other(path: str, *, cookies: list[Cookie] | None = None) -> Redirect:
    """303 to another admin page (after a POST, or to the sign-in)."""
    return Redirect(path=path, status_code=303, cookies=cookies or [])


async def form_of(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The posted form's text fields (files and repeated keys are not used by the view)."""
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


async def admin_form(request: Request[Any, Any, Any], rt: Runtime) -> tuple[AdminSession, dict[str, str]]:
    """A signed-in admin's posted form: its CSRF token is checked first (403), then the sign-in (redirect)."""
    form = await form_of(request)
    session = await current(request, rt, signed_in_only=False)
    verify_csrf(session, form)
    if session is None or not await signed_in(rt, session):
        raise SignInRequired
    return session, form


def html_error(request: Request[Any, Any, Any], exc: RouterError) -> Response[Any]:
    """Typed errors on admin pages: sign-in required is a redirect, everything else an HTML page."""
    if isinstance(exc, SignInRequired):
        target = request.url.path if request.method == "GET" else "/admin"
        return Redirect(path=f"/admin/sign-in?next={quote(target)}", status_code=303)
    return Template(
        template_name="error.html",
        context={"status": exc.status, "code": exc.code, "message": exc.message, "signed_in": False, "csrf": ""},
        status_code=exc.status,
    )
