-- insert_source --
-- Register a source; the API key is stored as id + SHA-256 hash only.
INSERT INTO sources (name, kind, suffix, order_type, is_article_master, settings, credentials, api_key_id, api_key_hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING *;

-- list_sources --
-- Every source, oldest first.
SELECT * FROM sources ORDER BY id;

-- get_source_by_name --
-- One source by its name.
SELECT * FROM sources WHERE name = $1;

-- get_source_by_id --
-- One source by id.
SELECT * FROM sources WHERE id = $1;

-- get_source_by_key_id --
-- The source an API key belongs to (looked up by the key's public id part).
SELECT * FROM sources WHERE api_key_id = $1;

-- lock_source --
-- Lock a source row for an update.
SELECT * FROM sources WHERE id = $1 FOR UPDATE;

-- update_source --
-- Replace the changeable fields of a source.
UPDATE sources
SET kind = $2, suffix = $3, order_type = $4, is_article_master = $5, settings = $6,
    credentials = $7, enabled = $8, updated_at = now()
WHERE id = $1
RETURNING *;

-- source_has_orders --
-- Whether any order was ever taken from this source (its suffix is then fixed).
SELECT EXISTS (SELECT 1 FROM orders WHERE source_id = $1);
