//! A throwaway schema per test (features `postgres` and `test-util`).
//!
//! Tests share one server, whose URL is in [`URL_VAR`] (start one with
//! `scripts/start-postgres`). Each test gets its own schema, `t_<pid>_<n>_<nanos>`, and
//! a store whose connections have it as their `search_path` (and `application_name`,
//! to find them when cleaning up), so cases run in parallel
//! without seeing each other's rows. The schema is dropped when the [`TestSchema`]
//! guard is. A missing variable fails the test: a suite that silently skips would pass
//! without testing anything.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio_postgres::{Config, NoTls};

use super::PostgresStore;

/// The environment variable holding the test server's URL.
pub const URL_VAR: &str = "ERASURE_TEST_POSTGRES_URL";

/// The test server's URL; panics, saying how to start one, when [`URL_VAR`] is unset.
pub fn url_from_env() -> String {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{URL_VAR} is not set. These tests need a PostgreSQL server: run \
             `export {URL_VAR}=$(scripts/start-postgres)` from the repository root \
             (and `scripts/start-postgres stop DIR` afterwards)"
        ),
    }
}

/// A fresh schema on the server of [`URL_VAR`] and a store of `pool_size` connections
/// using it. Panics if there is no server.
pub async fn store(pool_size: usize) -> (PostgresStore, TestSchema) {
    let schema = TestSchema::create(&url_from_env()).await;
    let store = PostgresStore::connect_with(schema.config(), pool_size)
        .await
        .unwrap_or_else(|e| panic!("connect to test schema {}: {e}", schema.name));
    (store, schema)
}

/// An empty schema, dropped (with everything in it) when this is.
#[derive(Debug)]
pub struct TestSchema {
    /// The server, with the schema as `search_path`.
    config: Config,
    name: String,
}

impl TestSchema {
    /// Creates a schema with a name no other test uses. Panics if that fails.
    pub async fn create(url: &str) -> Self {
        let mut config: Config = url
            .parse()
            .unwrap_or_else(|e| panic!("{URL_VAR} is not a PostgreSQL URL: {e}"));
        let name = unique_name();
        let sql = format!("CREATE SCHEMA \"{name}\"");
        run(&config, &sql)
            .await
            .unwrap_or_else(|e| panic!("create test schema {name}: {e}"));
        config.options(format!("-c search_path={name}"));
        config.application_name(&name);
        Self { config, name }
    }

    /// Connection settings that put the store's tables in this schema.
    pub fn config(&self) -> Config {
        self.config.clone()
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// `Drop` cannot await and may run inside the test's runtime, so the schema is dropped
/// on a thread of its own with a runtime of its own. Sessions still connected to the
/// schema (found by their `application_name`) are terminated first: one left inside a
/// transaction would hold locks that `DROP SCHEMA` waits for, and if its connection
/// task lives on the blocked runtime, it would wait forever. Failures are reported, not
/// raised: a panic while unwinding from a failed test would abort the test binary.
impl Drop for TestSchema {
    fn drop(&mut self) {
        let config = self.config.clone();
        let sql = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = '{name}' AND pid <> pg_backend_pid();
             DROP SCHEMA IF EXISTS \"{name}\" CASCADE",
            name = self.name
        );
        let outcome = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(run(&config, &sql))
        })
        .join();
        if !matches!(outcome, Ok(Ok(()))) {
            eprintln!("could not drop test schema {}: {outcome:?}", self.name);
        }
    }
}

/// Runs `sql` on a connection of its own.
async fn run(config: &Config, sql: &str) -> Result<(), String> {
    let (client, connection) = config.connect(NoTls).await.map_err(|e| e.to_string())?;
    let task = tokio::spawn(connection);
    let outcome = client.batch_execute(sql).await.map_err(|e| e.to_string());
    drop(client);
    let _closed = task.await;
    outcome
}

/// `t_<pid>_<counter>_<nanos>` (safe to quote in SQL unescaped): distinct across the tests of one binary (counter) and
/// across binaries and runs (pid, time).
fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("t_{}_{n}_{nanos}", std::process::id())
}
