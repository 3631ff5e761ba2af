//! Legal holds, deadlines and operator commands against a real `erasure serve`.
//!
//! The held-invoice story: the example's billing system holds the person's invoices,
//! which the Finnish Accounting Act forces the operator to keep. The request completes
//! with the invoices restricted, not erased, and the certificate lists the exception.
//! Then the server is restarted with its clock ten years on: the hold's timer (an event)
//! fires by itself, the invoices are erased and a supplement to the certificate is issued.

use erasure_tests::*;
use std::path::Path;

const INVOICES_OF_AINO: &str = "SELECT count(*) FROM invoices WHERE customer_number = 'C-1001'";

#[tokio::test(flavor = "multi_thread")]
async fn an_invoice_is_held_then_erased_ten_years_later_with_a_supplement() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let mut server = Server::start(&data, &[]);
    let billing = data.join("example/billing.sqlite");
    let others_before = count(
        &billing,
        "SELECT count(*) FROM invoices WHERE customer_number <> 'C-1001'",
    );
    assert_eq!(count(&billing, INVOICES_OF_AINO), 2, "example data");

    let id = ok(&server.cli(&["submit", "--customer-id", "C-1001", "--jurisdiction", "FI"]));
    let status = wait_for_status(&server, &id, "certificate  available").await;
    assert!(status.contains("status       completed"), "{status}");
    assert!(
        status.contains("billing      held   2 items of accounting-voucher under fi-kpl-vouchers until 2032-12-31"),
        "{status}"
    );
    // Kept and restricted (Art. 18), everything else of the person erased.
    assert_eq!(count(&billing, INVOICES_OF_AINO), 2);
    assert_eq!(
        count(&billing, &format!("{INVOICES_OF_AINO} AND restricted = 1")),
        2
    );
    assert_eq!(
        count(
            &data.join("example/crm.sqlite"),
            "SELECT count(*) FROM customers WHERE customer_number = 'C-1001'"
        ),
        0
    );

    // The certificate lists the exception with its rule, citation and end date.
    let cert = tmp.path().join("certificate.json");
    ok(&server.cli(&["certificate", &id, "-o", cert.to_str().expect("utf-8")]));
    let c = json_file(&cert);
    let exceptions = c["certificate"]["exceptions"]
        .as_array()
        .expect("exceptions");
    assert_eq!(exceptions.len(), 1, "{c:#}");
    let e = &exceptions[0];
    assert_eq!(e["system_id"], "billing");
    assert_eq!(e["rule_id"], "fi-kpl-vouchers");
    assert_eq!(e["retained_until"], "2032-12-31");
    assert!(
        e["citation"]
            .as_str()
            .is_some_and(|s| s.contains("1336/1997")),
        "{e:#}"
    );
    let trust = data.join("trust.json");
    let trust = trust.to_str().expect("utf-8");
    ok(&cli(&[
        "verify",
        cert.to_str().expect("utf-8"),
        "--trust",
        trust,
    ]));
    let refused = one_error_line(&server.cli(&["certificate", &id, "--supplement", "1"]));
    assert!(refused.contains("no supplement 1"), "{refused}");

    // Ten years on, after a restart: the hold ends by itself.
    server.set_env("ERASURE_CLOCK_OFFSET", "3660d");
    server.restart();
    let status = wait_for_status(&server, &id, "supplements  1").await;
    assert!(
        status.contains("billing      ended  2 items of accounting-voucher under fi-kpl-vouchers until 2032-12-31"),
        "{status}"
    );
    assert_eq!(
        count(&billing, INVOICES_OF_AINO),
        0,
        "erased when the law let go"
    );
    assert_eq!(
        count(
            &billing,
            "SELECT count(*) FROM invoices WHERE customer_number <> 'C-1001'"
        ),
        others_before,
        "nobody else's invoices touched"
    );
    let supplement = tmp.path().join("supplement-1.json");
    ok(&server.cli(&[
        "certificate",
        &id,
        "--supplement",
        "1",
        "-o",
        supplement.to_str().expect("utf-8"),
    ]));
    let s = json_file(&supplement);
    assert_eq!(
        s["supplement"]["ended"][0]["rule_id"], "fi-kpl-vouchers",
        "{s:#}"
    );
    assert_eq!(s["supplement"]["systems"][0]["outcome"], "erased", "{s:#}");
    ok(&cli(&[
        "verify",
        supplement.to_str().expect("utf-8"),
        "--trust",
        trust,
        "--certificate",
        cert.to_str().expect("utf-8"),
    ]));
    assert!(
        server.log_text().contains("for tests only"),
        "the offset is announced"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_task_is_retried_by_an_operator() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    // A system whose database is missing: every attempt fails, two attempts per budget.
    let config = tmp.path().join("config.toml");
    std::fs::write(
        &config,
        r#"
[retention]
default_jurisdiction = "FI"

[retries]
max_attempts = 2
base_delay_ms = 100

[[systems]]
id = "ledger"
categories = ["contact"]
[systems.connector]
kind = "sql"
database = "ledger.sqlite"
[[systems.connector.tables]]
table = "people"
match = [{ column = "email", identifier = "email" }]
action = "delete"
"#,
    )
    .expect("config");
    let server = Server::start(&data, &["--config", config.to_str().expect("utf-8")]);
    let id = ok(&server.cli(&["submit", "--email", "someone@example.com"]));
    let status = wait_for_status(&server, &id, "status       failed").await;
    assert!(status.contains("failed (failed-retryable)"), "{status}");

    // A failed request has no deadline left to extend; an operator retry reopens it.
    let refused = one_error_line(&server.cli(&["extend", &id, "--months", "1", "--reason", "x"]));
    assert!(refused.contains("already failed"), "{refused}");
    // The operator creates the missing database and retries.
    let db = rusqlite::Connection::open(data.join("ledger.sqlite")).expect("db");
    db.execute_batch(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT);
         INSERT INTO people (email) VALUES ('someone@example.com'), ('other@example.com');",
    )
    .expect("seed");
    drop(db);
    let refused = one_error_line(&server.cli(&["retry", &id, "--system", "crm"]));
    assert!(refused.contains("unknown system"), "{refused}");
    ok(&server.cli(&[
        "retry",
        &id,
        "--system",
        "ledger",
        "--reason",
        "database restored",
    ]));
    let status = wait_for_status(&server, &id, "certificate  available").await;
    assert!(
        status.contains("retried      ledger by unauthenticated at "),
        "{status}"
    );
    assert!(status.contains(": database restored"), "{status}");
    assert_eq!(
        count(&data.join("ledger.sqlite"), "SELECT count(*) FROM people"),
        1
    );
    let refused = one_error_line(&server.cli(&["retry", &id]));
    assert!(refused.contains("nothing to retry"), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn extensions_and_due_dates_through_the_cli() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    // Connectors that never answer in time: every system paced to a crawl after one job.
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/examples/embedded.toml"),
    )
    .expect("example");
    let config = tmp.path().join("slow.toml");
    std::fs::write(
        &config,
        example.replace(
            "\n[systems.connector]\n",
            "\nmax_per_second = 0.0001\n\n[systems.connector]\n",
        ),
    )
    .expect("config");
    let server = Server::start(
        &data,
        &[
            "--config",
            config.to_str().expect("utf-8"),
            "--with-example-data",
        ],
    );
    // The first job of each system goes through; the second request waits behind it.
    ok(&server.cli(&["submit", "--customer-id", "C-1002"]));
    let id = ok(&server.cli(&["submit", "--customer-id", "C-1003"]));

    let refused = one_error_line(&server.cli(&["extend", &id, "--months", "1"]));
    assert!(refused.contains("needs a reason"), "{refused}");
    let refused = one_error_line(&server.cli(&["extend", &id, "--months", "3", "--reason", "r"]));
    assert!(refused.contains("1 or 2 months"), "{refused}");
    let out = ok(&server.cli(&[
        "extend",
        &id,
        "--months",
        "2",
        "--reason",
        "complex request: many systems",
    ]));
    assert!(out.starts_with("deadline extended to "), "{out}");
    let refused =
        one_error_line(&server.cli(&["extend", &id, "--months", "1", "--reason", "again"]));
    assert!(refused.contains("only once"), "{refused}");
    let status = stdout(&server.cli(&["status", &id]));
    assert!(
        status.contains("(extended by 2 month(s) from")
            && status.contains("complex request: many systems"),
        "{status}"
    );

    let listed = ok(&server.cli(&["list", "--due-within", "40d"]));
    assert!(
        !listed.contains(&id),
        "extended: due in about three months\n{listed}"
    );
    let listed = ok(&server.cli(&["list", "--due-within", "100d"]));
    assert!(listed.contains(&id), "{listed}");
    let listed = ok(&server.cli(&["list", "--overdue"]));
    assert!(!listed.contains(&id), "{listed}");
    let refused = server.cli(&["list", "--due-within", "soon"]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("is not a number of days such as 7d"));
}

