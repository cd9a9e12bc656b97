"""The admin view at /admin: server-rendered HTML pages for operators, signed in with the admin key."""

from __future__ import annotations

from litestar import Router
from litestar.datastructures import ResponseHeader
from litestar.di import Provide

from router.admin.articles import ArticlesController
from router.admin.failures import FailuresController
from router.admin.orders import OrdersController
from router.admin.pages import html_error, template_config
from router.admin.session import SessionSettings
from router.admin.signin import SignInController
from router.admin.sources import SourcesController
from router.admin.stock import StockController
from router.errors import RouterError

__all__ = ["SessionSettings", "admin_router", "template_config"]

_HEADERS = [
    ResponseHeader(name="Cache-Control", value="no-store"),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(
        name="Content-Security-Policy",
        value="default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    ),
]


def admin_router(session: SessionSettings | None = None) -> Router:
    """Every admin page under /admin, left out of the OpenAPI schema (they answer HTML, not JSON)."""
    settings = session or SessionSettings.from_env()

    def provide_settings() -> SessionSettings:
        return settings

    return Router(
        path="/admin",
        route_handlers=[
            SignInController,
            SourcesController,
            OrdersController,
            StockController,
            FailuresController,
            ArticlesController,
        ],
        dependencies={"admin_cookie": Provide(provide_settings, sync_to_thread=False)},
        exception_handlers={RouterError: html_error},
        response_headers=_HEADERS,
        include_in_schema=False,
    )
