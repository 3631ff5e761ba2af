-- Sensor events of the last 24 hours (SQLite), relative to when this script runs: the app
-- deletes older ones by itself.
CREATE TABLE sensor_events (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    sensor TEXT NOT NULL,
    at TEXT NOT NULL,
    event TEXT NOT NULL
);
WITH RECURSIVE hours (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM hours WHERE n < 23)
INSERT INTO sensor_events (account_id, sensor, at, event)
SELECT account_id, sensor, strftime('%Y-%m-%dT%H:00:00Z', 'now', '-' || n || ' hours'),
       CASE WHEN n % 2 = 0 THEN 'opened' ELSE 'closed' END
FROM hours, (SELECT 'A-5001' AS account_id, 'DW-3001' AS sensor
             UNION ALL SELECT 'A-5001', 'MO-3002'
             UNION ALL SELECT 'A-5002', 'DW-3003'
             UNION ALL SELECT 'A-5003', 'MO-3004');
