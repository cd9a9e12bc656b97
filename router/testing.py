"""Run a router in-process on loopback (the same run_router as `router serve`): for tests, benchmarks, sandboxes."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import re
import socket
from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Any

import anyio
import httpx
from cryptography.fernet import Fernet

from router.runtime import Runtime
from router.service import run_router
from router.settings import (
    DatabaseSettings,
    HttpSettings,
    OutboxSettings,
    SecuritySettings,
    Settings,
    WmsSettings,
)

__all__ = [
    "ADMIN_KEY",
    "RouterUnderTest",
    "admin_sign_in",
    "csrf_of",
    "make_settings",
    "order_json",
    "running_router",
]

ADMIN_KEY = "adm_test-admin-key"
SECRET_KEY = Fernet.generate_key().decode()


def make_settings(dsn: str, *, wms: WmsSettings | None = None, **outbox: Any) -> Settings:
    """Settings for a test router: fast retries, short leases, a quick sweep."""
    outbox_settings = dataclasses.replace(
        OutboxSettings(backoff_base=0.01, backoff_cap=0.05, lease_seconds=10, sweep_seconds=0.25), **outbox
    )
    return Settings(
        database=DatabaseSettings(url=dsn, pool_min=1, pool_max=10),
        http=HttpSettings(host="127.0.0.1", port=0),
        security=SecuritySettings(admin_key=ADMIN_KEY, secret_key=SECRET_KEY),
        wms=wms or WmsSettings(),
        outbox=outbox_settings,
        run_workers=True,
    )


@dataclasses.dataclass
class RouterUnderTest:
    """A running router and an admin client for it."""

    url: str
    rt: Runtime
    admin: httpx.AsyncClient

    def client(self, key: str | None) -> httpx.AsyncClient:
        """A client presenting `key` (or none)."""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=10)

    async def add_source(self, name: str, suffix: str, order_type: str = "B2C", **fields: Any) -> str:
        """Register a generic source; returns its API key."""
        body = {"name": name, "kind": "generic", "suffix": suffix, "order_type": order_type, **fields}
        response = await self.admin.post("/api/sources", json=body)
        if response.status_code != HTTPStatus.CREATED:
            raise RuntimeError(f"registering source {name!r} failed: {response.text}")
        key: str = response.json()["api_key"]
        return key


@contextlib.asynccontextmanager
async def running_router(settings: Settings) -> AsyncIterator[RouterUnderTest]:
    """Start a router in a background task of this loop; stop it (HTTP drained, workers cancelled) on exit."""
    loop = asyncio.get_running_loop()
    started: asyncio.Future[tuple[str, Runtime]] = loop.create_future()
    stop = anyio.Event()

    async def host() -> None:
        try:
            sock = socket.create_server(("127.0.0.1", 0))
            async with Runtime.open(settings, migrate_first=False) as rt, anyio.create_task_group() as tg:
                url = await tg.start(
                    functools.partial(run_router, rt, sock=sock, install_signal_handlers=False, stop=stop)
                )
                started.set_result((url, rt))
        except BaseException as exc:
            sock.close()
            if not started.done():
                started.set_exception(exc)
            raise

    task = asyncio.create_task(host())
    url, rt = await started
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10) as admin:
        try:
            yield RouterUnderTest(url=url, rt=rt, admin=admin)
        finally:
            stop.set()
            await task


def order_json(number: str = "5178", *, article: str = "A-1", quantity: int = 1, **changes: Any) -> dict[str, Any]:
    """A valid canonical order."""
    body: dict[str, Any] = {
        "order_number": number,
        "lines": [{"article_number": article, "quantity": quantity, "unit_price": "100.00"}],
        "ship_to": {
            "name": "Anna Svensson",
            "address1": "Storgatan 1",
            "postcode": "11122",
            "city": "Stockholm",
            "country_code": "SE",
            "email": "anna@example.com",
        },
        "currency": "SEK",
    }
    body.update(changes)
    return body


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the admin page's first form."""
    match = _CSRF.search(html)
    if match is None:
        raise AssertionError("the page has no form with a CSRF token")
    return match.group(1)


async def admin_sign_in(
    client: httpx.AsyncClient, key: str = ADMIN_KEY, *, next_page: str = "/admin/stock"
) -> httpx.Response:
    """Sign `client` (a cookie-keeping client of the router) in to the admin view as a browser does."""
    form = await client.get("/admin/sign-in")
    if form.status_code != HTTPStatus.OK:
        raise AssertionError(f"the sign-in form answered {form.status_code}")
    return await client.post("/admin/sign-in", data={"csrf": csrf_of(form.text), "admin_key": key, "next": next_page})
