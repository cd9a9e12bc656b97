-- lock_counters --
-- The counter rows of some articles, created when missing and locked in article order (no deadlocks).
INSERT INTO stock_counters AS c (article_number)
SELECT a FROM unnest($1::text[]) AS a ORDER BY a
ON CONFLICT (article_number) DO UPDATE SET updated_at = c.updated_at
RETURNING c.article_number;

-- open_articles_of_order --
-- Articles an order still reserves (held or placed), in lock order.
SELECT DISTINCT article_number FROM reservations WHERE order_id = $1 AND state IN ('held', 'placed') ORDER BY 1;

-- reserve_lines --
-- Reserve an existing order's lines (the locking path of ingest); same rules as insert_new_order.
WITH want AS (
    SELECT t.article_number, sum(t.quantity) AS quantity
    FROM unnest($5::text[], $6::numeric[]) AS t(article_number, quantity)
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
), reserved AS (
    INSERT INTO reservations (order_id, revision, line_no, source_id, article_number, quantity, short,
                              available_before, read_started_at)
    SELECT $1, $2, t.line_no, $3, t.article_number, t.quantity, n.short, n.available_before, n.read_started_at
    FROM unnest($4::int[], $5::text[], $6::numeric[]) AS t(line_no, article_number, quantity)
    JOIN need n USING (article_number)
), counted AS (
    INSERT INTO stock_counters AS c (article_number, held, version)
    SELECT n.article_number, n.quantity, nextval('stock_version_seq') FROM need n ORDER BY n.article_number
    ON CONFLICT (article_number) DO UPDATE
    SET held = c.held + excluded.held, version = excluded.version, updated_at = clock_timestamp()
    RETURNING c.article_number
)
SELECT coalesce(bool_or(n.short), false) AS short,
       coalesce(bool_or(n.short), false) AND ledger_holds(s.settings, s.shortage_policy) AS held,
       (SELECT array_agg(article_number) FROM counted) AS articles
FROM sources s LEFT JOIN need n ON true WHERE s.id = $3 GROUP BY s.settings, s.shortage_policy;

-- mark_order_shortage --
-- Record an order's shortage verdict; a held order waits in state `received` and its send job is not due.
WITH o AS (
    UPDATE orders
    SET short = $2, shortage_held = $3,
        state = CASE WHEN $3 AND state = 'queued' THEN 'received'
                     WHEN NOT $3 AND state = 'received' THEN 'queued' ELSE state END
    WHERE id = $1
    RETURNING id
)
UPDATE outbox x SET available_at = CASE WHEN $3 THEN now() + interval '100 years' ELSE now() END
FROM o WHERE x.order_id = o.id AND x.kind = 'order.send' AND x.state = 'pending' AND x.lease_until IS NULL;

-- release_order_reservations --
-- Release what an order still reserves (cancelled or replaced); its counters must be locked first.
WITH old AS (
    SELECT id, state FROM reservations WHERE order_id = $1 AND state IN ('held', 'placed') FOR UPDATE
), gone AS (
    UPDATE reservations r SET state = 'released', released_at = clock_timestamp()
    FROM old WHERE r.id = old.id
    RETURNING r.article_number, r.quantity, old.state AS was
), agg AS (
    SELECT article_number,
           coalesce(sum(quantity) FILTER (WHERE was = 'held'), 0) AS held,
           coalesce(sum(quantity) FILTER (WHERE was = 'placed'), 0) AS placed
    FROM gone GROUP BY article_number
)
UPDATE stock_counters c
SET held = c.held - agg.held, placed = c.placed - agg.placed, version = nextval('stock_version_seq'),
    updated_at = clock_timestamp()
FROM agg WHERE c.article_number = agg.article_number
RETURNING c.article_number;

-- order_lines_to_reserve --
-- An order's current lines with its revision and source, to reserve them again (a replayed dead letter).
SELECT o.revision, o.source_id, array_agg(l.line_no ORDER BY l.line_no) AS line_numbers,
       array_agg(l.article_number ORDER BY l.line_no) AS articles,
       array_agg(l.quantity ORDER BY l.line_no) AS quantities
