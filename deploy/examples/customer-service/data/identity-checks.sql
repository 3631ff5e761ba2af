-- Identity-verification records (SQLite): how each caller was identified.
CREATE TABLE verifications (
    id INTEGER PRIMARY KEY,
    national_id TEXT NOT NULL,
    verified_at TEXT NOT NULL,
    method TEXT NOT NULL,
    reference TEXT
);
INSERT INTO verifications (national_id, verified_at, method, reference) VALUES
    ('131052-308T', '2026-06-02T09:14:00Z', 'strong electronic identification (bank)', 'tunnistus-88121'),
    ('131052-308T', '2026-10-20T13:02:00Z', 'security questions', 'agent-7'),
    ('240788-143E', '2026-09-11T10:40:00Z', 'strong electronic identification (mobile)', 'tunnistus-90233'),
    ('050395-566D', '2026-11-05T15:21:00Z', 'strong electronic identification (bank)', 'tunnistus-91007');
