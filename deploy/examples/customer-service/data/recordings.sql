-- Call recordings (SQLite), dated relative to when this script runs, so that the holds
-- show: kept 3 months from the call, 12 while a complaint is open (`complaint_open` = 1).
-- Aino (+358401234567): a call 20 days ago (held 3 months), a call 200 days ago that
-- belongs to her open complaint (held 12 months), and a call 150 days ago (past 3 months:
-- erased at once).
CREATE TABLE recordings (
    id INTEGER PRIMARY KEY,
    caller TEXT NOT NULL,
    called_at TEXT NOT NULL,
    duration_s INTEGER NOT NULL,
    complaint_open INTEGER NOT NULL DEFAULT 0,
    audio BLOB,
    restricted INTEGER NOT NULL DEFAULT 0
);
INSERT INTO recordings (caller, called_at, duration_s, complaint_open, audio) VALUES
    ('+358401234567', date('now', '-20 days'), 312, 0, X'52494646'),
    ('+358401234567', date('now', '-200 days'), 845, 1, X'52494646'),
    ('+358401234567', date('now', '-150 days'), 95, 0, X'52494646'),
    ('+358409876543', date('now', '-10 days'), 240, 0, X'52494646'),
    ('+358441234000', date('now', '-30 days'), 610, 1, X'52494646');
