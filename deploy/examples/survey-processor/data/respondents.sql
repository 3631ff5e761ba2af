-- Respondents per client (`client_id` is the controller), with their answers (SQLite).
-- Aino answers surveys for both clients: erasing her for acme leaves her globex rows.
CREATE TABLE respondents (
    id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL,
    respondent_number TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    name TEXT,
    UNIQUE (client_id, respondent_number)
);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    respondent_id INTEGER NOT NULL REFERENCES respondents (id),
    survey TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT
);
INSERT INTO respondents (id, client_id, respondent_number, email, phone, name) VALUES
    (1, 'acme', 'R-7001', 'aino.virtanen@example.com', '+358401234567', 'Aino Virtanen'),
    (2, 'acme', 'R-7002', 'mikko.korhonen@example.com', NULL, 'Mikko Korhonen'),
    (3, 'globex', 'R-7001', 'aino.virtanen@example.com', '+358401234567', 'Aino Virtanen'),
    (4, 'globex', 'R-7003', 'sanna.laine@example.com', '+358441234000', 'Sanna Laine');
INSERT INTO answers (respondent_id, survey, question, answer) VALUES
    (1, 'acme-customer-satisfaction-2026', 'How likely are you to recommend us?', '9'),
    (1, 'acme-customer-satisfaction-2026', 'What should we improve?', 'Faster delivery'),
    (2, 'acme-customer-satisfaction-2026', 'How likely are you to recommend us?', '7'),
    (3, 'globex-brand-2026', 'Which brands do you know?', 'Globex, Initech'),
    (4, 'globex-brand-2026', 'Which brands do you know?', 'Globex');
