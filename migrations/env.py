"""Alembic environment: runs revisions over SQLAlchemy's asyncpg dialect (no second driver needed)."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

config = context.config


def _url() -> str:
    url = config.attributes.get("dsn") or os.environ.get("ROUTER_DATABASE_URL")
    if not url:
        raise SystemExit("set ROUTER_DATABASE_URL or use `router migrate`")
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        # Several router processes may start at once: one migrates, the others wait and then find nothing
        # to do. The session-level lock is released only after the migrations have committed.
        await connection.exec_driver_sql("SELECT pg_advisory_lock(7411, 0)")
        await connection.commit()
        try:
            await connection.run_sync(_run)
            await connection.commit()
        finally:
            await connection.rollback()
            await connection.exec_driver_sql("SELECT pg_advisory_unlock(7411, 0)")
            await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
