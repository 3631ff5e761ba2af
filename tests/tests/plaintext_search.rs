//! The plaintext search, on the embedded default: a request for a unique e-mail and phone
//! is run to completion and shredding (the clock moved past the proof-retention period and
//! the last backup set's expiry with `ERASURE_CLOCK_OFFSET`), then every byte the
//! orchestrator wrote is searched for them: its data directory (the event store's SQLite
//! files and WAL, the connectors' idempotency caches, keys, trust) and its log at debug
//! level. The example systems' own files (`example/`) are the systems', not the
//! orchestrator's.

use erasure_tests::plaintext::{Person, contains, find_plaintext};
use erasure_tests::*;

#[tokio::test(flavor = "multi_thread")]
async fn no_byte_the_embedded_orchestrator_wrote_holds_a_shredded_person() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let person = Person::unique();
    let mut server = Server::start_with(&data, &[], &[("ERASURE_LOG", "debug")]);
    let id = ok(&server.cli(&["submit", "--email", &person.email, "--phone", &person.phone]));
    wait_for_status(&server, &id, "certificate  available").await;
    let status = ok(&server.cli(&["status", &id]));
    assert!(
        !status.contains("identifiers  shredded"),
        "not before 30 days: {status}"
    );

    // 60 days on: the backup sets (35 days) have aged out and the 30 days have passed.
    server.set_env("ERASURE_CLOCK_OFFSET", "60d");
    server.restart();
    let status = wait_for_status(&server, &id, "identifiers  shredded").await;
    assert!(status.contains("supplements  1"), "{status}");
    let cert = tmp.path().join("certificate.json");
    ok(&server.cli(&["certificate", &id, "-o", cert.to_str().expect("utf-8")]));
    let trust = data.join("trust.json");
    ok(&cli(&[
        "verify",
        cert.to_str().expect("utf-8"),
        "--trust",
        trust.to_str().expect("utf-8"),
    ]));
    server.kill9();

    let log = std::fs::read(&server.log).expect("log");
    assert!(
        contains(&log, b"DEBUG"),
        "the log is at debug level, so the search covers it"
    );
    let events = std::fs::read(data.join("events.sqlite")).expect("events");
    assert!(
        contains(&events, id.as_bytes()),
        "the search reads the store's files (the request id is there)"
    );
    let example = data.join("example");
    let hits = find_plaintext(&[&data, &server.log], &[&example], &person.needles());
    assert!(hits.is_empty(), "plaintext found:\n{}", hits.join("\n"));
}
