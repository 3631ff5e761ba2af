//! What operators do beyond submitting, against a real `erasure serve`:
//!
//! - a recipient with no API (a paper archive) is a manual task: it waits for an operator,
//!   who closes it through the CLI with evidence; the certificate shows it as attested by
//!   that operator and lists the recipient with how and when it was told;
//! - restoring a backup of the CRM brings an erased person back; `erasure replay` erases
//!   them again, and leaves everybody else's rows alone.

use erasure_tests::*;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

const EXAMPLE: &str = include_str!("../../deploy/examples/embedded.toml");
const AINO_IN_CRM: &str = "SELECT count(*) FROM customers WHERE customer_number = 'C-1001'";
const OTHERS_IN_CRM: &str = "SELECT count(*) FROM customers WHERE customer_number <> 'C-1001'";

/// The example with a paper archive an operator handles, which stands for a recipient.
const ARCHIVE: &str = r#"
[[systems]]
id = "paper-archive"
description = "Signed paper contracts at the archive company"
categories = ["contract"]
manual = { instructions = "Ask Arkisto Oy to shred the customer's folder; attach their receipt." }
recipient = { name = "Arkisto Oy (document storage)", role = "processor" }
"#;

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// `erasure task complete ID --system S --evidence E --by B`, with `extra` arguments.
fn complete(server: &Server, id: &str, system: &str, evidence: &str, extra: &[&str]) -> Output {
    let args = [
        &[
            "task",
            "complete",
            id,
            "--system",
            system,
            "--evidence",
            evidence,
        ][..],
        extra,
    ]
    .concat();
    server.cli(&args)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manual_recipient_is_closed_by_an_operator_with_evidence() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = tmp.path().join("with-archive.toml");
    std::fs::write(&config, format!("{EXAMPLE}{ARCHIVE}")).expect("config");
    let data = tmp.path().join("data");
    let server = Server::start(&data, &["--config", path(&config), "--with-example-data"]);

    let id = ok(&server.cli(&[
        "submit",
        "--email",
        "aino.virtanen@example.com",
        "--disclose-recipients",
    ]));
    // Every connector answers; the archive waits for a person.
    let tasks = eventually(Duration::from_secs(60), || async {
        let out = stdout(&server.cli(&["task", "list"]));
        out.contains(&id).then_some(out)
    })
    .await
    .expect("the manual task is listed");
    assert!(tasks.contains("paper-archive"), "{tasks}");
    assert!(tasks.contains("Arkisto Oy (document storage)"), "{tasks}");
    assert!(tasks.contains("shred the customer's folder"), "{tasks}");
    let status = stdout(&server.cli(&["status", &id]));
    assert!(status.contains("status       in-progress"), "{status}");

    // Evidence that names the person would end up in the certificate: refused, by kind.
    let refused = one_error_line(&complete(
        &server,
        &id,
        "paper-archive",
        "Mailed Arkisto about aino.virtanen@example.com",
        &["--by", "Maija Virtanen"],
    ));
    assert!(refused.contains("email"), "{refused}");
    assert!(
        !refused.contains("aino.virtanen"),
        "never echoed: {refused}"
    );
    // A connector system is not closed by hand.
    let not_manual = one_error_line(&server.cli(&[
        "task",
        "complete",
        &id,
        "--system",
        "crm",
        "--evidence",
        "done",
        "--by",
        "Maija",
    ]));
    assert!(not_manual.contains("not manual"), "{not_manual}");

    let receipt = tmp.path().join("shredding-receipt.pdf");
    std::fs::write(&receipt, b"%PDF-1.4 receipt 2026-118").expect("receipt");
    let closed = ok(&complete(
        &server,
        &id,
        "paper-archive",
        "Folder shredded by Arkisto Oy, receipt 2026-118",
        &["--attachment", path(&receipt), "--by", "Maija Virtanen"],
    ));
    assert!(closed.contains("closed by Maija Virtanen"), "{closed}");
    wait_for_status(&server, &id, "certificate  available").await;
    let again = one_error_line(&complete(
        &server,
        &id,
        "paper-archive",
        "again",
        &["--by", "Maija"],
    ));
    assert!(again.contains("closed already"), "{again}");
    assert!(
        !stdout(&server.cli(&["task", "list"])).contains(&id),
        "no longer listed"
    );

    let cert = tmp.path().join("certificate.json");
    ok(&server.cli(&["certificate", &id, "-o", path(&cert)]));
    let c = json_file(&cert);
    let systems = c["certificate"]["systems"].as_array().expect("systems");
    let archive = systems
        .iter()
        .find(|s| s["system_id"] == "paper-archive")
        .expect("the archive's entry");
    assert_eq!(
        archive["attestation"]["operator"], "Maija Virtanen",
        "{c:#}"
    );
    assert!(
        archive.get("acknowledgment").is_none_or(|a| a.is_null()),
        "{archive:#}"
    );
    assert_eq!(
        archive["attestation"]["attachment"]["name"],
        "shredding-receipt.pdf"
    );
    let recipients = c["certificate"]["recipients"]
        .as_array()
        .expect("recipients");
    assert_eq!(recipients.len(), 1, "{c:#}");
    assert_eq!(recipients[0]["name"], "Arkisto Oy (document storage)");
    assert_eq!(recipients[0]["via"], "manual");
    assert_eq!(c["certificate"]["recipients_requested"], true);
    ok(&cli(&[
        "verify",
        path(&cert),
        "--trust",
        path(&data.join("trust.json")),
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
