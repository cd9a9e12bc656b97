"""Article master data and purchase orders: article updates, orders waiting for an article, purchase orders.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from migrations._script import run_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_script("""
    CREATE TABLE article_updates (
        id             bigserial PRIMARY KEY,
        source_id      bigint NOT NULL REFERENCES sources (id),
        inbox_id       bigint REFERENCES inbox (id),
        article_number text NOT NULL,
        payload        jsonb NOT NULL,
        active         boolean NOT NULL,
        fate           text NOT NULL DEFAULT 'pending'
                       CONSTRAINT article_updates_fate_check CHECK (fate IN ('pending', 'sent', 'ignored', 'failed')),
        reason         text,
        wms_article_id integer,
        received_at    timestamptz NOT NULL DEFAULT now(),
        sent_at        timestamptz
    );
    CREATE INDEX article_updates_source ON article_updates (source_id, id DESC);
    CREATE INDEX article_updates_inbox ON article_updates (inbox_id);

    CREATE TABLE article_waits (
        order_id       bigint NOT NULL REFERENCES orders (id),
        article_number text NOT NULL,
        since          timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (order_id, article_number)
    );
    CREATE INDEX article_waits_article ON article_waits (article_number);

    CREATE TABLE purchase_orders (
        id              bigserial PRIMARY KEY,
        source_id       bigint NOT NULL REFERENCES sources (id),
        source_number   text NOT NULL,
        wms_number      text NOT NULL CONSTRAINT purchase_orders_wms_number_key UNIQUE,
        payload         jsonb NOT NULL,
        payload_hash    bytea NOT NULL,
        inbox_id        bigint REFERENCES inbox (id),
        state           text NOT NULL DEFAULT 'queued'
                        CONSTRAINT purchase_orders_state_check CHECK (state IN ('queued', 'in_wms', 'dead_letter')),
        wms_in_order_id integer,
        wms_status      integer,
        last_error      text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        placed_at       timestamptz,
        CONSTRAINT purchase_orders_source_number_key UNIQUE (source_id, source_number)
    );

    CREATE TABLE purchase_order_lines (
        purchase_order_id bigint NOT NULL REFERENCES purchase_orders (id),
        line_no           integer NOT NULL,
        line_id           text NOT NULL,
        article_number    text NOT NULL,
        quantity          numeric NOT NULL,
        received          numeric NOT NULL DEFAULT 0,
        PRIMARY KEY (purchase_order_id, line_id)
    );

    CREATE TABLE purchase_order_events (
        id                bigserial PRIMARY KEY,
        purchase_order_id bigint NOT NULL REFERENCES purchase_orders (id),
        source_id         bigint NOT NULL REFERENCES sources (id),
        idempotency_key   text NOT NULL CONSTRAINT purchase_order_events_idempotency_key_key UNIQUE,
        payload           jsonb NOT NULL,
        state             text NOT NULL DEFAULT 'pending' CONSTRAINT purchase_order_events_state_check
                          CHECK (state IN ('pending', 'delivered', 'dead')),
        created_at        timestamptz NOT NULL DEFAULT now(),
        delivered_at      timestamptz,
        attempts          integer NOT NULL DEFAULT 0,
        last_error        text
    );
    CREATE INDEX purchase_order_events_po ON purchase_order_events (purchase_order_id, id);

    CREATE TABLE foreign_in_orders (
        wms_number      text PRIMARY KEY,
        wms_in_order_id integer,
        last_status     integer,
        sightings       integer NOT NULL DEFAULT 1,
        first_seen_at   timestamptz NOT NULL DEFAULT now(),
        last_seen_at    timestamptz NOT NULL DEFAULT now()
    );
    """)


def downgrade() -> None:
    run_script("""
    DROP TABLE foreign_in_orders;
    DROP TABLE purchase_order_events;
    DROP TABLE purchase_order_lines;
    DROP TABLE purchase_orders;
    DROP TABLE article_waits;
    DROP TABLE article_updates;
    """)
