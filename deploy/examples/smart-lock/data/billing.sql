-- Invoices (SQLite). Accounting vouchers: kept under the Finnish Accounting Act, restricted
-- (`restricted` = 1) while held. Oskar (C-2003) has none.
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    customer_number TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    restricted INTEGER NOT NULL DEFAULT 0
);
INSERT INTO invoices (customer_number, invoice_number, issued_on, amount_cents) VALUES
    ('C-2001', 'LK-2024-0101', '2024-03-01', 34900),
    ('C-2001', 'LK-2025-0115', '2025-01-15', 12900),
    ('C-2002', 'LK-2023-0920', '2023-09-20', 34900),
    ('C-2002', 'LK-2025-0920', '2025-09-20', 4900);
