//! Two small databases the conformance kit runs against, seeded and counted with plain
//! SQL (never through the connector):
//!
//! - CRM: `customers` (matched by e-mail, phone, customer number; deleted),
//!   `support_tickets` (joined to customers; deleted), `contracts` (joined to customers;
//!   holder name and billing address anonymised, the contract kept).
//! - Telemetry: `devices` (matched by customer number; deleted) and `readings` (joined to
//!   devices; deleted).
//!
//! [`pg`]: the same CRM on PostgreSQL, in a throwaway schema per test.

#![allow(dead_code)]

pub mod pg;

use async_trait::async_trait;
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::KitSubject;
use erasure_connector_sql::{Config, SqlConnector};
use erasure_core::{IdentifierKind, Identifiers};
use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;

pub const CRM_SCHEMA: &str = "
    CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, phone TEXT, customer_number TEXT, name TEXT);
    CREATE TABLE contracts (id INTEGER PRIMARY KEY, customer_id INTEGER, holder_name TEXT, billing_address TEXT, amount_cents INTEGER NOT NULL);
    CREATE TABLE support_tickets (id INTEGER PRIMARY KEY, customer_id INTEGER, body TEXT);
";

pub const CRM_CONFIG: &str = r#"
    database = "crm.sqlite"
    [[tables]]
    table = "customers"
    match = [ { column = "email", identifier = "email" }, { column = "phone", identifier = "phone" }, { column = "customer_number", identifier = "customer_id" } ]
    action = "delete"
    [[tables]]
    table = "support_tickets"
    join = { column = "customer_id", references = "customers.id" }
    action = "delete"
    [[tables]]
    table = "contracts"
    join = { column = "customer_id", references = "customers.id" }
    action = { anonymise = ["holder_name", "billing_address"] }
"#;

pub const TELEMETRY_SCHEMA: &str = "
    CREATE TABLE devices (id INTEGER PRIMARY KEY, customer_number TEXT, label TEXT);
    CREATE TABLE readings (id INTEGER PRIMARY KEY, device_id INTEGER NOT NULL, kwh REAL);
";

pub const TELEMETRY_CONFIG: &str = r#"
    database = "telemetry.sqlite"
    [[tables]]
    table = "readings"
    join = { column = "device_id", references = "devices.id" }
    action = "delete"
    [[tables]]
    table = "devices"
    match = [ { column = "customer_number", identifier = "customer_id" } ]
    action = "delete"
"#;

pub fn value(person: &Identifiers, kind: IdentifierKind) -> String {
    person.values(kind).next().unwrap_or_default().to_owned()
}

/// A temporary directory holding one database, and a connector over it.
pub struct Db {
    pub dir: TempDir,
    pub path: PathBuf,
    pub connector: Arc<SqlConnector>,
}

impl Db {
    /// Creates `file` in a new directory with `schema` and builds the connector from the
    /// TOML `config`, resolved against that directory.
    pub fn new(schema: &str, config: &str, file: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(file);
        Connection::open(&path)
            .expect("create")
            .execute_batch(schema)
            .expect("schema");
        let config: Config = toml::from_str(config).expect("config parses");
        let connector = SqlConnector::new(config, dir.path()).expect("config valid");
        Self {
            dir,
            path,
            connector: Arc::new(connector),
        }
    }

    pub fn conn(&self) -> Connection {
        Connection::open(&self.path).expect("open")
    }

