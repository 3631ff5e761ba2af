//! Legal holds on PostgreSQL, in pages of one row (the smallest batch, so that every page
//! boundary is crossed): rows a retention rule still holds are restricted and kept whole,
//! the rest get the table's action, and the report says which rule keeps what until when.
//! Dates are a `date` column, the condition flag a `boolean`, the marker a `smallint`.
//! Needs `ERASURE_TEST_POSTGRES_URL`.

mod support;

use erasure_connector_sdk::kit::{alice, assert_no_personal_data, date, fi_vouchers, held_job};
use erasure_connector_sdk::{Connector, Job, Report};
use erasure_core::events::{Outcome, Retained};
use erasure_core::retention::{Anchor, Ground, Period, Rule};
use support::pg::PgDb;

/// Alice (C-1001) has three invoices: from 2025 and 2026 (kept by the Finnish voucher rule
/// until 2031-12-31 and 2032-12-31) and from 2019 (kept until 2025-12-31). Bob has one.
const BILLING_SCHEMA: &str = "
    CREATE TABLE customers (id bigint PRIMARY KEY, customer_number text, name text);
    CREATE TABLE invoices (id bigint PRIMARY KEY, customer_number text, invoice_number text,
        issued_on date, amount_cents integer, complaint_open boolean,
        restricted smallint NOT NULL DEFAULT 0);
    INSERT INTO customers VALUES (1, 'C-1001', 'Alice'), (2, 'C-1002', 'Bob');
    INSERT INTO invoices (id, customer_number, invoice_number, issued_on, amount_cents) VALUES
        (1, 'C-1001', 'INV-2025-0042', '2025-03-14', 4900),
        (2, 'C-1001', 'INV-2026-0007', '2026-02-10', 5900),
        (3, 'C-1001', 'INV-2019-0100', '2019-06-01', 3900),
        (4, 'C-1002', 'INV-2026-0008', '2026-02-11', 5900);
";

const BILLING_CONFIG: &str = r#"
    batch_size = 1
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

async fn billing() -> PgDb {
    PgDb::new(BILLING_SCHEMA, BILLING_CONFIG).await
}

async fn erase(db: &PgDb, job: &Job) -> Report {
    let report = db.connector.erase(job).await;
    assert_no_personal_data(&report, &alice());
    report
}

fn vouchers_on(as_of: &str) -> Job {
    held_job(&alice(), "req-1", vec![fi_vouchers()], as_of)
}

/// A later attempt of the same request, as the coordinator sends once a hold ends (the
/// same attempt again would be a redelivery, answered with the same totals).
fn attempt(attempt: u32, as_of: &str) -> Job {
    Job {
        attempt,
        ..vouchers_on(as_of)
    }
}

