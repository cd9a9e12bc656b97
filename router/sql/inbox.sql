-- insert_inbox --
-- Store a raw payload before anything else looks at it.
INSERT INTO inbox (source_id, channel, headers, body) VALUES ($1, $2, $3, $4) RETURNING id;

-- finish_inbox --
-- Record what became of a payload.
UPDATE inbox SET state = $2, error = $3, order_id = $4, processed_at = clock_timestamp() WHERE id = $1;

-- get_inbox --
-- One stored payload.
SELECT * FROM inbox WHERE id = $1;

-- list_inbox --
-- Stored payloads of a source, newest first, optionally only one state.
SELECT id, source_id, channel, received_at, state, error, order_id, processed_at, octet_length(body) AS size
FROM inbox
WHERE ($1::bigint IS NULL OR source_id = $1) AND ($2::text IS NULL OR state = $2) AND ($3::bigint IS NULL OR id < $3)
ORDER BY id DESC
LIMIT $4;
