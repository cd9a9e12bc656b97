"""`placed` events for connectors that ask, and reservations that can be taken again after a release.

A replayed dead letter reserves its order's lines anew under the same revision, so only open or settled
reservations need to be unique per order line; released ones stay as history beside them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from migrations._script import run_script

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_script("""
    ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check;
    ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check
        CHECK (kind IN ('placed', 'picked', 'shipped', 'cancelled', 'returned', 'rejected', 'received'));

    ALTER TABLE reservations DROP CONSTRAINT reservations_order_line_key;
    CREATE UNIQUE INDEX reservations_order_line_key ON reservations (order_id, revision, line_no)
        WHERE state <> 'released';
    """)


def downgrade() -> None:
    run_script("""
    DELETE FROM reservations r WHERE r.state = 'released' AND EXISTS (
        SELECT 1 FROM reservations o
        WHERE o.order_id = r.order_id AND o.revision = r.revision AND o.line_no = r.line_no AND o.id <> r.id);
    DROP INDEX reservations_order_line_key;
    ALTER TABLE reservations ADD CONSTRAINT reservations_order_line_key UNIQUE (order_id, revision, line_no);

    DELETE FROM order_events WHERE kind = 'placed';
    ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check;
    ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check
        CHECK (kind IN ('picked', 'shipped', 'cancelled', 'returned', 'rejected', 'received'));
    """)
