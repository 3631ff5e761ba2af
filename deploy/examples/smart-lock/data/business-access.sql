-- The business side's users and access events (SQLite), per business customer
-- (`customer`: the controller). Aino lives at As Oy Koivukuja and works at Toimisto Oy.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    customer TEXT NOT NULL,
    user_number TEXT NOT NULL,
    name TEXT,
    phone TEXT,
    email TEXT,
    UNIQUE (customer, user_number)
);
CREATE TABLE access_events (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    at TEXT NOT NULL,
    door TEXT NOT NULL,
    event TEXT NOT NULL
);
INSERT INTO users (id, customer, user_number, name, phone, email) VALUES
    (1, 'koivukuja', 'U-101', 'Aino Virtanen', '+358401234567', 'aino.virtanen@example.com'),
    (2, 'koivukuja', 'U-102', 'Eero Lahtinen', '+358405550102', NULL),
    (3, 'toimisto', 'U-101', 'Aino Virtanen', '+358401234567', 'aino.virtanen@example.com'),
    (4, 'toimisto', 'U-201', 'Sanna Laine', '+358441234000', 'sanna.laine@example.com');
INSERT INTO access_events (user_id, at, door, event) VALUES
    (1, '2026-11-02T07:30:00Z', 'stairwell A', 'opened with tag'),
    (1, '2026-11-02T17:45:00Z', 'laundry room', 'opened with app'),
    (2, '2026-11-02T08:05:00Z', 'stairwell B', 'opened with tag'),
    (3, '2026-11-02T08:20:00Z', 'office main door', 'opened with tag'),
    (4, '2026-11-02T08:40:00Z', 'office main door', 'opened with tag');
