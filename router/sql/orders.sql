-- lock_order_by_source_number --
-- The existing order for (source, source order number), locked for replacement.
SELECT * FROM orders WHERE source_id = $1 AND source_order_number = $2 FOR UPDATE;

-- insert_new_order --
-- Fast path for an order never seen before, in one statement: the order, its lines, its reservations (the
-- article counters locked in article order, so multi-line orders cannot deadlock), its outbox row (not due
-- while the order waits for stock under the source's `hold` policy), new stock targets for every source,
-- the payload's fate and the lanes' wake-up. No row back means the order exists (take the locking path).
WITH want AS (
    SELECT t.article_number, sum(t.quantity) AS quantity
    FROM unnest($10::text[], $11::numeric[]) AS t(article_number, quantity)
    GROUP BY t.article_number
), locked AS (
    SELECT c.article_number, c.available, c.read_started_at FROM stock_counters c
    WHERE c.article_number IN (SELECT article_number FROM want)
    ORDER BY c.article_number
    FOR UPDATE
), need AS (
    SELECT w.article_number, w.quantity, coalesce(l.available, 0) AS available_before, l.read_started_at,
           coalesce(l.available, 0) < w.quantity AS short
    FROM want w LEFT JOIN locked l USING (article_number)
), verdict AS (
    SELECT coalesce(bool_or(n.short), false) AS short,
           coalesce(bool_or(n.short), false) AND ledger_holds(s.settings, s.shortage_policy) AS held
    FROM sources s LEFT JOIN need n ON true WHERE s.id = $1 GROUP BY s.settings, s.shortage_policy
), o AS (
    INSERT INTO orders (source_id, source_order_number, wms_order_number, order_type, state, payload, payload_hash,
                        inbox_id, short, shortage_held)
    SELECT $1, $2, $3, $4, CASE WHEN v.held THEN 'received' ELSE 'queued' END, $5, $6, $7, v.short, v.held
    FROM verdict v
    ON CONFLICT ON CONSTRAINT orders_source_order_key DO NOTHING
    RETURNING id, revision, short, shortage_held
), lines AS (
    INSERT INTO order_lines (order_id, line_no, line_id, article_number, quantity)
    SELECT o.id, t.line_no, t.line_id, t.article_number, t.quantity
    FROM o, unnest($8::int[], $9::text[], $10::text[], $11::numeric[]) AS t(line_no, line_id, article_number, quantity)
), reserved AS (
    INSERT INTO reservations (order_id, revision, line_no, source_id, article_number, quantity, short,
                              available_before, read_started_at)
    SELECT o.id, 1, t.line_no, $1, t.article_number, t.quantity, n.short, n.available_before, n.read_started_at
    FROM o, unnest($8::int[], $10::text[], $11::numeric[]) AS t(line_no, article_number, quantity)
    JOIN need n USING (article_number)
), counted AS (
    INSERT INTO stock_counters AS c (article_number, held, version)
    SELECT n.article_number, n.quantity, nextval('stock_version_seq') FROM o, need n ORDER BY n.article_number
    ON CONFLICT (article_number) DO UPDATE
    SET held = c.held + excluded.held, version = excluded.version, updated_at = clock_timestamp()
    RETURNING c.article_number, c.known, c.sellable - c.held - c.placed AS available, c.version
), targets AS (
    INSERT INTO stock_targets AS t (source_id, article_number, target, version)
    SELECT s.id, k.article_number, greatest(0, k.available - ledger_stock_buffer(s.settings, s.stock_buffer)), k.version
    FROM counted k JOIN sources s ON s.enabled WHERE k.known
    ORDER BY s.id, k.article_number  -- target rows are locked in (source, article) order everywhere
    ON CONFLICT (source_id, article_number) DO UPDATE
    SET target = excluded.target, version = excluded.version, updated_at = clock_timestamp()
    WHERE t.version < excluded.version
    RETURNING t.source_id, t.version
), pushes AS (
    INSERT INTO outbox (lane, kind, priority, idempotency_key)
    SELECT 'stock:' || source_id, 'stock.push', 50, 'stock:' || source_id || ':' || max(version)
    FROM targets GROUP BY source_id
    ON CONFLICT ON CONSTRAINT outbox_idempotency_key_key DO NOTHING
    RETURNING id
), job AS (
    INSERT INTO outbox (lane, kind, priority, order_id, idempotency_key, payload, available_at)
    SELECT $12, 'order.send', $13, o.id, 'order:' || o.id || ':rev:1', jsonb_build_object('revision', 1),
           CASE WHEN o.shortage_held THEN now() + interval '100 years' ELSE now() END
    FROM o
), fate AS (
    UPDATE inbox SET state = 'accepted', order_id = o.id, processed_at = clock_timestamp() FROM o WHERE inbox.id = $7
)
SELECT o.id, o.revision, o.short, o.shortage_held, pg_notify('router_outbox', $12),
       (SELECT count(*) FROM (SELECT pg_notify('router_outbox', 'stock:') FROM pushes LIMIT 1) n) AS pushes
FROM o;

-- insert_order --
-- A new order; (source, number) and the WMS number are unique.
INSERT INTO orders (source_id, source_order_number, wms_order_number, order_type, state, payload, payload_hash, inbox_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id, revision;

-- replace_order --
-- A changed order before dispatch replaces the stored one.
UPDATE orders
SET order_type = $2, payload = $3, payload_hash = $4, inbox_id = $5, revision = revision + 1,
    state = $6, last_error = NULL, updated_at = now()
WHERE id = $1
RETURNING id, revision;

-- delete_order_lines --
-- Drop the lines of an order about to be replaced.
DELETE FROM order_lines WHERE order_id = $1;

-- insert_order_lines --
-- The lines of an order (arrays, one element per line).
INSERT INTO order_lines (order_id, line_no, line_id, article_number, quantity)
SELECT $1, t.line_no, t.line_id, t.article_number, t.quantity
FROM unnest($2::int[], $3::text[], $4::text[], $5::numeric[]) AS t(line_no, line_id, article_number, quantity);

-- get_order --
-- One order by id.
SELECT * FROM orders WHERE id = $1;

-- get_order_for_source --
-- One order of a source by the source's number or the WMS number.
SELECT o.*, s.name AS source_name,
       (SELECT coalesce(sum(x.attempts), 0) FROM outbox x WHERE x.order_id = o.id)::int AS attempts
FROM orders o JOIN sources s ON s.id = o.source_id
WHERE o.source_id = $1 AND (o.source_order_number = $2 OR o.wms_order_number = $2)
ORDER BY (o.source_order_number = $2) DESC
LIMIT 1;

-- list_orders_for_source --
-- A page of a source's orders, newest first (keyset on id).
SELECT o.*, s.name AS source_name,
       (SELECT coalesce(sum(x.attempts), 0) FROM outbox x WHERE x.order_id = o.id)::int AS attempts
FROM orders o JOIN sources s ON s.id = o.source_id
WHERE o.source_id = $1 AND ($2::bigint IS NULL OR o.id < $2) AND ($3::text IS NULL OR o.state = $3)
ORDER BY o.id DESC
LIMIT $4;

-- mark_order_failed --
-- Record a failed attempt (state changes only for a dead letter).
UPDATE orders SET state = $2, last_error = $3, updated_at = now() WHERE id = $1;

-- requeue_order --
-- A replayed dead letter puts its order back in the queue.
UPDATE orders SET state = 'queued', last_error = NULL, updated_at = now() WHERE id = $1 AND state = 'dead_letter';

-- order_in_wms --
-- Whether the WMS has confirmed some revision of an order.
SELECT wms_order_id IS NOT NULL FROM orders WHERE id = $1;

-- order_owner --
-- An order's numbers and when it was placed, with its source's id and connector kind.
SELECT o.source_id, o.source_order_number, o.wms_order_number, o.placed_at, s.kind
FROM orders o JOIN sources s ON s.id = o.source_id WHERE o.id = $1;

-- note_order_error --
-- Show the last transient error on the order without changing its state.
UPDATE orders SET last_error = $2, updated_at = now() WHERE id = $1;

-- place_order_and_finish --
-- The WMS confirmed revision $3 under OrderId $2: record it and finish outbox row $4, in one statement.
WITH placed AS (
    UPDATE orders
    SET state = CASE WHEN state IN ('cancelled', 'conflict') THEN state ELSE 'in_wms' END,
        wms_order_id = $2, sent_revision = greatest(coalesce(sent_revision, 0), $3),
        placed_at = coalesce(placed_at, now()), last_error = NULL, updated_at = now()
    WHERE id = $1
    RETURNING id
)
UPDATE outbox SET state = 'done', finished_at = now(), lease_until = NULL, last_error = NULL
WHERE id = $4 AND state = 'pending';
