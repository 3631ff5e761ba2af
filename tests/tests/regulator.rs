//! The regulator's walk-through against a real `erasure serve`: receive a certificate,
//! verify it offline with nothing but public keys, later check that a newer tree head
//! extends the one the certificate proves against; read the period report; and rotate
//! the coordinator's key without invalidating what the old key signed.

use erasure_tests::*;
use std::path::Path;
use std::time::Duration;

async fn completed(server: &Server, customer: &str) -> String {
    let id = ok(&server.cli(&["submit", "--customer-id", customer, "--jurisdiction", "FI"]));
    eventually(Duration::from_secs(60), || async {
        stdout(&server.cli(&["status", &id]))
            .contains("certificate  available")
            .then_some(())
    })
    .await
    .unwrap_or_else(|| panic!("{id} never completed:\n{}", server.log_text()));
    id
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

fn tree_size(file: &str) -> u64 {
    let v = json_of(file);
    let head = v
        .get("log")
        .map_or(&v, |log| log)
        .get("tree_head")
        .expect("head");
    head["tree_size"].as_u64().expect("size")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_regulator_verifies_a_certificate_and_the_log_s_consistency() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let server = Server::start(&data, &[]);
    let trust = data.join("trust.json").display().to_string();
    let (cert, head, proof) = (
        path(tmp.path(), "c.json"),
        path(tmp.path(), "head.json"),
        path(tmp.path(), "proof.json"),
    );

    let first = completed(&server, "C-2001").await;
    ok(&server.cli(&["certificate", &first, "-o", &cert]));
    let verified = ok(&server.cli(&["verify", &cert, "--trust", &trust]));
    for check in [
        "coordinator signature",
        "acknowledgment of crm",
        "tree head signature",
        "inclusion proof",
    ] {
        assert!(
            verified.contains(&format!("ok    {check}")),
            "{check}: {verified}"
        );
    }
    let old_size = tree_size(&cert);

    // Later: more certificates, a newer head, and the proof that it extends the old one.
    for customer in ["C-2002", "C-2003"] {
        completed(&server, customer).await;
    }
    ok(&server.cli(&["log", "head", "--publish", "-o", &head]));
    let new_size = tree_size(&head);
    assert!(new_size >= old_size + 2, "{old_size} → {new_size}");
    let (from, to) = (old_size.to_string(), new_size.to_string());
    ok(&server.cli(&[
        "log",
        "consistency",
        "--from",
        &from,
        "--to",
        &to,
        "-o",
        &proof,
    ]));
    let consistent = ok(&cli(&[
        "verify",
        "--tree-heads",
        &cert,
        &head,
        "--proof",
        &proof,
        "--trust",
        &trust,
    ]));
    assert!(
        consistent.contains("ok    consistency proof"),
        "{consistent}"
    );

    // A proof for other sizes is named, with what to ask for instead.
    let wrong = path(tmp.path(), "wrong.json");
    let other = (old_size + 1).to_string();
    ok(&server.cli(&[
        "log",
        "consistency",
        "--from",
        &other,
        "--to",
        &to,
        "-o",
        &wrong,
    ]));
    let failed = cli(&[
        "verify",
        "--tree-heads",
        &cert,
        &head,
        "--proof",
        &wrong,
        "--trust",
        &trust,
    ]);
    assert!(!failed.status.success());
    assert!(
        stdout(&failed).contains(&format!(
            "FAIL  consistency proof: the proof is from {other} to {to}"
        )),
        "{}",
        stdout(&failed)
    );

    // Asking the log for what it does not have is a clear error.
    let beyond =
        one_error_line(&server.cli(&["log", "consistency", "--from", "1", "--to", "999999"]));
    assert!(beyond.contains("999999"), "{beyond}");

    // The readable page and the period report.
    let html = ok(&server.cli(&["certificate", &first, "--html"]));
    assert!(
        html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"),
        "{html}"
    );
    assert!(html.contains(&first) && html.contains("crm"), "{html}");
    let today = chrono::Utc::now().date_naive().to_string();
    let report: serde_json::Value = serde_json::from_str(&ok(
        &server.cli(&["report", "--from", &today, "--to", &today])
    ))
    .expect("report json");
    assert_eq!(report["report"]["received"], 3, "{report}");
    assert_eq!(report["report"]["completed_on_time"], 3, "{report}");
    assert!(report["tree_head"]["tree_head"]["tree_size"].as_u64() >= Some(new_size));
    let page = ok(&server.cli(&[
        "report", "--from", &today, "--to", &today, "--format", "html",
    ]));
    assert!(page.contains("<html") && page.contains(&today), "{page}");
    let backwards =
        one_error_line(&server.cli(&["report", "--from", &today, "--to", "2000-01-01"]));
    assert!(backwards.contains("before it starts"), "{backwards}");
}

struct Rotated {
    _tmp: tempfile::TempDir,
    trust: String,
    before: String,
    after: String,
}

/// Completes a request, rotates a key with `erasure keys rotate ROTATE` (refused while the
/// server runs, done once it is stopped), restarts and completes another: the two
/// certificate files and the trust file the server published after the rotation.
async fn around_a_rotation(rotate: &[&str]) -> Rotated {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let mut server = Server::start(&data, &[]);
    let data_dir = data.display().to_string();
    let (before, after) = (
        path(tmp.path(), "before.json"),
        path(tmp.path(), "after.json"),
    );
    let id = completed(&server, "C-3001").await;
    ok(&server.cli(&["certificate", &id, "-o", &before]));
    let args = [&["keys", "rotate"], rotate, &["--data-dir", &data_dir]].concat();
    let refused = one_error_line(&cli(&args));
    assert!(refused.contains("a server is running"), "{refused}");
    server.kill9();
    let rotated = ok(&cli(&args));
    assert!(rotated.contains("retired ed25519:"), "{rotated}");
    server.restart();
    let id = completed(&server, "C-3002").await;
    ok(&server.cli(&["certificate", &id, "-o", &after]));
    Rotated {
        trust: data.join("trust.json").display().to_string(),
        _tmp: tmp,
        before,
        after,
    }
}

fn json_of(file: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(file).expect("read")).expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_coordinator_key_keeps_old_certificates_valid() {
    let r = around_a_rotation(&["--coordinator"]).await;
    let key_of = |file: &str| json_of(file)["certificate"]["coordinator_key_id"].clone();
    assert_ne!(
        key_of(&r.before),
        key_of(&r.after),
        "signed with the new key"
    );
    // One trust file, both keys with their periods: both certificates verify.
    for file in [&r.before, &r.after] {
        let out = ok(&cli(&["verify", file, "--trust", &r.trust]));
        assert!(out.contains("is valid"), "{out}");
    }
    let published = json_of(&r.trust);
    let coordinator = published["coordinator"].as_array().expect("keys");
    assert_eq!(coordinator.len(), 2, "{published}");
    assert!(
        coordinator.iter().any(|k| k.get("valid_until").is_some()),
        "{published}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_connector_key_signs_new_acknowledgments_and_old_ones_still_verify() {
    let r = around_a_rotation(&["--connector", "crm"]).await;
    let crm_key = |file: &str| {
        let v = json_of(file);
        let systems = v["certificate"]["systems"]
            .as_array()
            .expect("systems")
            .clone();
        let crm = systems
            .into_iter()
            .find(|s| s["system_id"] == "crm")
            .expect("crm");
        crm["connector_key_id"].clone()
    };
    assert_ne!(crm_key(&r.before), crm_key(&r.after));
    for file in [&r.before, &r.after] {
        let out = ok(&cli(&["verify", file, "--trust", &r.trust]));
        assert!(out.contains("ok    acknowledgment of crm"), "{out}");
    }
}
