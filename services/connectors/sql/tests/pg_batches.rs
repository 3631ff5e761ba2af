//! PostgreSQL at volume, in miniature: a person's rows erased a few per transaction, and
//! what happens when a run is cut short after some batches (a failing batch, a connection
//! killed mid-batch, a lock held elsewhere): the committed batches stay, the report says
//! what they did, and the next delivery carries on with counts that include them. Needs
//! `ERASURE_TEST_POSTGRES_URL`.

mod support;

use erasure_connector_sdk::kit::{alice, assert_no_personal_data, job};
use erasure_connector_sdk::{Connector, Job, Report};
use erasure_core::events::Outcome;
use std::sync::Arc;
use std::time::Duration;
use support::pg::{PgDb, connect};

/// Alice (C-1001) has two meters with 25 readings between them; Bob one with 5.
const TELEMETRY_SCHEMA: &str = "
    CREATE TABLE devices (id bigint PRIMARY KEY, customer_number text, label text);
    CREATE TABLE readings (id bigserial PRIMARY KEY, device_id bigint NOT NULL, kwh real);
    CREATE INDEX ON readings (device_id);
    INSERT INTO devices VALUES (10, 'C-1001', 'meter'), (11, 'C-1001', 'meter'), (20, 'C-1002', 'meter');
    INSERT INTO readings (device_id, kwh) SELECT 10 + (i % 2), i FROM generate_series(1, 25) i;
    INSERT INTO readings (device_id, kwh) SELECT 20, i FROM generate_series(1, 5) i;
";

const TELEMETRY_CONFIG: &str = r#"
    batch_size = 4
    [[tables]]
    table = "readings"
    join = { column = "device_id", references = "devices.id" }
    action = "delete"
    [[tables]]
    table = "devices"
    match = [ { column = "customer_number", identifier = "customer_id" } ]
    action = "delete"
"#;

/// Fails (SQLSTATE 40001) the second `DELETE` on readings, as a batch that cannot commit.
const FAIL_SECOND_BATCH: &str = "
    CREATE TABLE deletes (n integer NOT NULL);
    INSERT INTO deletes VALUES (0);
    CREATE FUNCTION second_fails() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE deletes SET n = n + 1;
        IF (SELECT n FROM deletes) = 2 THEN
            RAISE EXCEPTION 'simulated failure' USING ERRCODE = 'serialization_failure';
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER second_fails AFTER DELETE ON readings
        FOR EACH STATEMENT EXECUTE FUNCTION second_fails();
";

/// Hangs the second `DELETE` on readings, for the test to kill its connection.
const HANG_SECOND_BATCH: &str = "
    CREATE TABLE deletes (n integer NOT NULL);
    INSERT INTO deletes VALUES (0);
    CREATE FUNCTION second_hangs() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE deletes SET n = n + 1;
        IF (SELECT n FROM deletes) = 2 THEN
            PERFORM pg_sleep(60);
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER second_hangs AFTER DELETE ON readings
        FOR EACH STATEMENT EXECUTE FUNCTION second_hangs();
";

async fn telemetry(extra: &str) -> PgDb {
    PgDb::new(&format!("{TELEMETRY_SCHEMA}{extra}"), TELEMETRY_CONFIG).await
}

fn evidence(report: &Report) -> serde_json::Value {
    serde_json::from_slice(&report.evidence).expect("evidence is JSON")
}

async fn readings_of(db: &PgDb, devices: &[i64]) -> u64 {
    let devices = devices.to_vec();
    db.count(
        "SELECT COUNT(*) FROM readings WHERE device_id = ANY($1)",
        &[&devices],
    )
    .await
}

/// The summary up to the note on dead tuples.
fn counts(report: &Report) -> &str {
    let summary = report.evidence_summary.as_str();
    summary
        .split("; deleted rows stay")
        .next()
        .unwrap_or(summary)
}

#[tokio::test]
async fn a_persons_rows_are_erased_a_batch_per_transaction() {
    let db = telemetry("").await;

    let report = db.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        counts(&report),
        "readings: 25 deleted; devices: 2 deleted; 0 remain"
    );
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 27)
    );
    let doc = evidence(&report);
    assert_eq!(
        doc["batches"]["count"], 8,
        "7 batches of readings, 1 of devices: {doc}"
    );
    assert_eq!(doc["batches"]["largest"], 4);
    assert_eq!(doc["batches"]["resumed"], false);
    assert_eq!(readings_of(&db, &[10, 11]).await, 0);
    assert_eq!(
        readings_of(&db, &[20]).await,
        5,
        "the neighbour's readings stay"
    );
    let finished = db
        .count(
            "SELECT COUNT(*) FROM erasure_connector_progress WHERE request_id = 'req-1' AND finished_attempt = 1 AND deleted > 0",
            &[],
        )
        .await;
    assert_eq!(finished, 2, "one finished progress row per table");
}

