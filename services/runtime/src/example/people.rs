//! The example people, the same in every example system.

/// An example person: (customer number, name, e-mail, phone).
pub const PEOPLE: [(&str, &str, &str, &str); 4] = [
    (
        "C-1001",
        "Aino Virtanen",
        "aino.virtanen@example.com",
        "+358401234567",
    ),
    (
        "C-1002",
        "Mikko Korhonen",
        "mikko.korhonen@example.com",
        "+358409876543",
    ),
    (
        "C-1003",
        "Lena Schmidt",
        "lena.schmidt@example.de",
        "+4915112345678",
    ),
    (
        "C-1004",
        "Oskar Nieminen",
        "oskar.nieminen@example.com",
        "+358451112223",
    ),
];
