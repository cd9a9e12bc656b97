"""Admin view sessions kept in the database, so signing out (or changing the admin key) ends them everywhere.

The browser's sealed cookie names a session by a random token; only its hash is stored here, with a tag of
the admin key that opened it. A session is valid while it is in this table, not ended and not expired.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from migrations._script import run_script

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_script("""
    CREATE TABLE admin_sessions (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        token_hash   bytea NOT NULL UNIQUE,
        key_tag      bytea NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        ended_at     timestamptz,
        ended_reason text CHECK (ended_reason IN ('signed out', 'ended by operator')),
        CHECK ((ended_at IS NULL) = (ended_reason IS NULL))
    );
    CREATE INDEX admin_sessions_open ON admin_sessions (expires_at) WHERE ended_at IS NULL;
    """)


def downgrade() -> None:
    run_script("DROP TABLE admin_sessions;")
