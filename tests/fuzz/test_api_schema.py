"""Schemathesis against a real router on loopback: no 5xx for anything a client sends; every 4xx is problem+json."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any, Self

import asyncpg
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

from router.pg import with_database
from router.testing import ADMIN_KEY, make_settings, running_router

EXAMPLES_PER_OPERATION = 10
SOURCE_A, SOURCE_B, SHOP = "fuzz-a", "fuzz-b", "fuzz-shop"
TEMPLATE = "router_test_template"  # tests/conftest.py's migrated template database
PROBLEM_FIELDS = ("type", "title", "status", "detail", "code")


class ThreadedRouter:
    """A router on its own event loop in a thread, so synchronous clients (schemathesis uses requests) can call it."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.url = ""
        self.keys: dict[str, str] = {}
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="router-under-fuzz", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(timeout=60):
            raise TimeoutError("the router did not start within 60 s")
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *_: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to the test thread
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with running_router(make_settings(self.dsn)) as router:
            self.url = router.url
            for name, suffix in ((SOURCE_A, "FA"), (SOURCE_B, "FB")):
                self.keys[name] = await router.add_source(
                    name,
                    suffix,
                    settings={"callback_url": "http://127.0.0.1:9/unused"},
                    credentials={"callback_secret": f"{name}-callback-secret"},
                )
            response = await router.admin.post(
                "/api/sources",
                json={
                    "name": SHOP,
                    "kind": "shopify",
                    "suffix": "FS",
                    "order_type": "B2C",
                    "settings": {"shop_domain": "fuzz.myshopify.com"},
                    "credentials": {"access_token": "shpat_fuzz", "webhook_secret": "shpss_fuzz"},
                },
            )
            assert response.status_code == 201, response.text
            self._ready.set()
            await self._stop.wait()


def _create_database(server_dsn: str, template: str) -> str:
    name = f"fuzz_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        conn = await asyncpg.connect(server_dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return name


def _drop_database(server_dsn: str, name: str) -> None:
    async def drop() -> None:
        conn = await asyncpg.connect(server_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.fixture(scope="module")
def live_router(pg_server_dsn: str, template_dsn: str) -> Iterator[ThreadedRouter]:
    """One router and database for the module: the fuzzing never needs a clean slate, only a live server."""
    del template_dsn  # migrated once per session; copied here
    name = _create_database(pg_server_dsn, TEMPLATE)
    try:
        with ThreadedRouter(with_database(pg_server_dsn, name)) as router:
            yield router
    finally:
        _drop_database(pg_server_dsn, name)


@pytest.fixture(scope="module")
def api_schema(live_router: ThreadedRouter) -> Any:
    """The router's own OpenAPI document, as it serves it."""
    raw = httpx.get(f"{live_router.url}/schema/openapi.json", timeout=10).json()
    return schemathesis.openapi.from_dict(raw)


def check_response(response: Any, where: str) -> None:
    """No 5xx; a 4xx says what is wrong as problem+json with the status repeated in the body."""
    status = response.status_code
    assert status < 500, f"{where}: {status} {response.text[:500]}"
    if status >= 400:
        content_type = _header(response, "content-type")
        assert content_type.startswith("application/problem+json"), f"{where}: {status} as {content_type!r}"
        body = response.json()
        missing = [f for f in PROBLEM_FIELDS if f not in body]
        assert not missing, f"{where}: problem lacks {missing}: {body}"
        assert body["status"] == status, f"{where}: body says {body['status']}, response {status}"
        assert isinstance(body["title"], str), where
        assert body["title"], where
        assert isinstance(body["detail"], str), where
        assert body["detail"], where


def _header(response: Any, name: str) -> str:
    """One header of a schemathesis response (its headers map lower-cased names to lists of values)."""
    values = response.headers.get(name) or response.headers.get(name.title()) or []
    return ", ".join(values) if isinstance(values, list) else str(values)


def fuzz_operations(
    schema: Any, base_url: str, key: str, *, path_parameters: dict[str, str] | None = None
) -> dict[str, Counter[int]]:
    """Run every operation's generated cases (valid and invalid) with `key`; returns statuses per operation."""
    seen: dict[str, Counter[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        pinned = {k: v for k, v in (path_parameters or {}).items() if k in _path_names(operation.path)}
        if path_parameters and not pinned:
            continue  # this run is about the pinned resource; the unpinned run covers the rest
        statuses: Counter[int] = seen.setdefault(label, Counter())
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned or None)
            try:
                _fuzz_one(strategy, base_url, key, label, statuses)()
            except Unsatisfiable:
                # Nothing of this operation can be made invalid (no parameters, no body): positive cases only.
                assert mode is GenerationMode.NEGATIVE, label
    return seen


def _fuzz_one(strategy: Any, base_url: str, key: str, label: str, statuses: Counter[int]) -> Any:
    """A bounded, derandomized hypothesis test of one operation's cases (deterministic in CI)."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=10)
        statuses[response.status_code] += 1
        check_response(response, f"{label} {case.path_parameters} {case.query}")

    return run


def _path_names(path: str) -> set[str]:
    return {part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")}


def test_a_source_key_never_gets_a_5xx_and_every_4xx_is_a_problem(live_router: ThreadedRouter, api_schema: Any) -> None:
    seen = fuzz_operations(
        api_schema, live_router.url, live_router.keys[SOURCE_A], path_parameters={"source": SOURCE_A}
    )
    assert len(seen) >= 8, sorted(seen)
    assert all(sum(c.values()) > 0 for c in seen.values()), seen
    # The source reached its own endpoints, not only 401/404 walls.
    own = seen["POST /api/sources/{source}/orders"]
    assert any(200 <= s < 500 and s not in {401, 404} for s in own), own


def test_the_admin_key_never_gets_a_5xx_and_every_4xx_is_a_problem(
    live_router: ThreadedRouter, api_schema: Any
) -> None:
    seen = fuzz_operations(api_schema, live_router.url, ADMIN_KEY)
    assert len(seen) >= 15, sorted(seen)
    assert all(sum(c.values()) > 0 for c in seen.values()), seen
    seen_on_sources = fuzz_operations(api_schema, live_router.url, ADMIN_KEY, path_parameters={"source": SHOP})
    assert any(s == 200 for s in seen["GET /api/sources"]), seen["GET /api/sources"]
    assert sum(seen_on_sources["GET /api/sources/{source}"].values()) > 0
