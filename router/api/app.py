"""create_app: a pure factory building the litestar app around a Runtime."""

from __future__ import annotations

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from router import __version__
from router.admin import admin_router, template_config
from router.api.admin import DeadLetterController, InboxController, WmsController
from router.api.articles import ArticleMasterController, SourceArticleController
from router.api.health import healthz, metrics, readyz
from router.api.hooks import HookController
from router.api.orders import OrderController
from router.api.problems import exception_handlers
from router.api.purchasing import ForeignInOrderController, PurchaseOrderController
from router.api.sources import SourceController
from router.api.stock import StockController
from router.runtime import Runtime

__all__ = ["create_app"]


def create_app(rt: Runtime) -> Litestar:
    """The API for one runtime; no side effects until served."""

    def provide_runtime() -> Runtime:
        return rt

    return Litestar(
        route_handlers=[
            SourceController,
            OrderController,
            DeadLetterController,
            InboxController,
            WmsController,
            HookController,
            StockController,
            ArticleMasterController,
            SourceArticleController,
            PurchaseOrderController,
            ForeignInOrderController,
            healthz,
            readyz,
            metrics,
            admin_router(),
        ],
        dependencies={"rt": Provide(provide_runtime, sync_to_thread=False)},
        exception_handlers=exception_handlers,
        template_config=template_config(),
        openapi_config=OpenAPIConfig(title="Order router", version=__version__, path="/schema"),
        request_max_body_size=rt.settings.http.max_body_bytes,
        debug=False,
    )
