"""Reservation ledger: stock snapshots, per-article counters, reservations, per-source stock targets.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from migrations._script import run_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_script("""
    ALTER TABLE sources
        ADD COLUMN stock_buffer integer NOT NULL DEFAULT 0
            CONSTRAINT sources_stock_buffer_check CHECK (stock_buffer >= 0),
        ADD COLUMN shortage_policy text NOT NULL DEFAULT 'send'
            CONSTRAINT sources_shortage_policy_check CHECK (shortage_policy IN ('send', 'hold'));
    ALTER TABLE orders
        ADD COLUMN short boolean NOT NULL DEFAULT false,
        ADD COLUMN shortage_held boolean NOT NULL DEFAULT false;

    CREATE SEQUENCE stock_version_seq;

    -- Until the sources API has fields for them, settings.stock_buffer / settings.shortage_policy override
    -- the columns; these read the effective value (a malformed setting falls back to the column).
    CREATE FUNCTION ledger_stock_buffer(settings jsonb, buffer integer) RETURNS numeric
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN CASE WHEN settings ->> 'stock_buffer' ~ '^[0-9]{1,9}$'
                    THEN (settings ->> 'stock_buffer')::numeric ELSE buffer END;
    CREATE FUNCTION ledger_holds(settings jsonb, policy text) RETURNS boolean
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN CASE WHEN settings ->> 'shortage_policy' IN ('send', 'hold')
                    THEN settings ->> 'shortage_policy' = 'hold' ELSE policy = 'hold' END;

    -- The WMS's last applied figure per article, and when the read that produced it STARTED.
    CREATE TABLE stock_snapshots (
        article_number  text PRIMARY KEY,
        sellable        numeric NOT NULL,
        on_hand         numeric,
        read_started_at timestamptz NOT NULL,
        read_kind       text NOT NULL,
        applied_at      timestamptz NOT NULL DEFAULT clock_timestamp()
    );

    -- The row every reservation of an article locks: available = sellable - held - placed.
    CREATE TABLE stock_counters (
        article_number text PRIMARY KEY,
        known          boolean NOT NULL DEFAULT false,
        sellable       numeric NOT NULL DEFAULT 0,
        held           numeric NOT NULL DEFAULT 0,
        placed         numeric NOT NULL DEFAULT 0,
        available      numeric GENERATED ALWAYS AS (sellable - held - placed) STORED,
        version        bigint NOT NULL DEFAULT 0,
        read_started_at timestamptz,
        updated_at     timestamptz NOT NULL DEFAULT clock_timestamp()
    );

    CREATE TABLE reservations (
        id               bigserial PRIMARY KEY,
        order_id         bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        revision         integer NOT NULL,
        line_no          integer NOT NULL,
        source_id        bigint NOT NULL REFERENCES sources (id),
        article_number   text NOT NULL,
        quantity         numeric NOT NULL CONSTRAINT reservations_quantity_positive CHECK (quantity > 0),
        state            text NOT NULL DEFAULT 'held'
                         CONSTRAINT reservations_state_check
                         CHECK (state IN ('held', 'placed', 'settled', 'released')),
        short            boolean NOT NULL DEFAULT false,
        available_before numeric NOT NULL,
        read_started_at  timestamptz,
        created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
        placed_at        timestamptz,
        settled_at       timestamptz,
        released_at      timestamptz,
        CONSTRAINT reservations_order_line_key UNIQUE (order_id, revision, line_no)
    );
    CREATE INDEX reservations_open ON reservations (article_number, state) WHERE state IN ('held', 'placed');
    CREATE INDEX reservations_article ON reservations (article_number, id);

    -- What each source should show per article (newest version wins) and what it was last told.
    CREATE TABLE stock_targets (
        source_id      bigint NOT NULL REFERENCES sources (id),
        article_number text NOT NULL,
        target         numeric NOT NULL,
        version        bigint NOT NULL,
        updated_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
        pushed_value   numeric,
        pushed_version bigint,
        pushed_at      timestamptz,
        PRIMARY KEY (source_id, article_number)
    );
    CREATE INDEX stock_targets_unpushed ON stock_targets (source_id)
        WHERE pushed_version IS NULL OR pushed_version < version;

    -- Every value actually sent to a source (forensics: what each source had been told, and when).
    CREATE TABLE stock_pushes (
        id             bigserial PRIMARY KEY,
        source_id      bigint NOT NULL REFERENCES sources (id),
        article_number text NOT NULL,
        value          numeric NOT NULL,
        version        bigint NOT NULL,
        pushed_at      timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX stock_pushes_article ON stock_pushes (article_number, source_id, pushed_at);
    """)


def downgrade() -> None:
    run_script("""
    DROP TABLE stock_pushes;
    DROP TABLE stock_targets;
    DROP TABLE reservations;
    DROP TABLE stock_counters;
    DROP TABLE stock_snapshots;
    DROP FUNCTION ledger_holds(jsonb, text);
    DROP FUNCTION ledger_stock_buffer(jsonb, integer);
    DROP SEQUENCE stock_version_seq;
    ALTER TABLE orders DROP COLUMN shortage_held, DROP COLUMN short;
    ALTER TABLE sources DROP COLUMN shortage_policy, DROP COLUMN stock_buffer;
    """)
