//! Recipients with no API, against a real `erasure serve`: a paper archive is a manual
//! task. It waits for an operator, who closes it through the CLI with evidence; the
//! certificate shows it as attested by that operator and lists the recipient with how and
//! when it was told.

use erasure_tests::*;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

const EXAMPLE: &str = include_str!("../../deploy/examples/embedded.toml");

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
