//! End to end on the embedded default: `erasure serve` as a real process, the CLI as a
//! real process, the example systems' real SQLite files and picture directories.

use erasure_tests::*;
use std::path::Path;

const AINO: [&str; 6] = [
    "--email",
    "Aino.Virtanen@example.com",
    "--phone",
    "+358 40 123 4567",
    "--customer-id",
    "C-1001",
];

fn crm(data: &Path) -> std::path::PathBuf {
    data.join("example/crm.sqlite")
}

fn telemetry(data: &Path) -> std::path::PathBuf {
    data.join("example/telemetry.sqlite")
}

#[test]
fn erasing_a_person_removes_their_rows_and_files_and_nobody_elses() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let server = Server::start(&data, &[]);
    let cameras = data.join("example/cameras/customers");
    assert_eq!(
        files_under(&cameras.join("C-1001")),
        6,
        "example pictures seeded"
    );
    assert_eq!(
        count(
            &crm(&data),
            "SELECT count(*) FROM support_tickets WHERE customer_id = 1"
        ),
        2
    );

    let id = ok(&server.cli(
        &[
            &["submit"][..],
            &AINO,
            &["--channel", "phone", "--verified-by", "agent-7"],
        ]
        .concat(),
    ));
    assert_eq!(id.lines().count(), 1, "submit prints the request id only");
    let watched = ok(&server.cli(&["watch", &id]));
    assert!(watched.contains("completed"), "{watched}");
    let status = ok(&server.cli(&["status", &id]));
    assert!(status.contains("status       completed"), "{status}");
    for system in ["crm", "cameras", "telemetry"] {
        assert!(status.contains(&format!("  {system}")), "{status}");
    }

    // The person is gone from every example system...
    assert_eq!(
        count(
            &crm(&data),
            "SELECT count(*) FROM customers WHERE customer_number = 'C-1001' OR email LIKE 'aino%'"
        ),
        0
    );
    assert_eq!(
        count(
            &crm(&data),
            "SELECT count(*) FROM support_tickets WHERE customer_id = 1"
        ),
        0
    );
    assert_eq!(
        count(
            &crm(&data),
            "SELECT count(*) FROM contracts WHERE holder_name = 'Aino Virtanen' OR customer_id = 1"
        ),
        0
    );
    assert_eq!(
        count(
            &telemetry(&data),
            "SELECT count(*) FROM devices WHERE customer_number = 'C-1001'"
        ),
        0
    );
    assert_eq!(
        count(
            &telemetry(&data),
            "SELECT count(*) FROM readings WHERE device_id IN (1, 2)"
        ),
        0
    );
    assert_eq!(files_under(&cameras.join("C-1001")), 0);
    // ...and everybody else is still there.
    assert_eq!(count(&crm(&data), "SELECT count(*) FROM customers"), 3);
    assert_eq!(
        count(&crm(&data), "SELECT count(*) FROM support_tickets"),
        6
    );
    assert_eq!(
        count(&crm(&data), "SELECT count(*) FROM contracts"),
        8,
        "contracts are anonymised, not deleted"
    );
    assert_eq!(
        count(&telemetry(&data), "SELECT count(*) FROM readings"),
        6 * 24
    );
    assert_eq!(files_under(&cameras.join("C-1002")), 6);

    // The certificate verifies offline, and any change to it is named.
    let cert = tmp.path().join("cert.json");
    ok(&server.cli(&["certificate", &id, "-o", cert.to_str().expect("utf-8")]));
    let trust = data.join("trust.json");
    let verified = ok(&cli(&[
        "verify",
        cert.to_str().expect("utf-8"),
        "--trust",
        trust.to_str().expect("utf-8"),
    ]));
    assert!(verified.contains("is valid"), "{verified}");
    let text = std::fs::read_to_string(&cert).expect("cert");
    assert!(
        !text.to_lowercase().contains("aino")
            && !text.contains("C-1001")
            && !text.contains("123 4567"),
        "identifiers in the certificate"
    );
    let tampered = tmp.path().join("tampered.json");
    std::fs::write(
        &tampered,
        text.replacen(
            "\"outcome\": \"erased\"",
            "\"outcome\": \"nothing-found\"",
            1,
        ),
    )
    .expect("write");
    let refused = cli(&[
        "verify",
        tampered.to_str().expect("utf-8"),
        "--trust",
        trust.to_str().expect("utf-8"),
    ]);
    assert!(!refused.status.success());
    assert!(
        stdout(&refused).contains("FAIL  readable certificate"),
        "{}",
        stdout(&refused)
    );
    assert!(stderr(&refused).contains("NOT valid"));

    // Identifiers never reach the server's log.
    let log = server.log_text();
    assert!(log.contains("request received"), "{log}");
    for secret in ["aino", "Aino", "C-1001", "+358401234567"] {
        assert!(!log.contains(secret), "{secret} in the server log:\n{log}");
    }
}

