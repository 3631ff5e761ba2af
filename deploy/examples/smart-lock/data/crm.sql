-- The customer register and contracts of the smart-lock and key service (SQLite).
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    customer_number TEXT NOT NULL UNIQUE,
    name TEXT,
    email TEXT,
    phone TEXT,
    address TEXT
);
CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id),
    product TEXT,
    started TEXT,
    holder_name TEXT,
    installation_address TEXT
);
INSERT INTO customers (id, customer_number, name, email, phone, address) VALUES
    (1, 'C-2001', 'Aino Virtanen', 'aino.virtanen@example.com', '+358401234567', 'Esimerkkikatu 10, 00100 Helsinki'),
    (2, 'C-2002', 'Mikko Korhonen', 'mikko.korhonen@example.com', '+358409876543', 'Mallitie 3, 33100 Tampere'),
    (3, 'C-2003', 'Oskar Nieminen', 'oskar.nieminen@example.com', '+358451112223', 'Koekuja 7, 20100 Turku');
INSERT INTO contracts (customer_id, product, started, holder_name, installation_address) VALUES
    (1, 'Smart lock with key box', '2024-03-01', 'Aino Virtanen', 'Esimerkkikatu 10, 00100 Helsinki'),
    (1, 'Room sensors', '2025-01-15', 'Aino Virtanen', 'Esimerkkikatu 10, 00100 Helsinki'),
    (2, 'Smart lock with key box', '2023-09-20', 'Mikko Korhonen', 'Mallitie 3, 33100 Tampere'),
    (3, 'Room sensors', '2025-05-05', 'Oskar Nieminen', 'Koekuja 7, 20100 Turku');
