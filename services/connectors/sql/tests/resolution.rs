//! Identity resolution on real databases (SQLite and PostgreSQL): the identity columns of
//! the person's rows, read round after round until nothing new turns up; nothing changed;
//! a controller's rows only; values that are no identifiers skipped and counted.

mod support;

use erasure_connector_sdk::kit::controller_job;
use erasure_connector_sdk::{Connector, Job, ResolutionOutcome};
use erasure_core::{IdentifierKind, Identifiers};
use support::Db;
use support::pg::PgDb;

/// Customers by e-mail and customer number; devices by customer number and serial, so an
/// e-mail finds the customer number (round 1), which finds the devices (round 2).
const SCHEMA: &str = "
    CREATE TABLE customers (id INTEGER PRIMARY KEY, client_id TEXT, email TEXT, customer_number TEXT);
    CREATE TABLE devices (id INTEGER PRIMARY KEY, customer_number TEXT, serial TEXT);
    INSERT INTO customers (id, client_id, email, customer_number) VALUES
        (1, 'acme', 'aino@example.com', 'C-1001'),
        (2, 'acme', 'aino@example.com', 'C-2002'),
        (3, 'globex', 'aino@example.com', 'C-9009'),
        (4, 'acme', 'mikko@example.com', 'C-3003');
    INSERT INTO devices (id, customer_number, serial) VALUES
        (1, 'C-1001', 'SN-00001'), (2, 'C-2002', 'not a serial!'), (3, 'C-3003', 'SN-00003'),
        (4, 'C-9009', 'SN-00009');";

const TABLES: &str = r#"
    [[tables]]
    table = "customers"
    match = [ { column = "email", identifier = "email" }, { column = "customer_number", identifier = "customer_id" } ]
    tenant = "client_id"
    action = "delete"
    [[tables]]
    table = "devices"
    match = [ { column = "customer_number", identifier = "customer_id" }, { column = "serial", identifier = "device_id" } ]
    action = "delete"
"#;

fn aino_for(controller: &str) -> Job {
    let email = Identifiers::parse(Some("aino@example.com"), None, None).expect("valid");
    controller_job(&email, "req-1", controller)
}

fn values(ids: &Identifiers, kind: IdentifierKind) -> Vec<String> {
    ids.values(kind).map(str::to_owned).collect()
}

async fn check(connector: &dyn Connector) {
    let answer = connector.resolve(&aino_for("acme")).await;
    assert_eq!(
        answer.outcome,
        ResolutionOutcome::Found,
        "{}",
        answer.detail
    );
    assert_eq!(
        values(&answer.found, IdentifierKind::CustomerId),
        ["C-1001", "C-2002"]
    );
    assert_eq!(
        values(&answer.found, IdentifierKind::DeviceId),
        ["SN-00001"]
    );
    assert_eq!(
        values(&answer.found, IdentifierKind::Email),
        ["aino@example.com"]
    );
    assert!(
        answer.detail.contains("1 stored values were not valid"),
        "{}",
        answer.detail
    );
    let globex = connector.resolve(&aino_for("globex")).await;
    assert_eq!(
        values(&globex.found, IdentifierKind::CustomerId),
        ["C-9009"]
    );
    assert_eq!(
        values(&globex.found, IdentifierKind::DeviceId),
        ["SN-00009"]
    );
    let nobody = Identifiers::parse(Some("nobody@example.com"), None, None).expect("valid");
    let unknown = connector
        .resolve(&controller_job(&nobody, "req-2", "acme"))
        .await;
    assert_eq!(
        unknown.outcome,
        ResolutionOutcome::Found,
        "the job's own identifiers"
    );
    assert_eq!(unknown.found, nobody);
}

#[tokio::test]
async fn sqlite_finds_every_identifier_of_the_controller_s_rows_in_rounds() {
    let config = format!("database = \"r.sqlite\"\n{TABLES}");
    let db = Db::new(SCHEMA, &config, "r.sqlite");
    check(db.connector.as_ref()).await;
    assert_eq!(
        db.count("SELECT COUNT(*) FROM customers", []),
        4,
        "nothing changed"
    );
}

#[tokio::test]
async fn postgres_finds_every_identifier_of_the_controller_s_rows_in_rounds() {
    let db = PgDb::new(
        &SCHEMA.replace("INTEGER PRIMARY KEY", "BIGINT PRIMARY KEY"),
        TABLES,
    )
    .await;
    check(db.connector.as_ref()).await;
    assert_eq!(db.count("SELECT COUNT(*) FROM customers", &[]).await, 4);
}

#[tokio::test]
async fn without_a_controller_tenant_rows_are_not_read() {
    let config = format!("database = \"r.sqlite\"\n{TABLES}");
    let db = Db::new(SCHEMA, &config, "r.sqlite");
    let mut job = aino_for("acme");
    job.controller = None;
    let answer = db.connector.resolve(&job).await;
    assert_eq!(answer.outcome, ResolutionOutcome::FailedPermanent);
    assert!(
        answer.detail.contains("per controller"),
        "{}",
        answer.detail
    );
}
