//! The sql connector on real SQLite databases, beyond the conformance kit: evidence,
//! partial identifiers, deep joins, and how failures are classified.

mod support;

use erasure_connector_sdk::kit::{KitSubject, alice, bob, job};
use erasure_connector_sdk::{Connector, Report};
use erasure_connector_sql::{Config, SqlConnector};
use erasure_core::events::Outcome;
use erasure_core::{IdentifierKind, Identifiers};
use support::{CRM_CONFIG, CRM_SCHEMA, Crm, Db};

async fn erase(db: &Db, person: &Identifiers) -> Report {
    db.connector.erase(&job(person, "req-1", 1)).await
}

fn assert_no_personal_data(report: &Report) {
    erasure_connector_sdk::kit::assert_no_personal_data(report, &alice());
}

#[tokio::test]
async fn the_summary_counts_each_table_and_anonymised_rows_are_kept() {
    let crm = Crm(Db::new(CRM_SCHEMA, CRM_CONFIG, "crm.sqlite"));
    crm.seed(&alice()).await;

    let report = erase(&crm.0, &alice()).await;

    assert_eq!(
        report.evidence_summary,
        "customers: 1 deleted; support_tickets: 2 deleted; contracts: 1 anonymised; 0 remain"
    );
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 4)
    );
    let kept = crm.0.count(
        "SELECT COUNT(*) FROM contracts WHERE holder_name IS NULL AND billing_address IS NULL AND amount_cents = 4200",
        [],
    );
    assert_eq!(kept, 1, "the contract is kept without the holder's data");
}

#[tokio::test]
async fn one_identifier_is_enough_to_find_the_rest() {
    let crm = Crm(Db::new(CRM_SCHEMA, CRM_CONFIG, "crm.sqlite"));
    crm.seed(&alice()).await;
    crm.seed(&bob()).await;
    let only_email = only_email(&alice());

    let report = erase(&crm.0, &only_email).await;

    assert_eq!(report.outcome, Outcome::Erased);
    assert_eq!(crm.remaining(&alice()).await, 0);
    assert_eq!(crm.remaining(&bob()).await, 4);
}

#[tokio::test]
async fn a_person_known_only_by_a_kind_no_table_matches_is_nothing_found() {
    let telemetry = support::telemetry().await;
    telemetry.seed(&alice()).await;
    let only_email = only_email(&alice());

    let report = erase(&telemetry.0, &only_email).await;

    assert_eq!(report.outcome, Outcome::NothingFound);
    assert_eq!(
        report.evidence_summary,
        "readings: 0 deleted; devices: 0 deleted; 0 remain"
    );
}

const SHOP_SCHEMA: &str = "
    CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER);
    CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER, item TEXT);
    INSERT INTO customers VALUES (1, 'alice@example.com'), (2, 'bob@example.org');
    INSERT INTO orders VALUES (10, 1), (11, 1), (20, 2);
    INSERT INTO order_lines VALUES (100, 10, 'a'), (101, 11, 'b'), (102, 11, 'c'), (200, 20, 'd');
";

const SHOP_CONFIG: &str = r#"
    database = "shop.sqlite"
    [[tables]]
    table = "customers"
    match = [ { column = "email", identifier = "email" } ]
    action = "delete"
    [[tables]]
    table = "orders"
    join = { column = "customer_id", references = "customers.id" }
    action = "delete"
    [[tables]]
    table = "order_lines"
    join = { column = "order_id", references = "orders.id" }
    action = "delete"
"#;

#[tokio::test]
async fn chained_joins_are_followed_deepest_first() {
    let shop = Db::new(SHOP_SCHEMA, SHOP_CONFIG, "shop.sqlite");
    let order: Vec<&str> = shop
        .connector
        .plan()
        .steps
        .iter()
        .map(|s| s.table.as_str())
        .collect();
    assert_eq!(order, ["order_lines", "orders", "customers"]);

    let report = erase(&shop, &alice()).await;

    assert_eq!(
        report.evidence_summary,
        "customers: 1 deleted; orders: 2 deleted; order_lines: 3 deleted; 0 remain"
    );
    assert_eq!(shop.count("SELECT COUNT(*) FROM order_lines", []), 1);
    assert_eq!(
        shop.count("SELECT COUNT(*) FROM orders WHERE customer_id = 2", []),
        1
    );
}

