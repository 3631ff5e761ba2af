-- Rewards paid to respondents (SQLite): accounting vouchers of the survey company, per
-- client, restricted (`restricted` = 1) while the Accounting Act keeps them.
CREATE TABLE rewards (
    id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL,
    respondent_number TEXT NOT NULL,
    paid_on TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    restricted INTEGER NOT NULL DEFAULT 0
);
INSERT INTO rewards (client_id, respondent_number, paid_on, amount_cents) VALUES
    ('acme', 'R-7001', '2026-03-15', 1000),
    ('acme', 'R-7002', '2026-03-15', 1000),
    ('globex', 'R-7001', '2025-10-01', 500),
    ('globex', 'R-7003', '2025-10-01', 500);
