-- Lock event logs (SQLite): the customers' locks and every event they recorded.
CREATE TABLE locks (
    id INTEGER PRIMARY KEY,
    serial TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    door TEXT
);
CREATE TABLE lock_events (
    id INTEGER PRIMARY KEY,
    lock_id INTEGER NOT NULL REFERENCES locks (id),
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    key_holder TEXT
);
INSERT INTO locks (id, serial, customer_number, door) VALUES
    (1, 'LK-10001', 'C-2001', 'front door'),
    (2, 'LK-10002', 'C-2001', 'storage'),
    (3, 'LK-10003', 'C-2002', 'front door'),
    (4, 'LK-10004', 'C-2003', 'front door');
INSERT INTO lock_events (lock_id, at, event, key_holder) VALUES
    (1, '2026-11-02T07:58:00Z', 'unlocked with app', 'Aino Virtanen'),
    (1, '2026-11-02T08:01:00Z', 'locked', 'Aino Virtanen'),
    (1, '2026-11-03T12:30:00Z', 'key taken from key box', 'cleaner (key 2)'),
    (2, '2026-11-04T18:10:00Z', 'unlocked with code', 'Aino Virtanen'),
    (3, '2026-11-02T09:15:00Z', 'unlocked with app', 'Mikko Korhonen'),
    (3, '2026-11-02T09:16:00Z', 'locked', 'Mikko Korhonen'),
    (4, '2026-11-05T16:45:00Z', 'key returned to key box', 'Oskar Nieminen');
