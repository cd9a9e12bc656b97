"""Pull sources: an opaque cursor per source and the pulled documents already stored.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from migrations._script import run_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_script("""
    CREATE TABLE pull_cursors (
        source_id  bigint PRIMARY KEY REFERENCES sources (id),
        cursor     text,
        pulled_at  timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE pulled_items (
        source_id   bigint NOT NULL REFERENCES sources (id),
        external_id text NOT NULL,
        inbox_id    bigint NOT NULL REFERENCES inbox (id),
        PRIMARY KEY (source_id, external_id)
    );
    """)


def downgrade() -> None:
    run_script("""
    DROP TABLE pulled_items;
    DROP TABLE pull_cursors;
    """)