#[test]
fn the_same_idempotency_key_returns_the_same_request() {
    let tmp = tempfile::tempdir().expect("tmp");
    let server = Server::start(&tmp.path().join("data"), &[]);
    let args = [
        &["submit"][..],
        &[
            "--email",
            "mikko.korhonen@example.com",
            "--idempotency-key",
            "ticket-4711",
        ],
    ]
    .concat();
    let first = ok(&server.cli(&args));
    let second = server.cli(&args);
    assert_eq!(ok(&second), first);
    assert!(stderr(&second).contains("used before"));
    let other = server.cli(
        &[
            &["submit"][..],
            &[
                "--email",
                "someone.else@example.com",
                "--idempotency-key",
                "ticket-4711",
            ],
        ]
        .concat(),
    );
    let line = one_error_line(&other);
    assert!(line.contains("idempotency key was already used"), "{line}");
    assert!(!line.contains("someone.else"), "{line}");
    let listed = ok(&server.cli(&["list"]));
    assert_eq!(
        listed.lines().filter(|l| l.contains(&first)).count(),
        1,
        "{listed}"
    );
    assert_eq!(
        listed.lines().count(),
        2,
        "header and one request:\n{listed}"
    );
}

#[test]
fn bad_input_gets_one_clear_error_and_loses_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let server = Server::start(&tmp.path().join("data"), &[]);
    let kept = ok(&server.cli(&["submit", "--customer-id", "C-1003"]));
    for (args, expect, secret) in [
        (
            vec!["--email", "lena.schmidt@@example"],
            "e-mail address is not valid",
            "lena.schmidt",
        ),
        // National format is read in the jurisdiction (FI); too short for a Finnish number.
        (
            vec!["--phone", "040 99"],
            "phone number is not valid",
            "040 99",
        ),
        (vec!["--channel", "phone"], "no identifier given", ""),
        (
            vec!["--customer-id", "C-1004", "--system", "ledger"],
            "unknown system in scope: ledger",
            "C-1004",
        ),
        (
            vec!["--customer-id", "C-1004", "--jurisdiction", "Finland"],
            "jurisdiction",
            "C-1004",
        ),
        (
            vec!["--customer-id", "C-1004", "--controller", "Acme Oy"],
            "controller id is malformed",
            "C-1004",
        ),
        (
            vec!["--customer-id", "C-1004", "--controller", "acme"],
            "declares no controllers",
            "C-1004",
        ),
    ] {
        let out = server.cli(&[&["submit"][..], &args].concat());
        let line = one_error_line(&out);
        assert!(line.contains(expect), "{args:?}: {line}");
        if !secret.is_empty() {
            assert!(!line.contains(secret), "{line} echoes personal data");
        }
    }
    let listed = ok(&server.cli(&["list"]));
    assert_eq!(
        listed.lines().count(),
        2,
        "only the good request:\n{listed}"
    );
    assert!(listed.contains(&kept));
    let unknown = one_error_line(&server.cli(&["status", "no-such-request"]));
    assert!(unknown.contains("not found"), "{unknown}");
}

