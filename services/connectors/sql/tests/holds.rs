//! Legal holds on a real SQLite file: rows a retention rule still holds are restricted and
//! kept whole, the rest get the table's action, and the report says which rule keeps what
//! until when.

mod support;

use erasure_connector_sdk::Report;
use erasure_connector_sdk::kit::{alice, assert_no_personal_data, date, fi_vouchers, held_job};
use erasure_connector_sdk::{Connector, Job};
use erasure_core::events::{Outcome, Retained};
use erasure_core::retention::{Anchor, Ground, Period, Rule};
use support::Db;

/// Alice (C-1001) has three invoices: from 2025 and 2026 (kept by the Finnish voucher rule
/// until 2031-12-31 and 2032-12-31) and from 2019 (kept until 2025-12-31). Bob has one.
const BILLING_SCHEMA: &str = "
    CREATE TABLE customers (id INTEGER PRIMARY KEY, customer_number TEXT, name TEXT);
    CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_number TEXT, invoice_number TEXT,
        issued_on TEXT, amount_cents INTEGER, complaint_open INTEGER,
        restricted INTEGER NOT NULL DEFAULT 0);
    INSERT INTO customers VALUES (1, 'C-1001', 'Alice'), (2, 'C-1002', 'Bob');
    INSERT INTO invoices (id, customer_number, invoice_number, issued_on, amount_cents) VALUES
        (1, 'C-1001', 'INV-2025-0042', '2025-03-14', 4900),
        (2, 'C-1001', 'INV-2026-0007', '2026-02-10T08:30:00Z', 5900),
        (3, 'C-1001', 'INV-2019-0100', '2019-06-01', 3900),
        (4, 'C-1002', 'INV-2026-0008', '2026-02-11', 5900);
";

const BILLING_CONFIG: &str = r#"
    database = "billing.sqlite"
    [[tables]]
    table = "customers"
    match = [ { column = "customer_number", identifier = "customer_id" } ]
    action = "delete"
    [[tables]]
    table = "invoices"
    match = [ { column = "customer_number", identifier = "customer_id" } ]
    action = "delete"
    category = "accounting-voucher"
    reference_date = "issued_on"
    restrict = "restricted"
    conditions = { "complaint-open" = "complaint_open" }
"#;

fn billing() -> Db {
    Db::new(BILLING_SCHEMA, BILLING_CONFIG, "billing.sqlite")
}

async fn erase(db: &Db, job: &Job) -> Report {
    let report = db.connector.erase(job).await;
    assert_no_personal_data(&report, &alice());
    report
}

fn vouchers_on(as_of: &str) -> Job {
    held_job(&alice(), "req-1", vec![fi_vouchers()], as_of)
}

/// (id, restricted) of the invoices left, in id order.
fn invoices(db: &Db) -> Vec<(i64, i64)> {
    let conn = db.conn();
    let mut query = conn
        .prepare("SELECT id, restricted FROM invoices ORDER BY id")
        .expect("prepare");
    let rows = query
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query");
    rows.collect::<Result<_, _>>().expect("rows")
}

fn retained(rule: &Rule, items: u64, latest: &str, until: &str) -> Retained {
    Retained {
        rule_id: rule.id.clone(),
        category: rule.category.clone(),
        items,
        latest_reference_date: date(latest),
        retained_until: date(until),
    }
}

#[tokio::test]
async fn held_rows_are_restricted_and_kept_whole() {
    let db = billing();

    let report = erase(&db, &vouchers_on("2026-11-20")).await;

    assert_eq!(
        report.evidence_summary,
        "customers: 1 deleted; invoices: 2 restricted (fi-kpl-vouchers until 2032-12-31), 1 deleted; 0 remain"
    );
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Retained, 4)
    );
    assert_eq!(
        report.retained,
        [retained(&fi_vouchers(), 2, "2026-02-10", "2032-12-31")]
    );
    assert_eq!(invoices(&db), [(1, 1), (2, 1), (4, 0)]);
    let whole = db.count(
        "SELECT COUNT(*) FROM invoices WHERE customer_number = 'C-1001' AND invoice_number IS NOT NULL AND amount_cents > 0",
        [],
    );
    assert_eq!(whole, 2, "a kept invoice lost data");
    let doc: serde_json::Value = serde_json::from_slice(&report.evidence).expect("json");
    assert_eq!(doc["tables"][1]["restricted"], 2);
    assert_eq!(doc["tables"][1]["holds"][0]["rule_id"], "fi-kpl-vouchers");
    assert_eq!(doc["as_of"], "2026-11-20");
}

