//! What the backup connector's tests share: the erasure moment and `as_of` of the kit's
//! jobs, connectors built from TOML, SQLite catalog files, and kit subjects.
//!
//! The kit's jobs are judged on `as_of` 2026-11-20; the connector's clock stands at
//! [`MOMENT`], noon that day. [`pg`] has the PostgreSQL catalogs.

#![allow(dead_code)] // each test file uses part of it

pub mod pg;

use async_trait::async_trait;
use erasure_connector_backup::{BackupConnector, Config};
use erasure_connector_sdk::kit::failure_cases::FailingSubject;
use erasure_connector_sdk::kit::report_cases::ReportSubject;
use erasure_connector_sdk::{Clock, Connector, Job, Report};
use erasure_core::events::{BackupCopy, Outcome};
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tempfile::TempDir;

/// The connector's clock in these tests: noon (UTC) on the kit's `as_of`.
pub const MOMENT: &str = "2026-11-20T12:00:00Z";

pub fn clock(moment: &str) -> Clock {
    let ms = chrono::DateTime::parse_from_rfc3339(moment)
        .expect("moment")
        .timestamp_millis();
    Arc::new(move || ms)
}

/// The connector `text` configures, its clock at [`MOMENT`].
pub fn connector(text: &str, base: &Path) -> BackupConnector {
    let config: Config = toml::from_str(text).expect("config parses");
    let built = BackupConnector::new(config, base).expect("config valid");
    built.with_clock(clock(MOMENT))
}

/// A job of the kit for alice, judged on the kit's `as_of`.
pub fn job(request_id: &str) -> Job {
    erasure_connector_sdk::kit::job(&erasure_connector_sdk::kit::alice(), request_id, 1)
}

pub async fn report(connector: &BackupConnector, request_id: &str) -> Report {
    connector.erase(&job(request_id)).await
}

/// Fails unless `report` is `outcome` with a detail containing `text`.
pub fn assert_failed(report: &Report, outcome: Outcome, text: &str) {
    assert_eq!(report.outcome, outcome, "{}", report.detail);
    assert!(report.detail.contains(text), "{}", report.detail);
}

/// Fails unless `problems` (of `Connector::check`) are as many as `texts`, each
/// containing its text.
pub fn assert_problems(problems: &[String], texts: &[&str]) {
    assert_eq!(problems.len(), texts.len(), "{problems:?}");
    for (problem, text) in problems.iter().zip(texts) {
        assert!(problem.contains(text), "{problems:?}");
    }
}

/// The set ids of an in-backups report, in its order.
pub fn ids(report: &Report) -> Vec<&str> {
    report.backups.iter().map(|c| c.set_id.as_str()).collect()
}

pub fn copy(report: &Report, id: &str) -> BackupCopy {
    let found = report.backups.iter().find(|c| c.set_id == id);
    found
        .cloned()
        .unwrap_or_else(|| panic!("no set {id} in {:?}", ids(report)))
}

/// A SQLite catalog table with awkward names, and how a configuration maps them.
pub const SQLITE_TABLE: &str = r#"CREATE TABLE "backup sets" ("set id" TEXT, "taken ""at""" TEXT, "delete after" TEXT, "hosts" TEXT)"#;

pub const SQLITE_CONFIG: &str = r#"
covers = ["crm", "support"]
[catalog]
database = "catalog.sqlite"
table = "backup sets"
busy_timeout_ms = 200
columns = { id = "set id", taken_at = 'taken "at"', expires = "delete after", systems = "hosts" }
"#;

/// A directory holding `catalog.sqlite` with [`SQLITE_TABLE`] in it.
pub fn sqlite_catalog() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = Connection::open(dir.path().join("catalog.sqlite")).expect("create");
    conn.execute(SQLITE_TABLE, []).expect("table");
    dir
}

/// Adds a row to the catalog in `dir`: id, taken at, expires, systems (NULL where `None`).
pub fn insert(dir: &Path, row: [Option<&str>; 4]) {
    let conn = Connection::open(dir.join("catalog.sqlite")).expect("open");
    let sql = r#"INSERT INTO "backup sets" VALUES (?1, ?2, ?3, ?4)"#;
    conn.execute(sql, row).expect("insert");
}

/// A set that may hold anyone erased by the kit's jobs.
pub const NIGHTLY: [Option<&str>; 4] = [
    Some("crm-nightly-2026-11-19"),
    Some("2026-11-19 02:00:00"),
    Some("2027-02-19"),
    Some("crm,support"),
];

/// The kit's subject on a catalog written out in the configuration: `populate` adds a set
/// to the configuration, and the connector is built from it as it is then.
pub struct Listed {
    sets: Mutex<String>,
    dir: TempDir,
}

pub async fn listed() -> Listed {
    Listed {
        sets: Mutex::new("sets = []\n".into()),
        dir: tempfile::tempdir().expect("tempdir"),
    }
}

#[async_trait]
impl ReportSubject for Listed {
    fn connector(&self) -> Arc<dyn Connector> {
        let text = self.sets.lock().expect("lock").clone();
        Arc::new(connector(&text, self.dir.path()))
    }

    async fn populate(&self) {
        *self.sets.lock().expect("lock") = r#"
            [[sets]]
            id = "crm-weekly-2026-11-15"
            taken_at = "2026-11-15T02:00:00Z"
            expires = "2027-02-15"
            systems = ["crm"]
        "#
        .into();
    }
}

/// The kit's subject on a SQLite catalog table.
pub struct Sqlite {
    dir: TempDir,
    connector: Arc<BackupConnector>,
}

pub async fn sqlite() -> Sqlite {
    let dir = sqlite_catalog();
    let connector = Arc::new(connector(SQLITE_CONFIG, dir.path()));
    Sqlite { dir, connector }
}

#[async_trait]
impl ReportSubject for Sqlite {
    fn connector(&self) -> Arc<dyn Connector> {
        self.connector.clone()
    }

    async fn populate(&self) {
        insert(self.dir.path(), NIGHTLY);
    }
}

#[async_trait]
impl FailingSubject for Sqlite {
    /// The catalog's volume is not mounted: the file cannot be opened.
    async fn unreachable(&self) -> Arc<dyn Connector> {
        let text = SQLITE_CONFIG.replace("catalog.sqlite", "unmounted/catalog.sqlite");
        Arc::new(connector(&text, self.dir.path()))
    }

    async fn mismatched(&self) -> Arc<dyn Connector> {
        let text = SQLITE_CONFIG.replace("\"hosts\"", "\"systems\"");
        Arc::new(connector(&text, self.dir.path()))
    }
}