#[test]
fn a_client_without_a_server_says_so() {
    let port = free_port();
    let out = cli(&[
        "--server",
        &format!("http://127.0.0.1:{port}"),
        "status",
        "x",
    ]);
    let line = one_error_line(&out);
    assert!(line.contains("no erasure server answers at"), "{line}");
}

#[test]
fn serve_refuses_bad_configuration_unwritable_data_and_a_taken_port() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = tmp.path().join("bad.toml");
    std::fs::write(&config, "[server]\nlisen = \"127.0.0.1:1\"\n[[systems]]\n").expect("write");
    let out = cli(&[
        "serve",
        "--config",
        config.to_str().expect("utf-8"),
        "--data-dir",
        tmp.path().join("d1").to_str().expect("utf-8"),
    ]);
    let line = one_error_line(&out);
    assert!(
        line.contains("lisen") && line.contains("bad.toml"),
        "{line}"
    );

    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let out = cli(&[
        "serve",
        "--data-dir",
        file.join("data").to_str().expect("utf-8"),
    ]);
    let line = one_error_line(&out);
    assert!(line.contains("is not writable"), "{line}");

    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = cli(&[
        "serve",
        "--data-dir",
        tmp.path().join("d2").to_str().expect("utf-8"),
        "--listen",
        &addr,
    ]);
    let line = one_error_line(&out);
    assert!(line.contains(&format!("cannot listen on {addr}")), "{line}");
}

#[test]
fn the_load_command_reports_throughput_and_latency() {
    let tmp = tempfile::tempdir().expect("tmp");
    let server = Server::start(&tmp.path().join("data"), &[]);
    let out = ok(&server.cli(&["load", "--requests", "12", "--concurrency", "4"]));
    for line in [
        "requests      12",
        "throughput",
        "latency p50",
        "latency p99",
    ] {
        assert!(out.contains(line), "{line} missing:\n{out}");
    }
    let listed = ok(&server.cli(&["list", "--status", "completed"]));
    assert_eq!(
        listed.lines().count(),
        13,
        "every load request completed:\n{listed}"
    );
}

#[test]
fn an_email_alone_reaches_the_pictures_filed_under_the_customer_number() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let server = Server::start(&data, &[]);
    let cameras = data.join("example/cameras/customers");
    assert_eq!(files_under(&cameras.join("C-1001")), 6);

    // Only the e-mail address: the CRM resolves it to the customer number first.
    let id = ok(&server.cli(&["submit", "--email", "aino.virtanen@example.com"]));
    let watched = ok(&server.cli(&["watch", &id]));
    assert!(watched.contains("completed"), "{watched}");

    assert_eq!(files_under(&cameras.join("C-1001")), 0, "Aino's pictures");
    assert_eq!(files_under(&cameras.join("C-1002")), 6, "Mikko's stay");
    assert_eq!(
        count(
            &telemetry(&data),
            "SELECT count(*) FROM devices WHERE customer_number = 'C-1001'"
        ),
        0
    );
    let certificate = ok(&server.cli(&["certificate", &id]));
    assert!(certificate.contains("\"resolutions\""), "{certificate}");
    assert!(certificate.contains("\"customer_id\": 1"), "{certificate}");
    assert!(
        !certificate.contains("C-1001"),
        "no identifier in the certificate"
    );
    let file = tmp.path().join("certificate.json");
    std::fs::write(&file, &certificate).expect("write");
    let trust = data.join("trust.json");
    let verified = ok(&cli(&[
        "verify",
        &file.to_string_lossy(),
        "--trust",
        &trust.to_string_lossy(),
    ]));
    assert!(verified.contains("is valid"), "{verified}");
}