#[tokio::test]
async fn a_duplicate_during_the_hold_reports_the_same_hold() {
    let db = billing();
    erase(&db, &vouchers_on("2026-11-20")).await;

    let again = erase(&db, &vouchers_on("2026-11-20")).await;

    assert_eq!(
        again.evidence_summary,
        "customers: 0 deleted; invoices: 2 restricted (fi-kpl-vouchers until 2032-12-31), 0 deleted; 0 remain"
    );
    assert_eq!(
        (again.outcome, again.items_affected),
        (Outcome::Retained, 2)
    );
    assert_eq!(again.retained[0].items, 2);
}

#[tokio::test]
async fn rows_are_erased_as_their_holds_end() {
    let db = billing();
    erase(&db, &vouchers_on("2026-11-20")).await;

    // The 2025 invoice was kept until 2031-12-31; the 2026 one is kept until 2032-12-31.
    let later = erase(&db, &vouchers_on("2032-01-01")).await;
    assert_eq!(
        later.evidence_summary,
        "customers: 0 deleted; invoices: 1 restricted (fi-kpl-vouchers until 2032-12-31), 1 deleted; 0 remain"
    );
    assert_eq!(
        later.retained,
        [retained(&fi_vouchers(), 1, "2026-02-10", "2032-12-31")]
    );
    assert_eq!(invoices(&db), [(2, 1), (4, 0)]);

    let last = erase(&db, &vouchers_on("2033-01-01")).await;
    assert_eq!(
        last.evidence_summary,
        "customers: 0 deleted; invoices: 1 deleted; 0 remain"
    );
    assert_eq!((last.outcome, last.items_affected), (Outcome::Erased, 1));
    assert!(last.retained.is_empty());
    assert_eq!(
        invoices(&db),
        [(4, 0)],
        "the neighbour's invoice is untouched"
    );
}

/// A claims rule for invoices under an open complaint: 10 years from the invoice date.
fn complaint_rule() -> Rule {
    Rule {
        id: "invoices-complaint".into(),
        ground: Ground::LegalClaims,
        period: Period::years(10),
        runs_from: Anchor::DocumentDate,
        condition: Some("complaint-open".into()),
        ..fi_vouchers()
    }
}

#[tokio::test]
async fn a_condition_flag_brings_in_the_rule_that_needs_it() {
    let db = billing();
    db.conn()
        .execute("UPDATE invoices SET complaint_open = 1 WHERE id = 3", [])
        .expect("flag");
    let job = held_job(
        &alice(),
        "req-1",
        vec![fi_vouchers(), complaint_rule()],
        "2026-11-20",
    );

    let report = erase(&db, &job).await;

    assert_eq!(
        report.evidence_summary,
        "customers: 1 deleted; invoices: 3 restricted (fi-kpl-vouchers until 2032-12-31, invoices-complaint until 2029-06-01), 0 deleted; 0 remain"
    );
    assert_eq!(
        report.retained,
        [
            retained(&fi_vouchers(), 2, "2026-02-10", "2032-12-31"),
            retained(&complaint_rule(), 1, "2019-06-01", "2029-06-01"),
        ]
    );
    assert_eq!(invoices(&db), [(1, 1), (2, 1), (3, 1), (4, 0)]);

    db.conn()
        .execute("UPDATE invoices SET complaint_open = 0 WHERE id = 3", [])
        .expect("complaint closed");
    let closed = erase(&db, &job).await;
    assert_eq!(closed.retained.len(), 1, "{:?}", closed.retained);
    assert_eq!(invoices(&db), [(1, 1), (2, 1), (4, 0)]);
}

