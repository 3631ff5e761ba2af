//! A catalog table: the query reading it, and its rows read on SQLite (on the blocking
//! pool, read-only) or PostgreSQL (the sql kind's pool). Table and column names are
//! quoted identifiers; no value is ever put into the SQL. Failures are classified as the
//! sql kind classifies them: unreachable, busy or locked is retryable; a missing table or
//! column, a refused password, permanent.

use crate::config::Columns;
use crate::set::{Entry, split_systems};
use erasure_connector_sql::Failure;
use erasure_connector_sql::builder::quote;
use erasure_connector_sql::pg_pool::Database;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio_postgres::SimpleQueryMessage;

/// A row as read: id, taken at, expires, systems; as text.
type Row = [Option<String>; 4];

const CONTEXT: &str = "reading the catalog";

/// The `SELECT` of the four columns, quoted, ordered by id. `cast` wraps each column
/// (SQLite: as text; PostgreSQL's simple protocol returns text anyway).
pub fn select(table: &str, columns: &Columns, cast: fn(String) -> String) -> String {
    let names = [
        &columns.id,
        &columns.taken_at,
        &columns.expires,
        &columns.systems,
    ];
    let list: Vec<String> = names.iter().map(|c| cast(quote(c))).collect();
    format!(
        "SELECT {} FROM {} ORDER BY 1",
        list.join(", "),
        quote(table)
    )
}

/// A SQLite catalog file.
#[derive(Clone, Debug)]
pub struct SqliteTable {
    pub database: PathBuf,
    pub busy_timeout: Duration,
    pub sql: String,
}

impl SqliteTable {
    pub async fn entries(&self) -> Result<Vec<Entry>, Failure> {
        let this = self.clone();
        match tokio::task::spawn_blocking(move || this.rows()).await {
            Ok(rows) => Ok(rows?.into_iter().map(entry).collect()),
            Err(_) => Err(Failure::Retryable(format!(
                "{CONTEXT}: the task was cancelled"
            ))),
        }
    }

    fn rows(&self) -> Result<Vec<Row>, Failure> {
        let fail = |e: rusqlite::Error| erasure_connector_sql::sqlite::classify(&e, CONTEXT);
        let conn = open(&self.database, self.busy_timeout).map_err(fail)?;
        let mut query = conn.prepare(&self.sql).map_err(fail)?;
        let rows = query
            .query_map([], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]))
            .map_err(fail)?;
        rows.collect::<Result<Vec<Row>, _>>().map_err(fail)
    }
}

/// Opens an existing file read-only (never creates one).
fn open(database: &Path, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(database, flags)?;
    conn.busy_timeout(busy_timeout)?;
    // Double quotes mean identifiers only: a misspelt column must fail, not read as text.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DML, false)?;
    Ok(conn)
}

/// A PostgreSQL catalog table.
#[derive(Clone, Debug)]
pub struct PostgresTable {
    pub db: Database,
    /// The settings, then the `SELECT`, sent in one simple query: every value comes back
    /// as text, times in UTC and ISO form whatever the column's type.
    pub sql: String,
}

impl PostgresTable {
    /// The simple query: session settings for reading times and for waiting on locks
    /// (0 would wait for ever), then `select`.
    pub fn query(select: &str, lock_timeout: Duration) -> String {
        let ms = lock_timeout.as_millis().max(1);
        format!(
            "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; SET lock_timeout TO {ms}; {select}"
        )
    }

    pub async fn entries(&self) -> Result<Vec<Entry>, Failure> {
        let client = self.db.client().await?;
        let messages = client.simple_query(&self.sql).await;
        let messages =
            messages.map_err(|e| erasure_connector_sql::postgres::classify(&e, CONTEXT))?;
        let rows = messages.iter().filter_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(row),
            _ => None,
        });
        let text = |row: &tokio_postgres::SimpleQueryRow, i: usize| {
            row.try_get(i).ok().flatten().map(str::to_owned)
        };
        let rows = rows.map(|row| std::array::from_fn(|i| text(row, i)));
        Ok(rows.map(entry).collect())
    }
}

fn entry([id, taken_at, expires, systems]: Row) -> Entry {
    Entry {
        id,
        taken_at,
        expires,
        systems: systems.as_deref().map(split_systems).unwrap_or_default(),
    }
}
