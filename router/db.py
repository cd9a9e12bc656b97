"""The one database boundary: the asyncpg pool and translation of driver errors into RouterErrors."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterator

import asyncpg

from router.errors import DatabaseError, UniqueViolation

__all__ = ["MAX_ID", "create_pool", "wrap_db_errors"]

MAX_ID = 2**63 - 1
"""The largest id PostgreSQL's bigint holds: larger ids and cursors are a 400, not a database error."""


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Skip asyncpg's reset round trip on every release.

    Pooled connections never hold session state: advisory locks and LISTEN live on dedicated connections.
    """
    del conn


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    """Open the pool; every connection decodes json/jsonb to Python objects."""
    with wrap_db_errors():
        pool = await asyncpg.create_pool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            init=_init_connection,
            command_timeout=60,
            reset=_keep_session,
        )
    assert pool is not None  # noqa: S101 - asyncpg's typing allows None only for a never-awaited pool
    return pool


@contextlib.contextmanager
def wrap_db_errors() -> Iterator[None]:
    """Turn asyncpg errors into the router's typed errors."""
    try:
        yield
    except asyncpg.UniqueViolationError as exc:
        raise UniqueViolation(str(exc), constraint=exc.constraint_name) from exc
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
        raise DatabaseError(f"database error: {type(exc).__name__}") from exc


@contextlib.asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A connection in a transaction, with driver errors translated."""
    with wrap_db_errors():
        async with pool.acquire() as conn, conn.transaction():
            yield conn