#[tokio::test]
async fn without_a_rule_for_the_category_kept_rows_are_erased_too() {
    let db = billing();
    erase(&db, &vouchers_on("2026-11-20")).await;

    let report = erase(&db, &held_job(&alice(), "req-2", vec![], "2026-11-20")).await;

    assert_eq!(report.outcome, Outcome::Erased);
    assert_eq!(
        report.evidence_summary,
        "customers: 0 deleted; invoices: 2 deleted; 0 remain"
    );
    assert_eq!(invoices(&db), [(4, 0)]);
}

#[tokio::test]
async fn a_held_category_no_table_declares_fails_for_good_and_nothing_changes() {
    let mut calls = fi_vouchers();
    calls.id = "cs-call-recordings".into();
    calls.category = "call-recording".into();
    let db = billing();

    let report = erase(&db, &held_job(&alice(), "req-1", vec![calls], "2026-11-20")).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert!(
        report
            .detail
            .contains("rule cs-call-recordings holds category call-recording, but no table"),
        "{}",
        report.detail
    );
    assert_eq!(
        invoices(&db),
        [(1, 0), (2, 0), (3, 0), (4, 0)],
        "nothing erased"
    );
}

#[tokio::test]
async fn a_matched_row_without_a_date_fails_for_good_and_nothing_changes() {
    for bad in ["NULL", "'14.03.2025'"] {
        let db = billing();
        db.conn()
            .execute(
                &format!("UPDATE invoices SET issued_on = {bad} WHERE id = 1"),
                [],
            )
            .expect("break the date");

        let report = erase(&db, &vouchers_on("2026-11-20")).await;

        assert_eq!(report.outcome, Outcome::FailedPermanent);
        let why = if bad == "NULL" {
            "holds no date (NULL)"
        } else {
            "is not a date YYYY-MM-DD"
        };
        assert_eq!(
            report.detail,
            format!(
                "table invoices: column issued_on of a matched row {why}: cannot tell until when a retention rule keeps it"
            )
        );
        assert!(!report.detail.contains("14.03"), "the value leaked");
        assert_eq!(invoices(&db), [(1, 0), (2, 0), (3, 0), (4, 0)]);
        assert_eq!(
            db.count("SELECT COUNT(*) FROM customers", []),
            2,
            "not rolled back"
        );
    }
}

#[tokio::test]
async fn a_missing_marker_column_is_permanent() {
    let db = Db::new(
        BILLING_SCHEMA,
        &BILLING_CONFIG.replace("restrict = \"restricted\"", "restrict = \"on_hold\""),
        "billing.sqlite",
    );

    let report = erase(&db, &vouchers_on("2026-11-20")).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert_eq!(report.detail, "table invoices: no such column: on_hold");
    assert_eq!(invoices(&db).len(), 4);
}

#[tokio::test]
async fn an_anonymising_table_anonymises_only_the_released_rows() {
    let config = BILLING_CONFIG.replacen(
        "action = \"delete\"\n    category",
        "action = { anonymise = [\"customer_number\"] }\n    category",
        1,
    );
    let db = Db::new(BILLING_SCHEMA, &config, "billing.sqlite");

    let report = erase(&db, &vouchers_on("2026-11-20")).await;

    assert_eq!(
        report.evidence_summary,
        "customers: 1 deleted; invoices: 2 restricted (fi-kpl-vouchers until 2032-12-31), 1 anonymised; 0 remain"
    );
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Retained, 4)
    );
    let anonymised = db.count(
        "SELECT COUNT(*) FROM invoices WHERE id = 3 AND customer_number IS NULL AND restricted = 0",
        [],
    );
    assert_eq!(anonymised, 1);
    assert_eq!(invoices(&db), [(1, 1), (2, 1), (3, 0), (4, 0)]);
}
