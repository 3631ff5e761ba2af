-- The contact register (SQLite): contacts by national identity code, e-mail and phone,
-- and the cases handled for them.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    national_id TEXT,
    name TEXT,
    email TEXT,
    phone TEXT
);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    opened TEXT,
    subject TEXT,
    notes TEXT
);
INSERT INTO contacts (id, national_id, name, email, phone) VALUES
    (1, '131052-308T', 'Aino Virtanen', 'aino.virtanen@example.com', '+358401234567'),
    (2, '240788-143E', 'Mikko Korhonen', 'mikko.korhonen@example.com', '+358409876543'),
    (3, '050395-566D', 'Sanna Laine', 'sanna.laine@example.com', '+358441234000');
INSERT INTO cases (contact_id, opened, subject, notes) VALUES
    (1, '2026-06-02', 'Billing complaint', 'Aino Virtanen disputes the May invoice'),
    (1, '2026-10-20', 'Address change', 'New address given on the phone'),
    (2, '2026-09-11', 'Contract question', 'Asked about the notice period'),
    (3, '2026-11-05', 'Complaint about a technician', 'Sanna Laine: technician was late');
