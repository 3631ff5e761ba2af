-- The chatbot's conversation log (SQLite).
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    email TEXT,
    phone TEXT
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    at TEXT NOT NULL,
    sender TEXT NOT NULL,
    text TEXT
);
INSERT INTO conversations (id, started, email, phone) VALUES
    (1, '2026-10-19T20:15:00Z', 'aino.virtanen@example.com', NULL),
    (2, '2026-11-01T08:02:00Z', NULL, '+358401234567'),
    (3, '2026-11-03T12:44:00Z', 'mikko.korhonen@example.com', NULL);
INSERT INTO messages (conversation_id, at, sender, text) VALUES
    (1, '2026-10-19T20:15:00Z', 'person', 'How do I change my address?'),
    (1, '2026-10-19T20:15:02Z', 'bot', 'You can change it in the customer portal.'),
    (2, '2026-11-01T08:02:00Z', 'person', 'Call me back about my complaint'),
    (3, '2026-11-03T12:44:00Z', 'person', 'When does my contract end?');
