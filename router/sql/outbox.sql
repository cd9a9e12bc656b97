-- enqueue --
-- Add a row in the caller's transaction; the same idempotency key twice is a no-op.
INSERT INTO outbox (lane, kind, priority, order_id, idempotency_key, payload)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT ON CONSTRAINT outbox_idempotency_key_key DO NOTHING
RETURNING id;

-- notify --
-- Wake the workers of a lane once the transaction commits.
SELECT pg_notify('router_outbox', $1);

-- supersede_pending --
-- An order replaced before dispatch: its older, unsent rows are no longer needed.
UPDATE outbox SET state = 'superseded', finished_at = now()
WHERE order_id = $1 AND kind = $2 AND state = 'pending' AND idempotency_key <> $3 AND lease_until IS NULL;

-- claim --
-- Take the next due row of a lane: highest priority first, skipping rows other workers hold.
-- A lease held by a session that no longer exists is free at once.
WITH next AS (
    SELECT id FROM outbox
    WHERE lane = $1 AND state = 'pending' AND available_at <= now()
      AND (lease_until IS NULL OR lease_until < now()
           OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = outbox.leased_by_pid))
    ORDER BY priority, available_at, id
    FOR UPDATE SKIP LOCKED
    LIMIT 1
)
UPDATE outbox o
SET attempts = o.attempts + 1, lease_until = now() + make_interval(secs => $2), leased_by_pid = $3
FROM next WHERE o.id = next.id
RETURNING o.*;

-- finish --
-- The row's work is done.
UPDATE outbox SET state = 'done', finished_at = now(), lease_until = NULL, last_error = NULL
WHERE id = $1 AND state = 'pending';

-- retry_later --
-- A transient failure: try again after a backoff.
UPDATE outbox
SET available_at = now() + make_interval(secs => $2), lease_until = NULL, leased_by_pid = NULL, last_error = $3
WHERE id = $1 AND state = 'pending';

-- bury --
-- A permanent failure or too many attempts: a dead letter.
UPDATE outbox SET state = 'dead', finished_at = now(), lease_until = NULL, last_error = $2
WHERE id = $1 AND state = 'pending';

-- list_dead --
-- Dead letters, newest first.
SELECT x.id, x.lane, x.kind, x.order_id, x.idempotency_key, x.attempts, x.last_error, x.created_at,
       x.finished_at, o.wms_order_number, o.source_order_number, s.name AS source_name
FROM outbox x
LEFT JOIN orders o ON o.id = x.order_id
LEFT JOIN sources s ON s.id = o.source_id
WHERE x.state = 'dead' AND ($1::bigint IS NULL OR x.id < $1)
ORDER BY x.id DESC
LIMIT $2;

-- revive --
-- Replay a dead letter: pending again, attempts from zero.
UPDATE outbox
SET state = 'pending', attempts = 0, available_at = now(), lease_until = NULL, leased_by_pid = NULL,
    finished_at = NULL
WHERE id = $1 AND state = 'dead'
RETURNING *;

-- get_outbox --
-- One row.
SELECT * FROM outbox WHERE id = $1;

-- due_lanes --
-- Lanes that have due work (for the sweep).
SELECT DISTINCT lane FROM outbox WHERE state = 'pending' AND available_at <= now();

-- next_due --
-- Seconds until the lane's next pending row is due (NULL when it has none).
SELECT extract(epoch FROM min(available_at) - now())::float8 FROM outbox WHERE lane = $1 AND state = 'pending';

-- try_lane_lock --
-- One holder of a lane across all router processes (session-level advisory lock).
SELECT pg_try_advisory_lock(7411, hashtext($1));

-- revive_event_of_job --
-- A replayed event delivery makes its event pending again.
UPDATE order_events SET state = 'pending', last_error = NULL
WHERE id = ($1::jsonb ->> 'event_id')::bigint AND state = 'dead';

-- pending_reads --
-- Other due webhook-triggered reads of kind $4 in the lane, to answer together with one WMS call.
SELECT id, payload FROM outbox
WHERE lane = $1 AND kind = $4 AND state = 'pending' AND available_at <= now() AND id <> $2
ORDER BY id
LIMIT $3;

-- finish_many --
-- Several rows done at once (reads answered by one batched call).
UPDATE outbox SET state = 'done', finished_at = now(), lease_until = NULL, last_error = NULL
WHERE id = ANY($1::bigint[]) AND state = 'pending';
