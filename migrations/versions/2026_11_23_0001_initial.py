"""Initial schema: sources, inbox, orders, order lines, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from migrations._script import run_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_script("""
    CREATE TABLE sources (
        id                bigserial PRIMARY KEY,
        name              text NOT NULL CONSTRAINT sources_name_key UNIQUE
                          CONSTRAINT sources_name_format CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        kind              text NOT NULL,
        suffix            text NOT NULL CONSTRAINT sources_suffix_format CHECK (suffix ~ '^[A-Z0-9]{1,10}$'),
        order_type        text NOT NULL
                          CONSTRAINT sources_order_type_format CHECK (order_type ~ '^[A-Za-z0-9_-]{1,20}$'),
        is_article_master boolean NOT NULL DEFAULT false,
        enabled           boolean NOT NULL DEFAULT true,
        settings          jsonb NOT NULL DEFAULT '{}'::jsonb,
        credentials       bytea,
        api_key_id        text NOT NULL CONSTRAINT sources_api_key_id_key UNIQUE,
        api_key_hash      bytea NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX sources_suffix_ci_key ON sources (upper(suffix));
    CREATE UNIQUE INDEX sources_one_article_master ON sources (is_article_master) WHERE is_article_master;

    CREATE TABLE inbox (
        id           bigserial PRIMARY KEY,
        source_id    bigint REFERENCES sources (id),
        channel      text NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
        headers      jsonb NOT NULL DEFAULT '{}'::jsonb,
        body         bytea NOT NULL,
        state        text NOT NULL DEFAULT 'received'
                     CONSTRAINT inbox_state_check CHECK (state IN ('received', 'accepted', 'rejected', 'ignored')),
        error        jsonb,
        order_id     bigint,
        processed_at timestamptz
    );
    CREATE INDEX inbox_source_state ON inbox (source_id, state, id);

    CREATE TABLE orders (
        id                  bigserial PRIMARY KEY,
        source_id           bigint NOT NULL REFERENCES sources (id),
        source_order_number text NOT NULL,
        wms_order_number    text NOT NULL CONSTRAINT orders_wms_order_number_key UNIQUE,
        order_type          text NOT NULL,
        state               text NOT NULL DEFAULT 'received'
                            CONSTRAINT orders_state_check CHECK (state IN
                              ('received', 'queued', 'in_wms', 'dead_letter', 'cancelled', 'conflict')),
        payload             jsonb NOT NULL,
        payload_hash        bytea NOT NULL,
        revision            integer NOT NULL DEFAULT 1,
        sent_revision       integer,
        inbox_id            bigint REFERENCES inbox (id),
        wms_order_id        integer,
        wms_status          integer,
        last_error          text,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        placed_at           timestamptz,
        CONSTRAINT orders_source_order_key UNIQUE (source_id, source_order_number)
    );
    CREATE INDEX orders_source_created ON orders (source_id, id DESC);

    CREATE TABLE order_lines (
        order_id       bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        line_no        integer NOT NULL,
        line_id        text NOT NULL,
        article_number text NOT NULL,
        quantity       numeric NOT NULL CONSTRAINT order_lines_quantity_positive CHECK (quantity > 0),
        PRIMARY KEY (order_id, line_no),
        CONSTRAINT order_lines_line_id_key UNIQUE (order_id, line_id)
    );
    CREATE INDEX order_lines_article ON order_lines (article_number);

    CREATE TABLE outbox (
        id              bigserial PRIMARY KEY,
        lane            text NOT NULL,
        kind            text NOT NULL,
        priority        smallint NOT NULL,
        order_id        bigint REFERENCES orders (id),
        idempotency_key text NOT NULL CONSTRAINT outbox_idempotency_key_key UNIQUE,
        payload         jsonb NOT NULL DEFAULT '{}'::jsonb,
        state           text NOT NULL DEFAULT 'pending'
                        CONSTRAINT outbox_state_check CHECK (state IN ('pending', 'done', 'dead', 'superseded')),
        attempts        integer NOT NULL DEFAULT 0,
        available_at    timestamptz NOT NULL DEFAULT now(),
        lease_until     timestamptz,
        leased_by_pid   integer,
        last_error      text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        finished_at     timestamptz
    );
    CREATE INDEX outbox_due ON outbox (lane, priority, available_at, id) WHERE state = 'pending';
    CREATE INDEX outbox_dead ON outbox (finished_at DESC) WHERE state = 'dead';
    CREATE INDEX outbox_order ON outbox (order_id);
    """)


def downgrade() -> None:
    run_script("""
    DROP TABLE outbox;
    DROP TABLE order_lines;
    DROP TABLE orders;
    DROP TABLE inbox;
    DROP TABLE sources;
    """)