FROM orders o JOIN order_lines l ON l.order_id = o.id
WHERE o.id = $1
GROUP BY o.revision, o.source_id;

-- place_order_reservations --
-- The WMS confirmed the order: its held reservations become placed (available does not change).
WITH moved AS (
    UPDATE reservations SET state = 'placed', placed_at = clock_timestamp()
    WHERE order_id = $1 AND state = 'held'
    RETURNING article_number, quantity
), agg AS (
    SELECT article_number, sum(quantity) AS quantity FROM moved GROUP BY article_number
)
UPDATE stock_counters c
SET held = c.held - agg.quantity, placed = c.placed + agg.quantity, updated_at = clock_timestamp()
FROM agg WHERE c.article_number = agg.article_number;

-- apply_snapshot --
-- Apply a WMS read that started at $4 (older than the stored one: ignored), settle the placed reservations
-- the read includes (placed_at + skew $6 seconds <= read start) and recompute available; counters locked first.
-- Returns the articles whose available changed.
WITH incoming AS (
    SELECT * FROM unnest($1::text[], $2::numeric[], $3::numeric[]) AS t(article_number, sellable, on_hand)
), snap AS (
    INSERT INTO stock_snapshots AS s (article_number, sellable, on_hand, read_started_at, read_kind)
    SELECT article_number, sellable, on_hand, $4, $5 FROM incoming
    ON CONFLICT (article_number) DO UPDATE
    SET sellable = excluded.sellable, on_hand = excluded.on_hand, read_started_at = excluded.read_started_at,
        read_kind = excluded.read_kind, applied_at = clock_timestamp()
    WHERE s.read_started_at <= excluded.read_started_at
    RETURNING s.article_number, s.sellable
), settled AS (
    UPDATE reservations r SET state = 'settled', settled_at = clock_timestamp()
    FROM snap
    WHERE r.article_number = snap.article_number AND r.state = 'placed'
      AND r.placed_at + make_interval(secs => $6) <= $4
    RETURNING r.article_number, r.quantity
), agg AS (
    SELECT snap.article_number, snap.sellable,
           coalesce((SELECT sum(x.quantity) FROM settled x WHERE x.article_number = snap.article_number), 0) AS settled
    FROM snap
), old AS (
    SELECT c.article_number, c.known, c.available FROM stock_counters c JOIN agg USING (article_number)
)
UPDATE stock_counters c
SET sellable = agg.sellable, placed = c.placed - agg.settled, known = true, read_started_at = $4,
    version = CASE WHEN NOT c.known OR agg.sellable - (c.placed - agg.settled) <> c.sellable - c.placed
                   THEN nextval('stock_version_seq') ELSE c.version END,
    updated_at = clock_timestamp()
FROM agg, old
WHERE c.article_number = agg.article_number AND old.article_number = agg.article_number
RETURNING c.article_number, (NOT old.known OR old.available <> c.sellable - c.held - c.placed) AS changed;

-- refresh_targets --
-- New targets max(0, available - buffer) for every enabled source and the given articles (newer versions
-- only), and one coalescing push job per source that got one. Returns how many push jobs were added.
WITH targets AS (
    INSERT INTO stock_targets AS t (source_id, article_number, target, version)
    SELECT s.id, c.article_number, greatest(0, c.available - ledger_stock_buffer(s.settings, s.stock_buffer)),
           c.version
    FROM stock_counters c JOIN sources s ON s.enabled
    WHERE c.article_number = ANY($1::text[]) AND c.known
    ORDER BY s.id, c.article_number  -- target rows are locked in (source, article) order everywhere
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
)
SELECT count(*) FROM pushes;

