-- The smart-home operator's customer register and invoices (PostgreSQL), in database
-- smarthome_register.
CREATE TABLE customers (
    id BIGINT PRIMARY KEY,
    customer_number TEXT NOT NULL UNIQUE,
    national_id TEXT,
    name TEXT,
    email TEXT,
    phone TEXT
);
CREATE TABLE homes (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    address TEXT,
    alarm_code_hint TEXT
);
CREATE TABLE invoices (
    id BIGINT PRIMARY KEY,
    customer_number TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    restricted INTEGER NOT NULL DEFAULT 0
);
INSERT INTO customers (id, customer_number, national_id, name, email, phone) VALUES
    (1, 'K-3001', '131052-308T', 'Aino Virtanen', 'aino.virtanen@example.com', '+358401234567'),
    (2, 'K-3002', '240788-143E', 'Mikko Korhonen', 'mikko.korhonen@example.com', '+358409876543'),
    (3, 'K-3003', '010101A123N', 'Ella Mäkinen', 'ella.makinen@example.com', '+358501239876');
INSERT INTO homes (id, customer_id, address, alarm_code_hint) VALUES
    (1, 1, 'Esimerkkikatu 10, 00100 Helsinki', 'cat''s birthday'),
    (2, 2, 'Mallitie 3, 33100 Tampere', NULL),
    (3, 3, 'Uusi katu 1, 90100 Oulu', NULL);
INSERT INTO invoices (id, customer_number, invoice_number, issued_on, amount_cents) VALUES
    (1, 'K-3001', 'SH-2024-0011', '2024-06-30', 19900),
    (2, 'K-3001', 'SH-2025-0042', '2025-11-30', 9900),
    (3, 'K-3002', 'SH-2025-0043', '2025-11-30', 9900),
    (4, 'K-3003', 'SH-2026-0007', '2026-01-31', 9900);