#[tokio::test]
async fn a_missing_database_is_retryable_and_is_not_created() {
    let crm = Crm(Db::new(CRM_SCHEMA, CRM_CONFIG, "crm.sqlite"));
    std::fs::remove_file(&crm.0.path).expect("remove");

    let report = erase(&crm.0, &alice()).await;

    assert_eq!(
        report.outcome,
        Outcome::FailedRetryable,
        "{}",
        report.detail
    );
    assert!(
        report.detail.starts_with("opening the database"),
        "{}",
        report.detail
    );
    assert!(!crm.0.path.exists(), "an empty database was created");
}

#[tokio::test]
async fn a_busy_database_is_retryable() {
    let config = CRM_CONFIG.replace(
        "database = \"crm.sqlite\"",
        "database = \"crm.sqlite\"\nbusy_timeout_ms = 20",
    );
    let crm = Crm(Db::new(CRM_SCHEMA, &config, "crm.sqlite"));
    crm.seed(&alice()).await;
    let holder = crm.0.conn();
    holder
        .execute_batch("BEGIN IMMEDIATE")
        .expect("hold the write lock");

    let report = erase(&crm.0, &alice()).await;

    assert_eq!(
        report.outcome,
        Outcome::FailedRetryable,
        "{}",
        report.detail
    );
    assert_no_personal_data(&report);
    holder.execute_batch("ROLLBACK").expect("release");
    assert_eq!(erase(&crm.0, &alice()).await.outcome, Outcome::Erased);
}

#[tokio::test]
async fn a_misspelt_column_is_permanent_rather_than_a_silent_miss() {
    let config = CRM_CONFIG.replace("column = \"phone\"", "column = \"phone_number\"");
    let crm = Crm(Db::new(CRM_SCHEMA, &config, "crm.sqlite"));
    crm.seed(&alice()).await;

    let report = erase(&crm.0, &alice()).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    let expected = "table support_tickets: no such column: \"phone_number\"";
    assert_eq!(report.detail, expected);
    assert_eq!(crm.remaining(&alice()).await, 4);
}

#[tokio::test]
async fn a_failure_in_a_later_table_rolls_every_table_back() {
    let config = format!(
        "{CRM_CONFIG}\n[[tables]]\ntable = \"newsletter\"\nmatch = [ {{ column = \"email\", identifier = \"email\" }} ]\naction = \"delete\"\n"
    );
    let crm = Crm(Db::new(CRM_SCHEMA, &config, "crm.sqlite"));
    crm.seed(&alice()).await;

    let report = erase(&crm.0, &alice()).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert_eq!(report.detail, "table newsletter: no such table: newsletter");
    assert_eq!(
        crm.remaining(&alice()).await,
        4,
        "part of the erasure was committed"
    );
}

#[tokio::test]
async fn rows_that_come_back_after_the_delete_are_a_retryable_failure() {
    let crm = Crm(Db::new(CRM_SCHEMA, CRM_CONFIG, "crm.sqlite"));
    crm.seed(&alice()).await;
    crm.0
        .conn()
        .execute_batch(
            "CREATE TRIGGER resurrect AFTER DELETE ON customers BEGIN
               INSERT INTO customers (email) VALUES (old.email);
             END;",
        )
        .expect("trigger");

    let report = erase(&crm.0, &alice()).await;

    assert_eq!(report.outcome, Outcome::FailedRetryable);
    assert_eq!(report.detail, "1 rows still match after deleting");
    assert!(
        report.evidence_summary.ends_with("1 remain"),
        "{}",
        report.evidence_summary
    );
    assert_no_personal_data(&report);
}

#[test]
fn a_relative_database_resolves_against_the_base_dir() {
    let config: Config = toml::from_str(CRM_CONFIG).expect("parses");
    let base = std::path::Path::new("/srv/inventory");
    let connector = SqlConnector::new(config.clone(), base).expect("valid");
    assert_eq!(connector.database(), base.join("crm.sqlite"));
    let absolute = Config {
        database: "/data/crm.sqlite".into(),
        ..config
    };
    let connector = SqlConnector::new(absolute, base).expect("valid");
    assert_eq!(
        connector.database(),
        std::path::Path::new("/data/crm.sqlite")
    );
}

#[test]
fn an_empty_database_path_is_refused() {
    let config: Config = toml::from_str(CRM_CONFIG).expect("parses");
    let config = Config {
        database: "".into(),
        ..config
    };
    let err = SqlConnector::new(config, std::path::Path::new(".")).expect_err("refused");
    assert_eq!(err.to_string(), "the sql connector needs a `database`");
}

/// The person known by their e-mail addresses only.
fn only_email(person: &Identifiers) -> Identifiers {
    let emails = person.values(IdentifierKind::Email);
    Identifiers::from_raw(emails.map(|e| (IdentifierKind::Email, e)), None).expect("valid")
}