-- seed_source_targets --
-- A source registered or enabled: targets for the known articles it has none for yet, and one push job.
WITH targets AS (
    INSERT INTO stock_targets AS t (source_id, article_number, target, version)
    SELECT s.id, c.article_number, greatest(0, c.available - ledger_stock_buffer(s.settings, s.stock_buffer)),
           c.version
    FROM stock_counters c JOIN sources s ON s.id = $1 AND s.enabled
    WHERE c.known
    ORDER BY c.article_number
    ON CONFLICT (source_id, article_number) DO NOTHING
    RETURNING t.source_id, t.version
), pushes AS (
    INSERT INTO outbox (lane, kind, priority, idempotency_key)
    SELECT 'stock:' || source_id, 'stock.push', 50, 'stock:' || source_id || ':' || max(version)
    FROM targets GROUP BY source_id
    ON CONFLICT ON CONSTRAINT outbox_idempotency_key_key DO NOTHING
    RETURNING lane
)
SELECT count(pg_notify('router_outbox', lane)) FROM pushes;

-- promote_covered --
-- Orders held for stock whose reservations are now covered (oldest first per article) become due.
WITH waiting AS (
    SELECT r.order_id, r.article_number, sum(r.quantity) AS quantity
    FROM reservations r JOIN orders o ON o.id = r.order_id
    WHERE o.shortage_held AND r.state = 'held'
    GROUP BY r.order_id, r.article_number
), room AS (
    SELECT w.order_id,
           c.known AND c.available + coalesce(sum(w.quantity) OVER (
               PARTITION BY w.article_number ORDER BY w.order_id DESC
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) >= 0 AS covered
    FROM waiting w JOIN stock_counters c USING (article_number)
), ready AS (
    SELECT order_id FROM room GROUP BY order_id HAVING bool_and(covered)
), freed AS (
    UPDATE orders o
    SET shortage_held = false, state = CASE WHEN o.state = 'received' THEN 'queued' ELSE o.state END,
        updated_at = now()
    FROM ready WHERE o.id = ready.order_id AND o.shortage_held
    RETURNING o.id
), due AS (
    UPDATE outbox x SET available_at = now()
    FROM freed WHERE x.order_id = freed.id AND x.kind = 'order.send' AND x.state = 'pending'
    RETURNING x.lane
)
SELECT (SELECT count(*) FROM freed) AS freed, (SELECT count(pg_notify('router_outbox', lane)) FROM due) AS woken;

-- claim_stock_push --
-- The next due stock push of any source.
WITH next AS (
    SELECT x.id FROM outbox x
    WHERE x.lane LIKE 'stock:%' AND x.state = 'pending' AND x.available_at <= now()
      AND (x.lease_until IS NULL OR x.lease_until < now()
           OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = x.leased_by_pid))
    ORDER BY x.priority, x.available_at, x.id
    FOR UPDATE SKIP LOCKED
    LIMIT 1
)
UPDATE outbox o
SET attempts = o.attempts + 1, lease_until = now() + make_interval(secs => $1), leased_by_pid = $2
FROM next WHERE o.id = next.id
RETURNING o.*;

-- next_stock_push_due --
-- Seconds until the next pending stock push is due (NULL when none).
SELECT extract(epoch FROM min(available_at) - now())::float8 FROM outbox WHERE lane LIKE 'stock:%' AND state = 'pending';

-- lock_source_pushes --
-- One pusher per source at a time, across processes, for the rest of the transaction.
SELECT pg_advisory_xact_lock(7412, $1::int);

-- unpushed_targets --
-- A source's targets newer than what it was told, and (same snapshot) the other unclaimed push jobs they cover.
WITH t AS (
    SELECT article_number, target, version, pushed_value FROM stock_targets
    WHERE source_id = $1 AND (pushed_version IS NULL OR pushed_version < version)
    ORDER BY article_number
)
SELECT array(SELECT article_number FROM t) AS articles, array(SELECT target FROM t) AS targets,
       array(SELECT version FROM t) AS versions, array(SELECT pushed_value FROM t) AS pushed,
       array(SELECT id FROM outbox WHERE lane = $2 AND state = 'pending' AND id <> $3 AND lease_until IS NULL)
           AS covered;

