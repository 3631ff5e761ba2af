-- The backup catalog (SQLite), as the backup job keeps it: one set a night for the last
-- seven nights (relative to when this script runs), each deleted 30 days after it was taken.
CREATE TABLE backup_sets (
    set_id TEXT PRIMARY KEY,
    taken_at TEXT NOT NULL,
    expires TEXT NOT NULL,
    systems TEXT NOT NULL
);
WITH RECURSIVE nights (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM nights WHERE n < 7)
INSERT INTO backup_sets (set_id, taken_at, expires, systems)
SELECT 'nightly-' || date('now', '-' || n || ' days'),
       strftime('%Y-%m-%dT02:00:00Z', 'now', '-' || n || ' days'),
       date('now', '-' || n || ' days', '+30 days'),
       'respondents,attachments'
FROM nights;