#[tokio::test]
async fn a_failed_batch_reports_what_was_done_and_a_redelivery_carries_on() {
    let db = telemetry(FAIL_SECOND_BATCH).await;
    let order = job(&alice(), "req-1", 1);

    let failed = db.connector.erase(&order).await;

    assert_eq!(failed.outcome, Outcome::FailedRetryable);
    assert_eq!(
        failed.detail,
        "table readings: SQLSTATE 40001 (serialization failure)"
    );
    assert!(
        failed.evidence_summary.starts_with(
            "not finished, done so far: readings: 4 deleted; deleted rows stay as dead tuples"
        ),
        "{}",
        failed.evidence_summary
    );
    assert_eq!(failed.items_affected, 4);
    assert_eq!(evidence(&failed)["completed"], false);
    assert_no_personal_data(&failed, &alice());
    assert_eq!(
        readings_of(&db, &[10, 11]).await,
        21,
        "the failed batch was rolled back"
    );

    db.client
        .batch_execute("DROP TRIGGER second_fails ON readings")
        .await
        .expect("drop");
    let redelivered = db.connector.erase(&order).await;

    assert_eq!(
        counts(&redelivered),
        "readings: 25 deleted; devices: 2 deleted; 0 remain"
    );
    assert_eq!(
        (redelivered.outcome, redelivered.items_affected),
        (Outcome::Erased, 27)
    );
    assert_eq!(evidence(&redelivered)["batches"]["resumed"], true);
    assert_eq!(
        evidence(&redelivered)["batches"]["count"],
        7,
        "6 of readings, 1 of devices"
    );

    // The same order once more (its acknowledgment lost): the same totals.
    let again = db.connector.erase(&order).await;
    assert_eq!((again.outcome, again.items_affected), (Outcome::Erased, 27));
    // A new attempt of the request is a new run: nothing left.
    let retry = db.connector.erase(&job(&alice(), "req-1", 2)).await;
    assert_eq!(
        retry.outcome,
        Outcome::NothingFound,
        "{}",
        retry.evidence_summary
    );
    assert_eq!(readings_of(&db, &[20]).await, 5);
}

#[tokio::test]
async fn a_connection_killed_mid_batch_loses_only_that_batch() {
    let db = telemetry(HANG_SECOND_BATCH).await;
    let order = job(&alice(), "req-1", 1);
    let connector = Arc::clone(&db.connector);
    let running = {
        let order = order.clone();
        tokio::spawn(async move { connector.erase(&order).await })
    };
    kill_the_sleeping_session(&db).await;

    let killed = running.await.expect("the erasure task");

    assert_eq!(
        killed.outcome,
        Outcome::FailedRetryable,
        "{}",
        killed.detail
    );
    assert_eq!(killed.items_affected, 4, "{}", killed.evidence_summary);
    assert_eq!(readings_of(&db, &[10, 11]).await, 21);

    db.client
        .batch_execute("DROP TRIGGER second_hangs ON readings")
        .await
        .expect("drop");
    // A new connector process, as after a crash and restart.
    let restarted = db.connector(TELEMETRY_CONFIG);
    let redelivered = restarted.erase(&order).await;

    assert_eq!(
        counts(&redelivered),
        "readings: 25 deleted; devices: 2 deleted; 0 remain"
    );
    assert_eq!(redelivered.items_affected, 27);
}

/// Terminates the connector's session once it sleeps in the second batch.
async fn kill_the_sleeping_session(db: &PgDb) {
    let name = db.schema.name().to_owned();
    for _ in 0..300 {
        let killed = db
            .count(
                "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE application_name = $1 AND wait_event = 'PgSleep') AS t",
                &[&name],
            )
            .await;
        if killed == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the connector never reached its second batch");
}

#[tokio::test]
async fn a_lock_held_elsewhere_is_a_retryable_failure_not_a_wait() {
    let db = telemetry("").await;
    let config = format!("busy_timeout_ms = 200\n{TELEMETRY_CONFIG}");
    let impatient = db.connector(&config);
    let mut holder = connect(&db.schema).await;
    let tx = holder.transaction().await.expect("begin");
    tx.execute("SELECT * FROM devices WHERE id = 10 FOR UPDATE", &[])
        .await
        .expect("lock a device");

    let report = impatient.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::FailedRetryable);
    assert_eq!(
        report.detail,
        "table devices: SQLSTATE 55P03 (lock not available within busy_timeout_ms)"
    );
    assert_eq!(report.items_affected, 25, "{}", report.evidence_summary);
    tx.rollback().await.expect("release");

    let retried: Job = job(&alice(), "req-1", 2);
    let report = impatient.erase(&retried).await;
    assert_eq!(
        counts(&report),
        "readings: 25 deleted; devices: 2 deleted; 0 remain"
    );
}
