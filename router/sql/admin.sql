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

-- open_admin_session --
-- A signed-in admin's session ($1 token hash, $2 admin key tag, $3 seconds it lasts); long-expired ones go.
WITH forgotten AS (
    DELETE FROM admin_sessions WHERE expires_at < now() - interval '30 days'
)
INSERT INTO admin_sessions (token_hash, key_tag, expires_at)
VALUES ($1, $2, now() + make_interval(secs => $3))
RETURNING id;

-- admin_session_is_open --
-- True when the session exists, was opened with the current admin key, and has neither ended nor expired.
SELECT EXISTS (
    SELECT 1 FROM admin_sessions
    WHERE token_hash = $1 AND key_tag = $2 AND ended_at IS NULL AND expires_at > now()
);

-- end_admin_session --
-- Sign-out: the session ends for every browser holding its cookie.
UPDATE admin_sessions SET ended_at = now(), ended_reason = 'signed out'
WHERE token_hash = $1 AND ended_at IS NULL;

-- end_all_admin_sessions --
-- `router admin end-sessions`: every open session ends. Returns how many did.
WITH ended AS (
    UPDATE admin_sessions SET ended_at = now(), ended_reason = 'ended by operator'
    WHERE ended_at IS NULL AND expires_at > now()
    RETURNING 1
)
SELECT count(*)::int FROM ended;
