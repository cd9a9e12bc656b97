from __future__ import annotations

import re
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import asyncpg
import pytest

from router import migrate
from router.pg import with_database

VERSIONS = Path(__file__).parents[2] / "migrations" / "versions"

SCHEMA_QUERY = """
SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable
FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'alembic_version'
UNION ALL
SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes
WHERE schemaname = 'public' AND tablename <> 'alembic_version'
UNION ALL
SELECT 'constraint ' || conname || ': ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conname <> 'alembic_version_pkc'
ORDER BY 1
"""


@pytest.fixture
async def empty_dsn(pg_server_dsn: str) -> AsyncIterator[str]:
    name = f"m_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(pg_server_dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield with_database(pg_server_dsn, name)
    conn = await asyncpg.connect(pg_server_dsn)
    await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    await conn.close()


async def schema(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        return [r[0] for r in await conn.fetch(SCHEMA_QUERY)]
    finally:
        await conn.close()


async def test_upgrade_downgrade_upgrade_round_trips(empty_dsn: str) -> None:
    await anyio.to_thread.run_sync(migrate.upgrade, empty_dsn)
    first = await schema(empty_dsn)
    assert any(s.startswith("orders.wms_order_number") for s in first)
    assert any("sources_one_article_master" in s for s in first)

    await anyio.to_thread.run_sync(migrate.downgrade, empty_dsn)
    assert await schema(empty_dsn) == []

    await anyio.to_thread.run_sync(migrate.upgrade, empty_dsn)
    assert await schema(empty_dsn) == first


async def test_router_processes_starting_at_once_migrate_once(empty_dsn: str) -> None:
    code = "import sys; from router import migrate; migrate.upgrade(sys.argv[1])"
    results = []

    async def run() -> None:
        results.append(await anyio.run_process([sys.executable, "-c", code, empty_dsn], check=False))

    async with anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(run)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr.decode()[-500:] for r in results]
    conn = await asyncpg.connect(empty_dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM alembic_version") == 1
    finally:
        await conn.close()


def test_revision_files_are_date_first() -> None:
    files = sorted(p.name for p in VERSIONS.glob("*.py"))
    assert files
    for name in files:
        assert re.fullmatch(r"\d{4}_\d{2}_\d{2}_\d{4}_[a-z0-9_]+\.py", name), name