/// (id, restricted) of the invoices left, in id order.
async fn invoices(db: &PgDb) -> Vec<(i64, i16)> {
    let rows = db
        .client
        .query("SELECT id, restricted FROM invoices ORDER BY id", &[])
        .await
        .expect("invoices");
    rows.iter().map(|r| (r.get(0), r.get(1))).collect()
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

/// The summary up to the note on dead tuples.
fn counts(report: &Report) -> &str {
    let summary = report.evidence_summary.as_str();
    summary
        .split("; deleted rows stay")
        .next()
        .unwrap_or(summary)
}

#[tokio::test]
async fn held_rows_are_restricted_and_kept_whole_page_by_page() {
    let db = billing().await;

    let report = erase(&db, &vouchers_on("2026-11-20")).await;

    assert_eq!(
        counts(&report),
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
    assert_eq!(invoices(&db).await, [(1, 1), (2, 1), (4, 0)]);
    let whole = db
        .count(
            "SELECT COUNT(*) FROM invoices WHERE customer_number = 'C-1001' AND invoice_number IS NOT NULL AND amount_cents > 0",
            &[],
        )
        .await;
    assert_eq!(whole, 2, "a kept invoice lost data");

    let again = erase(&db, &attempt(2, "2026-11-20")).await;

    assert_eq!(
        counts(&again),
        "customers: 0 deleted; invoices: 2 restricted (fi-kpl-vouchers until 2032-12-31), 0 deleted; 0 remain"
    );
    assert_eq!(
        (again.outcome, again.items_affected),
        (Outcome::Retained, 2)
    );
}

#[tokio::test]
async fn rows_are_erased_as_their_holds_end() {
    let db = billing().await;
    erase(&db, &vouchers_on("2026-11-20")).await;

    let later = erase(&db, &attempt(2, "2032-01-01")).await;
    assert_eq!(
        counts(&later),
        "customers: 0 deleted; invoices: 1 restricted (fi-kpl-vouchers until 2032-12-31), 1 deleted; 0 remain"
    );
    assert_eq!(invoices(&db).await, [(2, 1), (4, 0)]);

    let last = erase(&db, &attempt(3, "2033-01-01")).await;
    assert_eq!(
        counts(&last),
        "customers: 0 deleted; invoices: 1 deleted; 0 remain"
    );
    assert_eq!((last.outcome, last.items_affected), (Outcome::Erased, 1));
    assert_eq!(
        invoices(&db).await,
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
async fn a_boolean_condition_flag_brings_in_the_rule_that_needs_it() {
    let db = billing().await;
    db.client
        .execute(
            "UPDATE invoices SET complaint_open = true WHERE id = 3",
            &[],
        )
        .await
        .expect("flag");
    let job = held_job(
        &alice(),
        "req-1",
        vec![fi_vouchers(), complaint_rule()],
        "2026-11-20",
    );

    let report = erase(&db, &job).await;

    assert_eq!(
        report.retained,
        [
            retained(&fi_vouchers(), 2, "2026-02-10", "2032-12-31"),
            retained(&complaint_rule(), 1, "2019-06-01", "2029-06-01"),
        ]
    );
    assert_eq!(invoices(&db).await, [(1, 1), (2, 1), (3, 1), (4, 0)]);
}

#[tokio::test]
async fn an_anonymising_held_table_anonymises_only_the_released_rows() {
    let config = BILLING_CONFIG.replacen(
        "action = \"delete\"\n    category",
        "action = { anonymise = [\"invoice_number\", { column = \"customer_number\", value = \"gone\" }] }\n    category",
        1,
    );
    let db = PgDb::new(BILLING_SCHEMA, &config).await;

    let report = erase(&db, &vouchers_on("2026-11-20")).await;

    assert_eq!(
        counts(&report),
        "customers: 1 deleted; invoices: 2 restricted (fi-kpl-vouchers until 2032-12-31), 1 anonymised; 0 remain"
    );
    let anonymised = db
        .count(
            "SELECT COUNT(*) FROM invoices WHERE id = 3 AND customer_number = 'gone' AND invoice_number IS NULL AND restricted = 0",
            &[],
        )
        .await;
    assert_eq!(anonymised, 1);
    assert_eq!(invoices(&db).await, [(1, 1), (2, 1), (3, 0), (4, 0)]);
}

#[tokio::test]
async fn a_matched_row_without_a_date_fails_for_good_naming_no_value() {
    let db = billing().await;
    db.client
        .execute("UPDATE invoices SET issued_on = NULL WHERE id = 1", &[])
        .await
        .expect("break the date");

    let report = erase(&db, &vouchers_on("2026-11-20")).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert_eq!(
        report.detail,
        "table invoices: column issued_on of a matched row holds no date (NULL): cannot tell until when a retention rule keeps it"
    );
    // Unlike SQLite's single transaction, the batches before the failure stay committed,
    // and the report says so.
    assert!(
        report
            .evidence_summary
            .starts_with("not finished, done so far: customers: 1 deleted;"),
        "{}",
        report.evidence_summary
    );
    let left = db
        .count(
            "SELECT COUNT(*) FROM invoices WHERE customer_number = 'C-1001'",
            &[],
        )
        .await;
    assert_eq!(
        report.items_affected,
        1 + (3 - left),
        "every committed deletion is reported"
    );
}
