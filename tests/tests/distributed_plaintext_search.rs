//! The plaintext search, in distributed mode (PostgreSQL event store, the Tansu broker,
//! five connector processes): a request for a unique e-mail and phone is run to completion
//! and shredding (`ERASURE_CLOCK_OFFSET` moves the coordinator past the proof-retention
//! period), then the orchestrator's bytes are searched for them: a `pg_dump` of its
//! database (after the key table's vacuum), the coordinator's data directory, and every
//! process's log at debug level, with the connectors' idempotency caches and keys. The
//! example systems' own data (`connectors/data`, the CRM database, the bucket) are the
//! systems', not the orchestrator's.
//!
//! The broker's files are searched too: work orders carry the identifiers sealed to each
//! connector's encryption key and resolution answers carry what was found sealed to the
//! coordinator's, so the topics hold ciphertext only (the positive control: the broker's
//! files do hold the request id, the messages' key).

use erasure_tests::distributed::*;
use erasure_tests::plaintext::{Person, contains, find_plaintext};
use erasure_tests::*;
use std::process::Command;

#[tokio::test(flavor = "multi_thread")]
async fn no_byte_the_distributed_orchestrator_wrote_holds_a_shredded_person() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut d = Distributed::prepare(tmp.path()).await;
    d.log_level = "debug";
    d.start_all();
    let person = Person::unique();
    let id = d.erase(&["--email", &person.email, "--phone", &person.phone]);

    let server = d.coordinator.as_mut().expect("coordinator");
    server.set_env("ERASURE_CLOCK_OFFSET", "60d");
    server.restart();
    wait_for_status(d.server(), &id, "identifiers  shredded").await;
    let coordinator_log = d.server().log.clone();
    if let Some(mut s) = d.coordinator.take() {
        s.kill9();
    }
    for (_, c) in &mut d.connectors {
        c.kill9();
    }

    let dump = tmp.path().join("database.sql");
    let out = Command::new("pg_dump")
        .args(["--dbname", &d.database, "--file"])
        .arg(&dump)
        .output()
        .expect("run pg_dump");
    assert!(out.status.success(), "pg_dump: {}", stderr(&out));
    let dumped = std::fs::read(&dump).expect("dump");
    assert!(
        contains(&dumped, id.as_bytes()),
        "the dump holds the request"
    );
    let log = std::fs::read(&coordinator_log).expect("log");
    assert!(contains(&log, b"DEBUG"), "the logs are at debug level");

    let root = tmp.path();
    let broker = root.join("broker");
    assert!(
        !find_plaintext(
            &[&broker],
            &[],
            &[("request id".into(), id.as_bytes().to_vec())]
        )
        .is_empty(),
        "the broker's files hold the request's messages"
    );
    let data = d.data();
    let hits = find_plaintext(
        &[
            &dump,
            &root.join("coordinator-data"),
            &coordinator_log,
            &root.join("connectors"),
            &broker,
        ],
        &[&data],
        &person.needles(),
    );
    assert!(hits.is_empty(), "plaintext found:\n{}", hits.join("\n"));
}
