-- The alarm app's accounts (SQLite), keyed by the mobile phone number (E.164), with the
-- alarm contacts each user named and the sensors paired with the account.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL UNIQUE,
    phone TEXT NOT NULL UNIQUE,
    name TEXT,
    email TEXT,
    created TEXT
);
CREATE TABLE alarm_contacts (
    id INTEGER PRIMARY KEY,
    account_ref INTEGER NOT NULL REFERENCES accounts (id),
    contact_name TEXT,
    contact_phone TEXT
);
CREATE TABLE sensors (
    id INTEGER PRIMARY KEY,
    account_ref INTEGER NOT NULL REFERENCES accounts (id),
    serial TEXT NOT NULL,
    kind TEXT NOT NULL,
    place TEXT
);
INSERT INTO accounts (id, account_id, phone, name, email, created) VALUES
    (1, 'A-5001', '+4915123456789', 'Lena Schmidt', 'lena.schmidt@example.de', '2024-02-01'),
    (2, 'A-5002', '+4917012345678', 'Jonas Weber', 'jonas.weber@example.de', '2024-05-17'),
    (3, 'A-5003', '+4916098765432', 'Petra Becker', NULL, '2025-10-03');
INSERT INTO alarm_contacts (account_ref, contact_name, contact_phone) VALUES
    (1, 'Max Schmidt', '+4915199990001'),
    (2, 'Anna Weber', '+4917099990002'),
    (3, 'Nachbar Koch', '+4916099990003');
INSERT INTO sensors (account_ref, serial, kind, place) VALUES
    (1, 'DW-3001', 'door/window', 'front door'),
    (1, 'MO-3002', 'motion', 'hall'),
    (2, 'DW-3003', 'door/window', 'balcony'),
    (3, 'MO-3004', 'motion', 'living room');