#[test]
fn explain_prints_the_date_and_the_reasoning() {
    let out = ok(&cli(&[
        "explain",
        "hold",
        "--rule",
        "de-hgb-vouchers",
        "--date",
        "2015-06-01",
    ]));
    assert!(out.contains("retained until 2024-12-31"), "{out}");
    assert!(out.contains("erasable from  2025-01-01"), "{out}");
    assert!(
        out.contains("BEG IV") || out.contains("Bürokratieentlastungsgesetz"),
        "{out}"
    );
    let out = ok(&cli(&[
        "explain",
        "hold",
        "--rule",
        "fi-kpl-books",
        "--date",
        "2024-07-01",
        "--financial-year-end",
        "06-30",
    ]));
    assert!(out.contains("financial year ending 2025-06-30"), "{out}");
    assert!(out.contains("retained until 2035-06-30"), "{out}");
    let out = ok(&cli(&["explain", "deadline", "--received", "2026-01-31"]));
    assert!(out.contains("deadline     2026-02-28"), "{out}");
    let out = ok(&cli(&[
        "explain",
        "deadline",
        "--received",
        "2026-01-31",
        "--extended-months",
        "2",
    ]));
    assert!(out.contains("deadline     2026-04-30"), "{out}");
    let err = one_error_line(&cli(&[
        "explain",
        "hold",
        "--rule",
        "nope",
        "--date",
        "2024-01-01",
    ]));
    assert!(err.contains("no rule \"nope\""), "{err}");
    let err = one_error_line(&cli(&["explain", "deadline", "--received", "31.1.2026"]));
    assert!(err.contains("not a date"), "{err}");
}
