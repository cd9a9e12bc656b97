"""Shared fixtures: one PostgreSQL per session (embedded unless ROUTER_TEST_DSN), a migrated template per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from hypothesis import settings

from router.pg import with_database

# Tests configure the router explicitly; nothing from the developer's shell may leak in.
for _name in [n for n in os.environ if n.startswith("ROUTER_") and n != "ROUTER_TEST_DSN"]:
    del os.environ[_name]

# Property tests draw the same examples on every run (a CI failure is reproducible, never luck) and have no
# per-example deadline (a loaded machine is not a bug). HYPOTHESIS_PROFILE=explore draws new ones.
settings.register_profile("ci", derandomize=True, deadline=None, database=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TEMPLATE = "router_test_template"


@pytest.fixture(scope="session")
def pg_server_dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server's maintenance-database URL: ROUTER_TEST_DSN, or an embedded server for this session."""
    configured = os.environ.get("ROUTER_TEST_DSN")
    if configured:
        yield configured
        return
    from router.pg import start_embedded

    dsn, server = start_embedded(Path(tmp_path_factory.mktemp("pg")))
    yield dsn
    server.cleanup()


@pytest.fixture(scope="session")
def template_dsn(pg_server_dsn: str) -> str:
    """A database migrated to head once per session, copied for each test."""
    import asyncio

    from router import migrate

    async def recreate() -> None:
        conn = await asyncpg.connect(pg_server_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
        finally:
            await conn.close()

    asyncio.run(recreate())
    dsn = with_database(pg_server_dsn, TEMPLATE)
    migrate.upgrade(dsn)
    return dsn


@pytest.fixture
async def db_dsn(pg_server_dsn: str, template_dsn: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one test (copied from the template), dropped afterwards."""
    del template_dsn
    name = f"t_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(pg_server_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    finally:
        await conn.close()
    yield with_database(pg_server_dsn, name)
    conn = await asyncpg.connect(pg_server_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
async def db(db_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the test's database."""
    from router.db import create_pool

    pool = await create_pool(db_dsn, min_size=1, max_size=5)
    yield pool
    await pool.close()
