"""Fan-back: warehouse events per order, WMS read cursor, foreign orders seen, source cancellations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from migrations._script import run_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_script("""
    CREATE TABLE order_events (
        id              bigserial PRIMARY KEY,
        order_id        bigint NOT NULL REFERENCES orders (id),
        source_id       bigint NOT NULL REFERENCES sources (id),
        kind            text NOT NULL CONSTRAINT order_events_kind_check CHECK
                        (kind IN ('picked', 'shipped', 'cancelled', 'returned', 'rejected', 'received')),
        idempotency_key text NOT NULL CONSTRAINT order_events_idempotency_key_key UNIQUE,
        payload         jsonb NOT NULL,
        state           text NOT NULL DEFAULT 'pending'
                        CONSTRAINT order_events_state_check CHECK (state IN ('pending', 'delivered', 'dead')),
        created_at      timestamptz NOT NULL DEFAULT now(),
        delivered_at    timestamptz,
        attempts        integer NOT NULL DEFAULT 0,
        last_error      text
    );
    CREATE INDEX order_events_order ON order_events (order_id, id);

    CREATE TABLE wms_cursors (
        name        text PRIMARY KEY,
        position    timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE foreign_orders (
        wms_order_number text PRIMARY KEY,
        wms_order_id     integer,
        last_status      integer,
        sightings        integer NOT NULL DEFAULT 1,
        first_seen_at    timestamptz NOT NULL DEFAULT now(),
        last_seen_at     timestamptz NOT NULL DEFAULT now()
    );

    ALTER TABLE order_lines
        ADD COLUMN picked numeric NOT NULL DEFAULT 0,
        ADD COLUMN returned numeric NOT NULL DEFAULT 0;
    ALTER TABLE orders
        ADD COLUMN wms_status_at timestamptz,
        ADD COLUMN shipped_at timestamptz,
        ADD COLUMN cancel_requested_at timestamptz;
    """)


def downgrade() -> None:
    run_script("""
    ALTER TABLE orders DROP COLUMN cancel_requested_at, DROP COLUMN shipped_at, DROP COLUMN wms_status_at;
    ALTER TABLE order_lines DROP COLUMN returned, DROP COLUMN picked;
    DROP TABLE foreign_orders;
    DROP TABLE wms_cursors;
    DROP TABLE order_events;
    """)
