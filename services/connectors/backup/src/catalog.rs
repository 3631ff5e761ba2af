//! The catalog a connector reads: sets written out in the configuration (checked once,
//! when the connector is built), or a table read afresh for every job (checked every
//! time: a row without an expiry fails the job, naming the set).

use crate::config::{Config, SetConfig, TableCatalog};
use crate::error::ConfigError;
use crate::set::{self, Entry, Fields};
use crate::table::{PostgresTable, SqliteTable, select};
use erasure_connector_sql::Failure;
use erasure_connector_sql::pg_backend;
use erasure_connector_sql::pg_pool::Database;
use erasure_core::events::BackupCopy;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// PostgreSQL connections in a catalog's pool: one read per job.
const POOL_SIZE: usize = 2;

#[derive(Clone, Debug)]
pub struct Catalog {
    source: Source,
    /// Where the sets come from, for evidence and messages.
    shown: String,
}

#[derive(Clone, Debug)]
enum Source {
    Listed(Arc<[BackupCopy]>),
    Sqlite(SqliteTable, Fields),
    Postgres(PostgresTable, Fields),
}

impl Catalog {
    /// The catalog `config` names; relative paths resolve against `base`.
    pub fn new(config: &Config, base: &Path) -> Result<Self, ConfigError> {
        match (&config.sets, &config.catalog) {
            (None, None) => Err(ConfigError::NoCatalog),
            (Some(_), Some(_)) => Err(ConfigError::SetsAndCatalog),
            (Some(sets), None) => listed(sets),
            (None, Some(table)) => from_table(table, base),
        }
    }

    /// Where the sets come from, e.g. `SQLite table "backup sets" in catalog.sqlite`.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Every set of the catalog, checked. A problem with a set is a permanent failure
    /// naming the first one (and how many more there are).
    pub async fn sets(&self) -> Result<Vec<BackupCopy>, Failure> {
        let (entries, fields) = match &self.source {
            Source::Listed(sets) => return Ok(sets.to_vec()),
            Source::Sqlite(table, fields) => (table.entries().await, fields),
            Source::Postgres(table, fields) => (table.entries().await, fields),
        };
        let context = |what: String| format!("backup catalog ({}): {what}", self.shown);
        let entries = entries.map_err(|f| match f {
            Failure::Retryable(d) => Failure::Retryable(context(d)),
            Failure::Permanent(d) => Failure::Permanent(context(d)),
        })?;
        set::check_all(entries, fields, row).map_err(|problems| {
            let more = match problems.len() {
                1 => String::new(),
                n => format!(" (and {} more problems)", n - 1),
            };
            Failure::Permanent(context(format!("{}{more}", problems[0])))
        })
    }

    /// Every problem of the catalog, one line each: what reading it reports, or each set
    /// that cannot be judged.
    pub async fn check(&self) -> Vec<String> {
        if let Source::Sqlite(table, _) = &self.source
            && !table.database.is_file()
        {
            let shown = table.database.display();
            return vec![format!(
                "connector.catalog.database: {shown} does not exist"
            )];
        }
        let (entries, fields) = match &self.source {
            Source::Listed(_) => return Vec::new(),
            Source::Sqlite(table, fields) => (table.entries().await, fields),
            Source::Postgres(table, fields) => (table.entries().await, fields),
        };
        let context = |what: &str| format!("connector.catalog ({}): {what}", self.shown);
        match entries.map(|e| set::check_all(e, fields, row)) {
            Ok(Ok(_)) => Vec::new(),
            Ok(Err(problems)) => problems.iter().map(|p| context(p)).collect(),
            Err(Failure::Retryable(d) | Failure::Permanent(d)) => vec![context(&d)],
        }
    }
}

/// How a row whose id is unusable is named: rows have no other name.
fn row(_: usize) -> String {
    "a catalog row".to_owned()
}

fn listed(sets: &[SetConfig]) -> Result<Catalog, ConfigError> {
    let entries = sets.iter().map(|s| Entry {
        id: Some(s.id.clone()),
        taken_at: Some(s.taken_at.clone()),
        expires: s.expires.clone(),
        systems: s.systems.clone(),
    });
    let position = |i: usize| format!("sets[{i}]");
    let sets = set::check_all(entries.collect(), &Fields::settings(), position)
        .map_err(ConfigError::Sets)?;
    Ok(Catalog {
        source: Source::Listed(sets.into()),
        shown: "the configuration's `sets`".to_owned(),
    })
}

fn from_table(table: &TableCatalog, base: &Path) -> Result<Catalog, ConfigError> {
    check_names(table)?;
    let fields = Fields::columns(&table.columns);
    let busy_timeout = Duration::from_millis(table.busy_timeout_ms);
    let sqlite = !table.database.as_os_str().is_empty();
    match (sqlite, &table.url) {
        (false, None) => Err(ConfigError::NoDatabase),
        (true, Some(_)) => Err(ConfigError::DatabaseAndUrl),
        (true, None) if table.password_file.is_some() => Err(ConfigError::PasswordWithoutUrl),
        (true, None) => {
            let sql = select(&table.table, &table.columns, |c| {
                format!("CAST({c} AS TEXT)")
            });
            let database = base.join(&table.database);
            let shown = format!(
                "SQLite table {:?} in {}",
                table.table,
                table.database.display()
            );
            let source = SqliteTable {
                database,
                busy_timeout,
                sql,
            };
            Ok(Catalog {
                source: Source::Sqlite(source, fields),
                shown,
            })
        }
        (false, Some(url)) => {
            let password = match &table.password_file {
                Some(file) => Some(pg_backend::password(&base.join(file))?),
                None => None,
            };
            let db = Database::new(url, password.as_deref(), POOL_SIZE)?;
            let shown = format!("PostgreSQL table {:?} at {}", table.table, db.shown());
            let sql =
                PostgresTable::query(&select(&table.table, &table.columns, |c| c), busy_timeout);
            Ok(Catalog {
                source: Source::Postgres(PostgresTable { db, sql }, fields),
                shown,
            })
        }
    }
}

/// Any name goes (it is quoted), but not an empty one, nor one with NUL.
fn check_names(table: &TableCatalog) -> Result<(), ConfigError> {
    let c = &table.columns;
    let names = [
        ("table", &table.table),
        ("columns.id", &c.id),
        ("columns.taken_at", &c.taken_at),
        ("columns.expires", &c.expires),
        ("columns.systems", &c.systems),
    ];
    match names.iter().find(|(_, n)| n.is_empty() || n.contains('\0')) {
        Some((key, _)) => Err(ConfigError::InvalidName { key }),
        None => Ok(()),
    }
}