    pub fn count(&self, sql: &str, params: impl rusqlite::Params) -> u64 {
        let n: i64 = self
            .conn()
            .query_row(sql, params, |r| r.get(0))
            .expect("count");
        n as u64
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// The CRM database. A person's data: one customer row, two support tickets, one contract
/// whose holder name and address are theirs.
pub struct Crm(pub Db);

pub async fn crm() -> Crm {
    Crm(Db::new(CRM_SCHEMA, CRM_CONFIG, "crm.sqlite"))
}

fn holder(person: &Identifiers) -> (String, String) {
    let cid = value(person, IdentifierKind::CustomerId);
    (format!("Holder {cid}"), format!("{cid} Street 1"))
}

#[async_trait]
impl KitSubject for Crm {
    fn connector(&self) -> Arc<dyn Connector> {
        self.0.connector.clone()
    }

    async fn seed(&self, person: &Identifiers) {
        let conn = self.0.conn();
        let (email, phone, cid) = (
            value(person, IdentifierKind::Email),
            value(person, IdentifierKind::Phone),
            value(person, IdentifierKind::CustomerId),
        );
        let (name, address) = holder(person);
        conn.execute(
            "INSERT INTO customers (email, phone, customer_number, name) VALUES (?1, ?2, ?3, ?4)",
            params![email, phone, cid, name],
        )
        .expect("customer");
        let id = conn.last_insert_rowid();
        for body in ["cannot log in", "invoice question"] {
            conn.execute(
                "INSERT INTO support_tickets (customer_id, body) VALUES (?1, ?2)",
                params![id, format!("{body} ({email})")],
            )
            .expect("ticket");
        }
        conn.execute(
            "INSERT INTO contracts (customer_id, holder_name, billing_address, amount_cents) VALUES (?1, ?2, ?3, 4200)",
            params![id, name, address],
        )
        .expect("contract");
    }

    /// Rows holding the person's data, found by their content rather than by joins (joins
    /// break once the customer row is gone, and must not hide leftovers).
    async fn remaining(&self, person: &Identifiers) -> u64 {
        let (email, phone, cid) = (
            value(person, IdentifierKind::Email),
            value(person, IdentifierKind::Phone),
            value(person, IdentifierKind::CustomerId),
        );
        let (name, address) = holder(person);
        let db = &self.0;
        db.count(
            "SELECT COUNT(*) FROM customers WHERE email = ?1 OR phone = ?2 OR customer_number = ?3",
            params![email, phone, cid],
        ) + db.count(
            "SELECT COUNT(*) FROM support_tickets WHERE body LIKE '%(' || ?1 || ')'",
            params![email],
        ) + db.count(
            "SELECT COUNT(*) FROM contracts WHERE holder_name = ?1 OR billing_address = ?2",
            params![name, address],
        )
    }
}

/// The telemetry database. A person's data: two devices with three readings each.
pub struct Telemetry(pub Db);

pub async fn telemetry() -> Telemetry {
    Telemetry(Db::new(
        TELEMETRY_SCHEMA,
        TELEMETRY_CONFIG,
        "telemetry.sqlite",
    ))
}

/// Device ids are derived from the customer number, so the count needs no join.
fn device_ids(person: &Identifiers) -> [i64; 2] {
    let cid = value(person, IdentifierKind::CustomerId);
    let n: i64 = cid.trim_start_matches("C-").parse().unwrap_or(0);
    [n * 10, n * 10 + 1]
}

#[async_trait]
impl KitSubject for Telemetry {
    fn connector(&self) -> Arc<dyn Connector> {
        self.0.connector.clone()
    }

    async fn seed(&self, person: &Identifiers) {
        let conn = self.0.conn();
        let cid = value(person, IdentifierKind::CustomerId);
        for device in device_ids(person) {
            conn.execute(
                "INSERT INTO devices (id, customer_number, label) VALUES (?1, ?2, 'meter')",
                params![device, cid],
            )
            .expect("device");
            for kwh in [1.5, 2.0, 2.5] {
                conn.execute(
                    "INSERT INTO readings (device_id, kwh) VALUES (?1, ?2)",
                    params![device, kwh],
                )
                .expect("reading");
            }
        }
    }

    async fn remaining(&self, person: &Identifiers) -> u64 {
        let cid = value(person, IdentifierKind::CustomerId);
        let [a, b] = device_ids(person);
        self.0.count(
            "SELECT COUNT(*) FROM devices WHERE customer_number = ?1",
            params![cid],
        ) + self.0.count(
            "SELECT COUNT(*) FROM readings WHERE device_id IN (?1, ?2)",
            params![a, b],
        )
    }
}
