-- lock_article_master --
-- Serialise master switches: one at a time, each seeing the one before it committed.
SELECT pg_advisory_xact_lock(hashtext('router:article_master'));

-- clear_article_master --
-- The current master (unless it is the new one) is master no longer.
UPDATE sources SET is_article_master = false, updated_at = now() WHERE is_article_master AND name <> $1;

-- set_article_master --
-- Make a source the article master.
UPDATE sources SET is_article_master = true, updated_at = now() WHERE name = $1 RETURNING *;

-- get_article_master --
-- The article master source, if any.
SELECT * FROM sources WHERE is_article_master;

-- source_is_master_locked --
-- Whether a source is the article master; the row stays share-locked so no switch commits meanwhile.
SELECT is_article_master FROM sources WHERE id = $1 FOR SHARE;

-- insert_article_update --
-- An article update as received, with its fate (pending: to be sent; ignored: not from the master).
INSERT INTO article_updates (source_id, inbox_id, article_number, payload, active, fate, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id;

-- inbox_channel --
-- The channel a stored payload arrived on.
SELECT channel FROM inbox WHERE id = $1;

-- get_article_update --
-- One article update with its source's name and current master flag.
SELECT u.*, s.name AS source_name, s.is_article_master
FROM article_updates u JOIN sources s ON s.id = u.source_id
WHERE u.id = $1;

-- article_update_of_inbox --
-- The article update a stored payload became.
SELECT u.*, s.name AS source_name
FROM article_updates u JOIN sources s ON s.id = u.source_id
WHERE u.inbox_id = $1;

-- set_article_fate --
-- Record what became of an update ($2 fate, $3 reason, $4 the WMS's ArticleDefId when sent).
UPDATE article_updates
SET fate = $2, reason = $3, wms_article_id = coalesce($4, wms_article_id),
    sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
WHERE id = $1;

-- recent_article_updates --
-- The newest article updates, optionally of one source.
SELECT s.name AS source, u.article_number, u.fate, u.reason, u.received_at, u.sent_at
FROM article_updates u JOIN sources s ON s.id = u.source_id
WHERE ($1::text IS NULL OR s.name = $1)
ORDER BY u.id DESC
LIMIT $2;

-- insert_article_waits --
-- An order waits for articles the WMS does not know yet.
INSERT INTO article_waits (order_id, article_number)
SELECT $1, a FROM unnest($2::text[]) AS a
ON CONFLICT DO NOTHING;

-- release_article_waits --
-- The article now exists: orders waiting only for it (and whichever others also appeared) are due again.
WITH gone AS (
    DELETE FROM article_waits WHERE article_number = ANY($1::text[]) RETURNING order_id
)
SELECT o.id, o.revision
FROM orders o
WHERE o.id IN (SELECT order_id FROM gone)
  AND NOT EXISTS (SELECT 1 FROM article_waits w WHERE w.order_id = o.id AND NOT (w.article_number = ANY($1::text[])))
ORDER BY o.id;

-- waiting_articles --
-- Articles some order waits for.
SELECT DISTINCT article_number FROM article_waits ORDER BY 1;

-- requeue_waiting_order --
-- A waiting order goes back into the queue.
UPDATE orders SET state = 'queued', last_error = NULL, updated_at = now()
WHERE id = $1 AND state = 'received' AND NOT shortage_held
RETURNING id;

-- hold_order_for_articles --
-- The WMS lacks an article of the order: it waits (state received) with the reason shown.
UPDATE orders SET state = 'received', last_error = $2, updated_at = now()
WHERE id = $1 AND state NOT IN ('cancelled', 'conflict');
