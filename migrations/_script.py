"""Run a multi-statement SQL script in the migration's transaction (asyncpg's simple-query protocol)."""

from __future__ import annotations

from alembic import op
from sqlalchemy.util import await_only


def run_script(sql: str) -> None:
    """Execute `sql` (several statements) on the raw asyncpg connection alembic is using."""
    raw = op.get_bind().connection.driver_connection
    await_only(raw.execute(sql))
