-- admin_stock_overview --
-- Every article the ledger knows, with its snapshot's age and how many reservations still count against it.
SELECT c.article_number, c.known, c.sellable, c.held, c.placed, c.available, c.updated_at,
       s.read_started_at,
       extract(epoch FROM clock_timestamp() - s.read_started_at)::float8 AS snapshot_age_seconds,
       (SELECT count(*) FROM reservations r
        WHERE r.article_number = c.article_number AND r.state IN ('held', 'placed'))::int AS open_reservations
FROM stock_counters c LEFT JOIN stock_snapshots s USING (article_number)
WHERE ($1::text IS NULL OR c.article_number >= $1)
ORDER BY c.article_number
LIMIT $2;
