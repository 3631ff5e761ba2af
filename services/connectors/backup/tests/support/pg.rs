//! PostgreSQL catalogs for the tests: each test gets a schema of its own on the server
//! named by `ERASURE_TEST_POSTGRES_URL` (start one with `scripts/start-postgres`; a test
//! FAILS when the variable is unset, it never skips), dropped afterwards with every
//! session whose `application_name` is the schema's name.

use super::connector;
use async_trait::async_trait;
use erasure_connector_backup::BackupConnector;
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::failure_cases::FailingSubject;
use erasure_connector_sdk::kit::report_cases::ReportSubject;
use erasure_store::postgres::testing::{TestSchema, url_from_env};
use std::sync::Arc;
use tempfile::TempDir;
use tokio_postgres::{Client, NoTls};

/// A catalog with awkward names and PostgreSQL's own types: `timestamptz`, `date`,
/// `text[]`.
pub const TABLE: &str = r#"
    CREATE TABLE "Backup Sets" (
        "Set ID" text PRIMARY KEY,
        "taken ""at""" timestamptz NOT NULL,
        "delete after" date,
        hosts text[] NOT NULL
    )"#;

/// How a configuration maps [`TABLE`] (without `url`).
pub const COLUMNS: &str = r#"
table = "Backup Sets"
busy_timeout_ms = 200
columns = { id = "Set ID", taken_at = 'taken "at"', expires = "delete after", systems = "hosts" }
"#;

/// A schema of its own with a catalog table, a client in it, and files for the
/// configuration (a password).
pub struct PgCatalog {
    pub client: Client,
    pub dir: TempDir,
    pub schema: TestSchema,
}

impl PgCatalog {
    /// A fresh schema with the tables `ddl` creates.
    pub async fn new(ddl: &str) -> Self {
        let schema = TestSchema::create(&url_from_env()).await;
        let (client, connection) = schema.config().connect(NoTls).await.expect("connect");
        tokio::spawn(connection);
        client.batch_execute(ddl).await.expect("catalog table");
        Self {
            client,
            dir: tempfile::tempdir().expect("tempdir"),
            schema,
        }
    }

    /// The connector over this schema, configured by `catalog` (the `[catalog]` keys
    /// besides `url`) and `covers`.
    pub fn connector(&self, covers: &str, catalog: &str) -> BackupConnector {
        self.connector_at(&url_from_env(), covers, catalog)
    }

    /// The same on `url` (another server, another role).
    pub fn connector_at(&self, url: &str, covers: &str, catalog: &str) -> BackupConnector {
        let url = self.url(url);
        let text = format!("covers = {covers}\n[catalog]\nurl = \"{url}\"\n{catalog}");
        connector(&text, self.dir.path())
    }

    /// `url` with the schema as `search_path` and as `application_name`, and sessions in
    /// a time zone far from UTC and a day-first date style: the connector must read times
    /// the same whatever the server's settings.
    pub fn url(&self, url: &str) -> String {
        let sep = if url.contains('?') { '&' } else { '?' };
        let name = self.schema.name();
        let settings = format!(
            "-c%20search_path%3D{name}%20-c%20TimeZone%3DAsia/Kolkata%20-c%20DateStyle%3DGerman"
        );
        format!("{url}{sep}options={settings}&application_name={name}")
    }

    pub async fn execute(&self, sql: &str) {
        self.client.batch_execute(sql).await.expect("sql");
    }
}

/// A URL on which nothing listens: the port of a listener closed right away.
pub fn nothing_listens() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    format!("postgres://erasure@127.0.0.1:{port}/erasure?connect_timeout=5")
}

/// The kit's subject on a PostgreSQL catalog table.
pub struct Postgres {
    catalog: PgCatalog,
    connector: Arc<BackupConnector>,
}

pub async fn postgres() -> Postgres {
    let catalog = PgCatalog::new(TABLE).await;
    let connector = Arc::new(catalog.connector("[]", COLUMNS));
    Postgres { catalog, connector }
}

#[async_trait]
impl ReportSubject for Postgres {
    fn connector(&self) -> Arc<dyn Connector> {
        self.connector.clone()
    }

    async fn populate(&self) {
        let sql = r#"INSERT INTO "Backup Sets" VALUES
            ('crm-nightly-2026-11-19', '2026-11-19 02:00:00+00', '2027-02-19', '{crm,support}')"#;
        self.catalog.execute(sql).await;
    }
}

#[async_trait]
impl FailingSubject for Postgres {
    async fn unreachable(&self) -> Arc<dyn Connector> {
        let url = nothing_listens();
        Arc::new(self.catalog.connector_at(&url, "[]", COLUMNS))
    }

    async fn mismatched(&self) -> Arc<dyn Connector> {
        let columns = COLUMNS.replace("\"hosts\"", "\"systems\"");
        Arc::new(self.catalog.connector("[]", &columns))
    }
}
