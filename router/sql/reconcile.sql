-- reconcile_ledger --
-- Every article the ledger counts, with its last applied read (for `router reconcile`).
SELECT c.article_number, c.known, c.sellable, c.held, c.placed, c.available, c.version, c.read_started_at,
       extract(epoch FROM clock_timestamp() - c.read_started_at)::float8 AS read_age_seconds
FROM stock_counters c
ORDER BY c.article_number;

-- reconcile_targets --
-- Per enabled source and article: what it should show, what it was last told, and its push jobs' state.
SELECT s.name AS source, t.article_number, t.target, t.version, t.pushed_value, t.pushed_version, t.pushed_at,
       ledger_stock_buffer(s.settings, s.stock_buffer) AS stock_buffer,
       EXISTS (SELECT 1 FROM outbox x WHERE x.lane = 'stock:' || s.id AND x.state = 'dead') AS push_dead,
       EXISTS (SELECT 1 FROM outbox x WHERE x.lane = 'stock:' || s.id AND x.state = 'pending') AS push_pending
FROM stock_targets t JOIN sources s ON s.id = t.source_id
WHERE s.enabled
ORDER BY t.article_number, s.name;

-- count_snapshots --
-- How many articles the last reads covered (the expected size of a full read, for a progress bar).
SELECT count(*) FROM stock_snapshots;
