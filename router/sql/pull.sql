-- get_pull_cursor --
-- Where a pull source's next pull starts (NULL: the first, full sync).
SELECT cursor FROM pull_cursors WHERE source_id = $1;

-- set_pull_cursor --
-- Advance a pull source's cursor once its page is stored.
INSERT INTO pull_cursors (source_id, cursor) VALUES ($1, $2)
ON CONFLICT (source_id) DO UPDATE SET cursor = excluded.cursor, pulled_at = now();

-- claim_pulled_item --
-- Remember a pulled document; no row back means it was stored before (an overlapping read).
INSERT INTO pulled_items (source_id, external_id, inbox_id) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING
RETURNING inbox_id;

-- try_source_lock --
-- One poller per source across all router processes (released right after the pull).
SELECT pg_try_advisory_lock(7413, $1::int);

-- source_unlock --
-- Release a source's poller lock.
SELECT pg_advisory_unlock(7413, $1::int);

-- pulled_before --
-- Whether a pulled document (by its external id) was stored before.
SELECT EXISTS (SELECT 1 FROM pulled_items WHERE source_id = $1 AND external_id = $2);

-- release_pulled_item --
-- Forget a claimed document whose ingest failed unexpectedly, so the platform's retry is processed.
DELETE FROM pulled_items WHERE source_id = $1 AND external_id = $2 AND inbox_id = $3;