-- record_pushed --
-- What a source now has (never an older version over a newer one); values actually sent are logged.
-- Rows are locked in article order first, as every other writer of stock_targets does (no deadlocks).
WITH t AS (
    SELECT * FROM unnest($2::text[], $3::numeric[], $4::bigint[], $5::boolean[]) AS t(article_number, value, version, sent)
), locked AS (
    SELECT s.article_number FROM stock_targets s
    WHERE s.source_id = $1 AND s.article_number = ANY($2::text[])
    ORDER BY s.article_number
    FOR UPDATE
), upd AS (
    UPDATE stock_targets s
    SET pushed_value = t.value, pushed_version = t.version,
        pushed_at = CASE WHEN t.sent THEN clock_timestamp() ELSE s.pushed_at END
    FROM t JOIN locked USING (article_number)
    WHERE s.source_id = $1 AND s.article_number = t.article_number
      AND (s.pushed_version IS NULL OR s.pushed_version < t.version)
    RETURNING s.article_number
)
INSERT INTO stock_pushes (source_id, article_number, value, version)
SELECT $1, t.article_number, t.value, t.version FROM t JOIN upd USING (article_number) WHERE t.sent;

-- finish_jobs --
-- Mark several outbox rows done.
UPDATE outbox SET state = 'done', finished_at = now(), lease_until = NULL, last_error = NULL
WHERE id = ANY($1::bigint[]) AND state = 'pending';

-- db_clock --
-- The database's clock (every ledger timestamp comes from it, so router processes need not agree).
SELECT clock_timestamp();

-- stock_of_article --
-- The ledger's view of one article.
SELECT c.article_number, c.known, c.sellable, c.held, c.placed, c.available, c.version, c.updated_at,
       s.sellable AS snapshot_sellable, s.on_hand, s.read_started_at, s.read_kind, s.applied_at,
       extract(epoch FROM clock_timestamp() - s.read_started_at)::float8 AS snapshot_age_seconds
FROM stock_counters c LEFT JOIN stock_snapshots s USING (article_number)
WHERE c.article_number = $1;

-- open_reservations_of_article --
-- Every reservation still counting against an article.
SELECT r.id, r.order_id, o.wms_order_number, o.source_order_number, s.name AS source, r.line_no, r.quantity,
       r.state, r.short, r.available_before, r.created_at, r.placed_at
FROM reservations r JOIN orders o ON o.id = r.order_id JOIN sources s ON s.id = r.source_id
WHERE r.article_number = $1 AND r.state IN ('held', 'placed')
ORDER BY r.id;

-- targets_of_article --
-- Per source: the current target and what it was last told.
SELECT s.name AS source, t.target, t.version, t.pushed_value, t.pushed_version, t.pushed_at, t.updated_at
FROM stock_targets t JOIN sources s ON s.id = t.source_id
WHERE t.article_number = $1
ORDER BY s.name;

-- shortages_of_article --
-- Short reservations, newest first, with the reservation that took the last unit before each.
SELECT r.id, r.order_id, o.wms_order_number, o.source_order_number, s.name AS source, r.quantity,
       r.available_before, r.created_at, r.read_started_at,
       extract(epoch FROM r.created_at - r.read_started_at)::float8 AS read_age_seconds,
       lo.wms_order_number AS last_unit_wms_order_number, ls.name AS last_unit_source,
       lt.created_at AS last_unit_reserved_at
FROM reservations r
JOIN orders o ON o.id = r.order_id
JOIN sources s ON s.id = r.source_id
LEFT JOIN LATERAL (
    SELECT p.order_id, p.created_at FROM reservations p
    WHERE p.article_number = r.article_number AND p.id < r.id AND NOT p.short
    ORDER BY p.id DESC LIMIT 1
) lt ON true
LEFT JOIN orders lo ON lo.id = lt.order_id
LEFT JOIN sources ls ON ls.id = lo.source_id
WHERE r.article_number = $1 AND r.short
ORDER BY r.id DESC
LIMIT $2;

-- told_before --
-- What each source had last been sent for an article at a moment.
SELECT s.name AS source, p.value, p.version, p.pushed_at
FROM sources s
JOIN LATERAL (
    SELECT * FROM stock_pushes p WHERE p.source_id = s.id AND p.article_number = $1 AND p.pushed_at <= $2
    ORDER BY p.pushed_at DESC, p.id DESC LIMIT 1
) p ON true
ORDER BY s.name;
