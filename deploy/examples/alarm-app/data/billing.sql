-- Subscription invoices (SQLite). Accounting vouchers: kept under HGB § 257 / AO § 147,
-- restricted (`restricted` = 1) while held. Petra (A-5003) has none yet.
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    restricted INTEGER NOT NULL DEFAULT 0
);
INSERT INTO invoices (account_id, invoice_number, issued_on, amount_cents) VALUES
    ('A-5001', 'RE-2024-0201', '2024-02-01', 4788),
    ('A-5001', 'RE-2025-0201', '2025-02-01', 4788),
    ('A-5002', 'RE-2024-0517', '2024-05-17', 4788),
    ('A-5002', 'RE-2025-0517', '2025-05-17', 5988);
