//! PostgreSQL for the tests: each test gets a schema of its own on the server named by
//! `ERASURE_TEST_POSTGRES_URL` (start one with `scripts/start-postgres`; a test FAILS when
//! the variable is unset, it never skips), dropped afterwards with every session whose
//! `application_name` is the schema's name. [`PgDb`] holds a client to seed and count
//! with plain SQL, and a connector whose URL puts its connections in that schema.
//!
//! [`crm`]: the CRM of the SQLite tests, on PostgreSQL, for the conformance kit.

use super::{CRM_CONFIG, value};
use async_trait::async_trait;
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::KitSubject;
use erasure_connector_sql::{Config, SqlConnector};
use erasure_core::{IdentifierKind, Identifiers};
use erasure_store::postgres::testing::{TestSchema, url_from_env};
use std::sync::Arc;
use tempfile::TempDir;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};

/// A schema of its own, a client in it, and a connector over it.
pub struct PgDb {
    pub client: Client,
    pub connector: Arc<SqlConnector>,
    /// For files the configuration names (password, hash key).
    pub dir: TempDir,
    pub schema: TestSchema,
}

impl PgDb {
    /// Creates `schema` (SQL) in a fresh schema and builds the connector from the TOML
    /// `config` (tables and settings, without `url` or `database`).
    pub async fn new(schema: &str, config: &str) -> Self {
        Self::with_files(schema, &[], config).await
    }

    /// Like [`PgDb::new`], with `files` (name, content) written where the configuration
    /// finds them first.
    pub async fn with_files(schema: &str, files: &[(&str, &str)], config: &str) -> Self {
        let test_schema = TestSchema::create(&url_from_env()).await;
        let client = connect(&test_schema).await;
        client.batch_execute(schema).await.expect("schema");
        let dir = tempfile::tempdir().expect("tempdir");
        for (file, content) in files {
            std::fs::write(dir.path().join(file), content).expect("write");
        }
        let connector = connector(&test_schema, &dir, &url_from_env(), config);
        Self {
            client,
            connector: Arc::new(connector),
            dir,
            schema: test_schema,
        }
    }

    /// Another connector over the same schema: a restarted connector process.
    pub fn connector(&self, config: &str) -> SqlConnector {
        connector(&self.schema, &self.dir, &url_from_env(), config)
    }

    /// Another connector over the same schema, on `url` (another port).
    pub fn connector_at(&self, url: &str, config: &str) -> SqlConnector {
        connector(&self.schema, &self.dir, url, config)
    }

    /// Another connector over the same schema, on `url` as another role, its sessions
    /// named `-<role>`: the schema's owner may not end another role's sessions when it
    /// drops the schema (idle, they do not keep it from being dropped).
    pub fn connector_as(&self, url: &str, role: &str, config: &str) -> SqlConnector {
        let url = with_schema(url, &self.schema, &format!("{}-{role}", self.schema.name()));
        build(&url, &self.schema, &self.dir, config)
    }

