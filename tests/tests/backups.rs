//! Backups, against a real `erasure serve` with the example's `backups` system (a backup
//! catalog in SQLite, nightly sets kept 35 days):
//!
//! - the certificate says the person may be in backups until the last set expires; the day
//!   after, the copies are recorded as aged out and a supplement is issued;
//! - restoring a backup of the CRM brings an erased person back; `erasure replay` erases
//!   them again, and leaves everybody else's rows alone; a replay interrupted by a crash
//!   resumes at the next start.

use erasure_tests::*;
use std::path::Path;
use std::time::Duration;

const AINO_IN_CRM: &str = "SELECT count(*) FROM customers WHERE customer_number = 'C-1001'";
const OTHERS_IN_CRM: &str = "SELECT count(*) FROM customers WHERE customer_number <> 'C-1001'";

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

#[tokio::test(flavor = "multi_thread")]
async fn copies_in_backups_are_stated_then_age_out_with_a_supplement() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let mut server = Server::start(&data, &[]);
    let until = count(
        &data.join("example/backup-catalog.sqlite"),
        "SELECT count(*) FROM backup_sets",
    );
    assert_eq!(until, 7, "seven nightly sets");
    let last = rusqlite::Connection::open(data.join("example/backup-catalog.sqlite"))
        .expect("catalog")
        .query_row("SELECT max(expires) FROM backup_sets", [], |r| {
            r.get::<_, String>(0)
        })
        .expect("last expiry");

    let id = ok(&server.cli(&["submit", "--customer-id", "C-1002"]));
    let status = wait_for_status(&server, &id, "certificate  available").await;
    assert!(
        status.contains(&format!("7 backup sets may hold the person until {last}")),
        "{status}"
    );
    assert!(
        status.contains("identifiers needed until 2032-12-31"),
        "the invoices' hold outlasts the backups: {status}"
    );
    let cert = tmp.path().join("certificate.json");
    ok(&server.cli(&["certificate", &id, "-o", path(&cert)]));
    let c = json_file(&cert);
    let backups = c["certificate"]["backups"].as_array().expect("backups");
    assert_eq!(backups.len(), 1, "{c:#}");
    assert_eq!(backups[0]["system_id"], "backups");
    assert_eq!(backups[0]["until"], last.as_str());
    let trust = data.join("trust.json");
    ok(&cli(&["verify", path(&cert), "--trust", path(&trust)]));

    // Sixty days on, the sets are gone: recorded by itself, and the certificate supplemented.
    server.set_env("ERASURE_CLOCK_OFFSET", "60d");
    server.restart();
    wait_for_status(&server, &id, "supplements  1").await;
    let supplement = tmp.path().join("supplement-1.json");
    ok(&server.cli(&[
        "certificate",
        &id,
        "--supplement",
        "1",
        "-o",
        path(&supplement),
    ]));
    let s = json_file(&supplement);
    let aged = s["supplement"]["aged_out"].as_array().expect("aged_out");
    assert_eq!(aged.len(), 1, "{s:#}");
    assert_eq!(aged[0]["until"], last.as_str());
    ok(&cli(&[
        "verify",
        path(&supplement),
        "--trust",
        path(&trust),
        "--certificate",
        path(&cert),
    ]));
}

/// The CRM's file copied consistently while the server runs, as a backup tool would.
fn back_up(db: &Path, to: &Path) {
    let conn = rusqlite::Connection::open(db).expect("open crm");
    conn.execute("VACUUM INTO ?1", [path(to)]).expect("backup");
}

