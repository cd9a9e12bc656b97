-- insert_purchase_order --
-- A new purchase order; no row back means (source, number) exists already.
INSERT INTO purchase_orders (source_id, source_number, wms_number, payload, payload_hash, inbox_id)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT ON CONSTRAINT purchase_orders_source_number_key DO NOTHING
RETURNING id;

-- insert_purchase_order_lines --
-- The lines of a purchase order (arrays, one element per line).
INSERT INTO purchase_order_lines (purchase_order_id, line_no, line_id, article_number, quantity)
SELECT $1, n, l, a, q FROM unnest($2::int[], $3::text[], $4::text[], $5::numeric[]) AS t (n, l, a, q);

-- get_purchase_order_by_source_number --
-- The purchase order a source already sent under this number.
SELECT * FROM purchase_orders WHERE source_id = $1 AND source_number = $2;

-- get_purchase_order --
-- One purchase order by id.
SELECT * FROM purchase_orders WHERE id = $1;

-- get_purchase_order_for_source --
-- One purchase order of a source by its own number or the WMS number.
SELECT p.*, s.name AS source_name,
       (SELECT coalesce(sum(x.attempts), 0) FROM outbox x WHERE x.idempotency_key = 'po:' || p.id)::int AS attempts
FROM purchase_orders p JOIN sources s ON s.id = p.source_id
WHERE p.source_id = $1 AND (p.source_number = $2 OR p.wms_number = $2)
ORDER BY p.source_number = $2 DESC
LIMIT 1;

-- purchase_order_lines --
-- A purchase order's lines with what events already reported as received.
SELECT line_id, article_number, quantity, received FROM purchase_order_lines WHERE purchase_order_id = $1 ORDER BY line_no;

-- place_purchase_order --
-- The WMS confirmed the purchase order under InOrderId $2.
UPDATE purchase_orders
SET state = 'in_wms', wms_in_order_id = $2, placed_at = coalesce(placed_at, now()), last_error = NULL, updated_at = now()
WHERE id = $1;

-- note_purchase_order_error --
-- A failed attempt ($2: queued while retried, dead_letter when given up).
UPDATE purchase_orders SET state = $2, last_error = $3, updated_at = now() WHERE id = $1 AND wms_in_order_id IS NULL;

-- find_purchase_order_by_wms_number --
-- Owner lookup: exactly the WMS number the router gave the purchase order.
SELECT id, source_id, source_number, wms_number FROM purchase_orders WHERE wms_number = $1;

-- lock_purchase_order_lines --
-- A purchase order's lines with the received quantities already reported, locked while events are derived.
SELECT line_id, article_number, received FROM purchase_order_lines WHERE purchase_order_id = $1 ORDER BY line_no FOR UPDATE;

-- set_purchase_line_received --
-- Cumulative received quantity events have now reported for a line.
UPDATE purchase_order_lines SET received = $3 WHERE purchase_order_id = $1 AND line_id = $2;

-- note_purchase_order_status --
-- Remember the WMS status last seen for a purchase order.
UPDATE purchase_orders SET wms_status = $2, updated_at = now() WHERE id = $1 AND wms_status IS DISTINCT FROM $2;

-- earliest_purchase_order_placed --
-- Where the first purchase-order poll starts: the oldest purchase order the WMS has from us.
SELECT min(placed_at) FROM purchase_orders WHERE placed_at IS NOT NULL;

-- insert_purchase_order_event --
-- A new event for the owning source; a known idempotency key adds nothing.
INSERT INTO purchase_order_events (purchase_order_id, source_id, idempotency_key, payload)
VALUES ($1, $2, $3, $4)
ON CONFLICT ON CONSTRAINT purchase_order_events_idempotency_key_key DO NOTHING
RETURNING id;

-- get_purchase_order_event --
-- One purchase-order event.
SELECT * FROM purchase_order_events WHERE id = $1;

-- mark_purchase_order_event_delivered --
-- The source accepted the event.
UPDATE purchase_order_events SET state = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = NULL
WHERE id = $1;

-- mark_purchase_order_event_failed --
-- A delivery attempt failed ($3: 'pending' to retry, 'dead' when given up).
UPDATE purchase_order_events SET attempts = attempts + 1, last_error = $2, state = $3 WHERE id = $1;

-- events_of_purchase_order --
-- Every event of a purchase order, oldest first.
SELECT idempotency_key, state, created_at, delivered_at, attempts, last_error, payload
FROM purchase_order_events WHERE purchase_order_id = $1 ORDER BY id;

-- record_foreign_in_order --
-- A purchase order the router did not create: counted once per status it is seen in, never delivered.
WITH prev AS (SELECT last_status FROM foreign_in_orders WHERE wms_number = $1)
INSERT INTO foreign_in_orders (wms_number, wms_in_order_id, last_status)
VALUES ($1, $2, $3)
ON CONFLICT (wms_number) DO UPDATE
SET sightings = foreign_in_orders.sightings + CASE WHEN foreign_in_orders.last_status IS DISTINCT FROM excluded.last_status
                                                   THEN 1 ELSE 0 END,
    last_status = excluded.last_status, wms_in_order_id = excluded.wms_in_order_id, last_seen_at = now()
RETURNING NOT EXISTS (SELECT 1 FROM prev) OR (SELECT last_status FROM prev) IS DISTINCT FROM $3::int AS counted;

-- foreign_in_orders_summary --
-- How many foreign purchase orders and status sightings were ignored.
SELECT count(*)::int AS in_orders, coalesce(sum(sightings), 0)::int AS sightings, max(last_seen_at) AS last_seen_at
FROM foreign_in_orders;

-- claim_purchase_event_delivery --
-- The next due purchase-order event delivery of any source; events of one purchase order go out in order.
WITH next AS (
    SELECT x.id FROM outbox x
    WHERE x.lane LIKE 'po:%' AND x.state = 'pending' AND x.available_at <= now()
      AND (x.lease_until IS NULL OR x.lease_until < now()
           OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = x.leased_by_pid))
      AND NOT EXISTS (
          SELECT 1 FROM outbox p
          WHERE p.lane = x.lane AND p.payload->'purchase_order_id' = x.payload->'purchase_order_id'
            AND p.state = 'pending' AND p.id < x.id)
    ORDER BY x.priority, x.available_at, x.id
    FOR UPDATE SKIP LOCKED
    LIMIT 1
)
UPDATE outbox o
SET attempts = o.attempts + 1, lease_until = now() + make_interval(secs => $1), leased_by_pid = $2
FROM next WHERE o.id = next.id
RETURNING o.*;

-- next_purchase_event_due --
-- Seconds until the next pending purchase-order event delivery is due (NULL when none).
SELECT extract(epoch FROM min(available_at) - now())::float8 FROM outbox WHERE lane LIKE 'po:%' AND state = 'pending';