    pub async fn count(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> u64 {
        let row = self.client.query_one(sql, params).await.expect("count");
        let n: i64 = row.get(0);
        n as u64
    }

    pub fn write(&self, file: &str, content: &str) {
        std::fs::write(self.dir.path().join(file), content).expect("write");
    }
}

/// A connection whose `search_path` is the schema.
pub async fn connect(schema: &TestSchema) -> Client {
    let (client, connection) = schema.config().connect(NoTls).await.expect("connect");
    tokio::spawn(connection);
    client
}

/// `url` with the schema as `search_path` and as `application_name`.
pub fn schema_url(url: &str, schema: &TestSchema) -> String {
    with_schema(url, schema, schema.name())
}

fn with_schema(url: &str, schema: &TestSchema, application: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    let name = schema.name();
    format!("{url}{sep}options=-c%20search_path%3D{name}&application_name={application}")
}

fn connector(schema: &TestSchema, dir: &TempDir, url: &str, config: &str) -> SqlConnector {
    build(&schema_url(url, schema), schema, dir, config)
}

fn build(url: &str, schema: &TestSchema, dir: &TempDir, config: &str) -> SqlConnector {
    let text = format!(
        "url = \"{url}\"\nprogress_schema = \"{}\"\n{config}",
        schema.name()
    );
    let config: Config = toml::from_str(&text).expect("config parses");
    SqlConnector::new(config, dir.path()).expect("config valid")
}

/// The CRM tables on PostgreSQL (ids from sequences, text identity columns).
pub const CRM_SCHEMA: &str = "
    CREATE TABLE customers (id bigserial PRIMARY KEY, email text, phone text, customer_number text, name text);
    CREATE TABLE contracts (id bigserial PRIMARY KEY, customer_id bigint, holder_name text, billing_address text, amount_cents integer NOT NULL);
    CREATE TABLE support_tickets (id bigserial PRIMARY KEY, customer_id bigint, body text);
";

/// The SQLite CRM's tables, as a PostgreSQL connector's configuration.
pub fn crm_config() -> String {
    CRM_CONFIG.replace("database = \"crm.sqlite\"", "")
}

/// The CRM on PostgreSQL: a person's data is one customer row, two support tickets and
/// one contract whose holder name and address are theirs.
pub struct PgCrm(pub PgDb);

pub async fn crm() -> PgCrm {
    PgCrm(PgDb::new(CRM_SCHEMA, &crm_config()).await)
}

pub async fn crm_with(settings: &str) -> PgCrm {
    PgCrm(PgDb::new(CRM_SCHEMA, &format!("{settings}\n{}", crm_config())).await)
}

fn holder(person: &Identifiers) -> (String, String) {
    let cid = value(person, IdentifierKind::CustomerId);
    (format!("Holder {cid}"), format!("{cid} Street 1"))
}

fn ids(person: &Identifiers) -> (String, String, String) {
    (
        value(person, IdentifierKind::Email),
        value(person, IdentifierKind::Phone),
        value(person, IdentifierKind::CustomerId),
    )
}

#[async_trait]
impl KitSubject for PgCrm {
    fn connector(&self) -> Arc<dyn Connector> {
        self.0.connector.clone()
    }

    async fn seed(&self, person: &Identifiers) {
        let c = &self.0.client;
        let (email, phone, cid) = ids(person);
        let (name, address) = holder(person);
        let row = c
            .query_one(
                "INSERT INTO customers (email, phone, customer_number, name) VALUES ($1, $2, $3, $4) RETURNING id",
                &[&email, &phone, &cid, &name],
            )
            .await
            .expect("customer");
        let id: i64 = row.get(0);
        for body in ["cannot log in", "invoice question"] {
            let body = format!("{body} ({email})");
            c.execute(
                "INSERT INTO support_tickets (customer_id, body) VALUES ($1, $2)",
                &[&id, &body],
            )
            .await
            .expect("ticket");
        }
        c.execute(
            "INSERT INTO contracts (customer_id, holder_name, billing_address, amount_cents) VALUES ($1, $2, $3, 4200)",
            &[&id, &name, &address],
        )
        .await
        .expect("contract");
    }

    /// Rows holding the person's data, found by their content rather than by joins.
    async fn remaining(&self, person: &Identifiers) -> u64 {
        let (email, phone, cid) = ids(person);
        let (name, address) = holder(person);
        let db = &self.0;
        db.count(
            "SELECT COUNT(*) FROM customers WHERE email = $1 OR phone = $2 OR customer_number = $3",
            &[&email, &phone, &cid],
        )
        .await
            + db.count(
                "SELECT COUNT(*) FROM support_tickets WHERE body LIKE '%(' || $1 || ')'",
                &[&email],
            )
            .await
            + db.count(
                "SELECT COUNT(*) FROM contracts WHERE holder_name = $1 OR billing_address = $2",
                &[&name, &address],
            )
            .await
    }
}