fn restore(backup: &Path, db: &Path) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::copy(backup, db).expect("restore");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restored_backup_is_followed_by_a_replay_and_nobody_comes_back() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let mut server = Server::start(&data, &[]);
    let crm = data.join("example/crm.sqlite");

    // Mikko was erased before the backup: the backup does not hold him.
    let mikko = ok(&server.cli(&["submit", "--customer-id", "C-1002"]));
    wait_for_status(&server, &mikko, "certificate  available").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let taken_at = chrono::Utc::now();
    let backup = tmp.path().join("crm-backup.sqlite");
    back_up(&crm, &backup);
    let others = count(&backup, OTHERS_IN_CRM);
    assert_eq!(count(&backup, AINO_IN_CRM), 1, "the backup holds Aino");

    let aino = ok(&server.cli(&["submit", "--email", "aino.virtanen@example.com"]));
    wait_for_status(&server, &aino, "certificate  available").await;
    assert_eq!(count(&crm, AINO_IN_CRM), 0);

    // The CRM is restored from the backup: Aino is back.
    server.kill9();
    restore(&backup, &crm);
    assert_eq!(count(&crm, AINO_IN_CRM), 1, "the restore brought Aino back");
    server.restart();

    let since = taken_at.to_rfc3339();
    let out = ok(&server.cli(&[
        "replay", "--since", &since, "--system", "crm", "--by", "ops",
    ]));
    assert!(
        out.contains("1 request(s)"),
        "only Aino's erasure is newer: {out}"
    );
    assert!(out.contains("1 dispatched again"), "{out}");
    assert!(out.contains("1 answered, 0 failed"), "{out}");
    assert_eq!(count(&crm, AINO_IN_CRM), 0, "erased again");
    assert_eq!(count(&crm, OTHERS_IN_CRM), others, "nobody else touched");
    let status = stdout(&server.cli(&["status", &aino]));
    assert!(status.contains("status       completed"), "{status}");

    // A replay's progress can be followed again later; a wrong system is refused.
    let id = out
        .lines()
        .find_map(|l| l.strip_prefix("replay ")?.split_whitespace().next())
        .expect("replay id")
        .trim_end_matches(':')
        .to_owned();
    let missing = one_error_line(&server.cli(&["replay", "--resume", "no-such-replay"]));
    assert!(
        missing.contains("replay no-such-replay not found"),
        "{missing}"
    );
    let again = ok(&server.cli(&["replay", "--resume", &id]));
    assert!(again.contains("1 answered, 0 failed"), "{again}");
    let unknown = one_error_line(&server.cli(&[
        "replay", "--since", &since, "--system", "nowhere", "--by", "ops",
    ]));
    assert!(unknown.contains("unknown system"), "{unknown}");
    let future = one_error_line(&server.cli(&["replay", "--since", "2999-01-01", "--by", "ops"]));
    assert!(future.contains("future"), "{future}");
}

/// A replay the server recorded but did not get to dispatch (it died right after): the
/// job is in the event store, so the next start runs it to the end.
#[tokio::test(flavor = "multi_thread")]
async fn a_replay_interrupted_by_a_crash_is_resumed_at_the_next_start() {
    use erasure_proto::v1 as pb;
    use prost::Message as _;
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let mut server = Server::start(&data, &[]);
    let since = chrono::Utc::now() - chrono::Duration::minutes(1);
    let mut ids = Vec::new();
    for customer in ["C-1002", "C-1003", "C-1004"] {
        let id = ok(&server.cli(&["submit", "--customer-id", customer]));
        wait_for_status(&server, &id, "certificate  available").await;
        ids.push(id);
    }
    server.kill9();
    let started = pb::ReplayStarted {
        replay_id: "crashed".into(),
        since_ms: since.timestamp_millis(),
        system_ids: vec!["crm".into(), "telemetry".into()],
        request_ids: ids.clone(),
        by: "ops".into(),
        at_ms: chrono::Utc::now().timestamp_millis(),
    };
    let events = rusqlite::Connection::open(data.join("events.sqlite")).expect("events");
    events
        .execute(
            "INSERT INTO events (stream_id, stream_version, type, version, payload, recorded_at) \
             VALUES ('replay-crashed', 1, 'ReplayStarted', 1, ?1, 0)",
            [started.encode_to_vec()],
        )
        .expect("insert");
    drop(events);
    server.restart();
    let out = ok(&server.cli(&["replay", "--resume", "crashed"]));
    assert!(out.contains("3 request(s), 3 dispatched again"), "{out}");
    assert!(out.contains("3 answered, 0 failed"), "{out}");
    for id in &ids {
        let status = stdout(&server.cli(&["status", id]));
        assert!(status.contains("status       completed"), "{status}");
    }
}
