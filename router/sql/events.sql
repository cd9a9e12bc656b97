-- find_order_by_wms_number --
-- Owner lookup: exactly the WMS number recorded at dispatch, never a guess from the suffix.
SELECT o.id, o.source_id, o.source_order_number, o.wms_order_number, o.wms_order_id, o.state, o.wms_status,
       s.kind AS source_kind
FROM orders o JOIN sources s ON s.id = o.source_id
WHERE o.wms_order_number = $1;

-- note_wms_status --
-- Remember the WMS status last seen for an order (and when it shipped).
UPDATE orders
SET wms_status = $2, wms_status_at = now(), shipped_at = coalesce(shipped_at, $3),
    state = CASE WHEN $2 = 1000 AND state IN ('in_wms', 'queued') THEN 'cancelled' ELSE state END,
    updated_at = now()
WHERE id = $1 AND (wms_status IS DISTINCT FROM $2 OR (shipped_at IS NULL AND $3::timestamptz IS NOT NULL));

-- insert_event --
-- A new event for the owning source; a known idempotency key adds nothing.
INSERT INTO order_events (order_id, source_id, kind, idempotency_key, payload)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT ON CONSTRAINT order_events_idempotency_key_key DO NOTHING
RETURNING id;

-- get_event --
-- One event with its order's source.
SELECT e.*, o.wms_order_number FROM order_events e JOIN orders o ON o.id = e.order_id WHERE e.id = $1;

-- mark_event_delivered --
-- The source accepted the event.
UPDATE order_events SET state = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = NULL
WHERE id = $1;

-- mark_event_failed --
-- A delivery attempt failed ($3: 'pending' to retry, 'dead' when given up).
UPDATE order_events SET attempts = attempts + 1, last_error = $2, state = $3 WHERE id = $1;

-- revive_event --
-- A replayed delivery is pending again.
UPDATE order_events SET state = 'pending', last_error = NULL WHERE id = $1 AND state = 'dead';

-- events_of_order --
-- Every event of an order, oldest first (for the status API).
SELECT kind, idempotency_key, state, created_at, delivered_at, attempts, last_error, payload
FROM order_events WHERE order_id = $1 ORDER BY id;

-- record_foreign --
-- An order the router did not create: counted once per status it is seen in, never delivered.
WITH prev AS (SELECT last_status FROM foreign_orders WHERE wms_order_number = $1)
INSERT INTO foreign_orders (wms_order_number, wms_order_id, last_status)
VALUES ($1, $2, $3)
ON CONFLICT (wms_order_number) DO UPDATE
SET sightings = foreign_orders.sightings + CASE WHEN foreign_orders.last_status IS DISTINCT FROM excluded.last_status
                                                THEN 1 ELSE 0 END,
    last_status = excluded.last_status, wms_order_id = excluded.wms_order_id, last_seen_at = now()
RETURNING NOT EXISTS (SELECT 1 FROM prev) OR (SELECT last_status FROM prev) IS DISTINCT FROM $3::int AS counted;

-- foreign_summary --
-- How many foreign orders and status sightings were ignored.
SELECT count(*)::int AS orders, coalesce(sum(sightings), 0)::int AS events_ignored, max(last_seen_at) AS last_seen_at
FROM foreign_orders;

-- list_foreign --
-- The most recently seen foreign orders.
SELECT * FROM foreign_orders ORDER BY last_seen_at DESC LIMIT $1;

-- get_cursor --
-- A read cursor's position.
SELECT position FROM wms_cursors WHERE name = $1;

-- set_cursor --
-- Move a read cursor forward (never back).
INSERT INTO wms_cursors (name, position) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET position = greatest(wms_cursors.position, excluded.position), updated_at = now();

-- claim_delivery --
-- The next due event delivery of any source; events of one order go out in order.
WITH next AS (
    SELECT x.id FROM outbox x
    WHERE x.lane LIKE 'source:%' AND x.state = 'pending' AND x.available_at <= now()
      AND (x.lease_until IS NULL OR x.lease_until < now()
           OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = x.leased_by_pid))
      AND NOT EXISTS (
          SELECT 1 FROM outbox p
          WHERE p.lane = x.lane AND p.order_id = x.order_id AND p.state = 'pending' AND p.id < x.id)
    ORDER BY x.priority, x.available_at, x.id
    FOR UPDATE SKIP LOCKED
    LIMIT 1
)
UPDATE outbox o
SET attempts = o.attempts + 1, lease_until = now() + make_interval(secs => $1), leased_by_pid = $2
FROM next WHERE o.id = next.id
RETURNING o.*;

-- next_delivery_due --
-- Seconds until the next pending delivery is due (NULL when none).
SELECT extract(epoch FROM min(available_at) - now())::float8 FROM outbox WHERE lane LIKE 'source:%' AND state = 'pending';

-- line_ids_of_order --
-- Article numbers by line id, to complete events from the stored order.
SELECT line_id, article_number, quantity FROM order_lines WHERE order_id = $1 ORDER BY line_no;

-- request_cancel --
-- A source asked to cancel; remember when (the WMS lane decides what is possible).
UPDATE orders SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now() WHERE id = $1
RETURNING state, wms_order_id;

-- cancel_before_dispatch --
-- Cancel an order the WMS never got: no WMS call needed.
UPDATE orders SET state = 'cancelled', updated_at = now()
WHERE id = $1 AND wms_order_id IS NULL AND state IN ('queued', 'received', 'dead_letter')
RETURNING id;

-- supersede_order_jobs --
-- A cancelled order's unsent jobs are no longer needed.
UPDATE outbox SET state = 'superseded', finished_at = now()
WHERE order_id = $1 AND kind = 'order.send' AND state = 'pending' AND lease_until IS NULL;

-- mark_order_state --
-- Set an order's state and reason.
UPDATE orders SET state = $2, last_error = $3, updated_at = now() WHERE id = $1;

-- lock_order_lines --
-- An order's lines with what events already reported, locked while new events are derived.
SELECT line_id, article_number, picked, returned FROM order_lines WHERE order_id = $1 ORDER BY line_no FOR UPDATE;

-- set_line_emitted --
-- Cumulative picked and returned quantities events have now reported for a line.
UPDATE order_lines SET picked = $3, returned = $4 WHERE order_id = $1 AND line_id = $2;

-- earliest_placed --
-- Where the first poll starts: the oldest order the WMS has from us.
SELECT min(placed_at) FROM orders WHERE placed_at IS NOT NULL;

-- send_attempted --
-- Whether any attempt to send the order to the WMS was made (its outcome may be unknown).
SELECT EXISTS (SELECT 1 FROM outbox WHERE order_id = $1 AND kind = 'order.send' AND attempts > 0);
