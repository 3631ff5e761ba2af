//! SQLite itself: opening a database for a job, running statements with their parameters
//! bound, and classifying SQLite's errors (the adapter knows its database's codes): busy,
//! locked or unreachable is retryable; anything else (no such table or column, a
//! constraint) means the configuration does not fit the database, and is permanent.
//! Failure details name the table and SQLite's reason, never a value.
//!
//! Physical deletion: the connector's connections set `secure_delete`, so SQLite
//! overwrites deleted content with zeros instead of leaving it in free pages. In WAL mode,
//! the old pages also sit in the `-wal` file until a checkpoint: the connector checkpoints
//! after committing (`checkpoint`) and the evidence says whether that went through.

use crate::builder::Statement;
use crate::config::Anonymised;
use crate::hash::{Hasher, Old, set_values};
use crate::result::Failure;
use erasure_core::Sensitive;
use rusqlite::config::DbConfig;
use rusqlite::ffi::ErrorCode;
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, Transaction, params_from_iter};
use std::path::Path;
use std::time::Duration;

/// Opens an existing database for writing (never creates one).
pub(crate) fn open(database: &Path, busy_timeout: Duration) -> Result<Connection, Failure> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let fail = |e: rusqlite::Error| classify(&e, "opening the database");
    let conn = Connection::open_with_flags(database, flags).map_err(fail)?;
    conn.busy_timeout(busy_timeout).map_err(fail)?;
    // Double quotes mean identifiers only. By default SQLite reads an unknown "column" as a
    // string literal, so a misspelt column would silently match nothing.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DML, false)
        .map_err(fail)?;
    // Deleted rows are overwritten in the file, not left readable in free pages.
    conn.pragma_update(None, "secure_delete", "ON")
        .map_err(fail)?;
    Ok(conn)
}

/// In WAL mode, copies the committed pages into the database file and empties the
/// `-wal` file, which still holds the pages as they were before the erasure:
/// `Some(true)` when that went through, `Some(false)` when a reader kept it from
/// finishing (the next checkpoint will), `None` outside WAL mode.
pub(crate) fn checkpoint(conn: &Connection) -> Option<bool> {
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .ok()?;
    if !mode.eq_ignore_ascii_case("wal") {
        return None;
    }
    let busy = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        r.get::<_, i64>(0)
    });
    Some(busy.is_ok_and(|busy| busy == 0))
}

/// A stored value as read for hashing: text and blobs as their bytes, numbers as their
/// decimal text.
pub(crate) fn old(value: Value) -> Old {
    let bytes = match value {
        Value::Null => return None,
        Value::Integer(n) => n.to_string().into_bytes(),
        Value::Real(x) => x.to_string().into_bytes(),
        Value::Text(text) => text.into_bytes(),
        Value::Blob(bytes) => bytes,
    };
    Some(Sensitive::new(bytes))
}

/// Runs a row statement (`?1` the row id, then `values`); the rows it changed.
pub(crate) fn execute_row(
    statement: &mut rusqlite::Statement<'_>,
    rowid: i64,
    values: &[Option<Sensitive<String>>],
) -> rusqlite::Result<u64> {
    let values = values.iter().map(|v| match v {
        Some(text) => Value::Text(text.expose().clone()),
        None => Value::Null,
    });
    let params = std::iter::once(Value::Integer(rowid)).chain(values);
    let changed = statement.execute(params_from_iter(params))?;
    Ok(u64::try_from(changed).unwrap_or(u64::MAX))
}

pub(crate) fn bound(statement: &Statement) -> impl rusqlite::Params + '_ {
    params_from_iter(statement.params.iter().map(|p| p.expose()))
}

pub(crate) fn execute(tx: &Transaction<'_>, statement: &Statement) -> rusqlite::Result<u64> {
    let changed = tx.execute(&statement.sql, bound(statement))?;
    Ok(u64::try_from(changed).unwrap_or(u64::MAX))
}

pub(crate) fn count(tx: &Transaction<'_>, statement: &Statement) -> rusqlite::Result<u64> {
    let n: i64 = tx.query_row(&statement.sql, bound(statement), |row| row.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Maps a rusqlite error to a failure whose detail holds no personal data: SQLite's own
/// message only for "no such table/column" (it names the schema object), otherwise the
/// generic description of the error code.
pub fn classify(error: &rusqlite::Error, context: &str) -> Failure {
    let (code, message) = match error {
        rusqlite::Error::SqliteFailure(code, message) => (code, message.as_deref()),
        rusqlite::Error::SqlInputError { error, msg, .. } => (error, Some(msg.as_str())),
        _ => return Failure::Permanent(format!("{context}: unexpected database client error")),
    };
    if is_retryable(code.code) {
        return Failure::Retryable(format!("{context}: {code}"));
    }
    let schema_message = message
        .filter(|m| m.starts_with("no such table") || m.starts_with("no such column"))
        // Drop SQLite's hint about string literals: it misleads about configured names.
        .and_then(|m| m.split(" - ").next());
    let reason = schema_message.map_or_else(|| code.to_string(), str::to_owned);
    Failure::Permanent(format!("{context}: {reason}"))
}

fn is_retryable(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::CannotOpen
            | ErrorCode::SystemIoFailure
            | ErrorCode::DiskFull
            | ErrorCode::OutOfMemory
            | ErrorCode::FileLockingProtocolFailed
            | ErrorCode::SchemaChanged
    )
}

/// Anonymises rows by id with `sql` ([`crate::builder::anonymise_row`]): each row's values
/// are computed from its old values of the hashed columns. The rows changed.
pub(crate) fn anonymise_rows<'a>(
    tx: &Transaction<'_>,
    sql: &str,
    columns: &[Anonymised],
    rows: impl IntoIterator<Item = (i64, &'a [Old])>,
    hasher: Option<&Hasher>,
) -> Result<u64, RowError> {
    let mut statement = tx.prepare(sql)?;
    let mut changed = 0;
    for (rowid, old) in rows {
        let values = set_values(columns, old, hasher).map_err(RowError::Hash)?;
        changed += execute_row(&mut statement, rowid, &values)?;
    }
    Ok(changed)
}

/// Why a row could not be anonymised.
#[derive(Debug)]
pub(crate) enum RowError {
    Sqlite(rusqlite::Error),
    Hash(&'static str),
}

impl From<rusqlite::Error> for RowError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

impl RowError {
    pub(crate) fn classify(&self, context: &str) -> Failure {
        match self {
            Self::Sqlite(e) => classify(e, context),
            Self::Hash(why) => Failure::Permanent(format!("{context}: {why}")),
        }
    }
}

/// Reads the database for identity resolution, on the blocking pool.
#[derive(Debug, Clone)]
pub(crate) struct SqliteReader {
    pub database: std::path::PathBuf,
    pub busy_timeout: Duration,
}

#[async_trait::async_trait]
impl crate::resolve::Reader for SqliteReader {
    async fn rows(&self, statement: Statement) -> Result<Vec<Vec<Option<String>>>, Failure> {
        let this = self.clone();
        let read = move || -> Result<_, Failure> {
            let conn = open(&this.database, this.busy_timeout)?;
            let fail = |e: rusqlite::Error| classify(&e, "reading the database");
            let mut query = conn.prepare(&statement.sql).map_err(fail)?;
            let width = query.column_count();
            let rows = query
                .query_map(bound(&statement), |row| {
                    (0..width)
                        .map(|i| row.get::<_, Option<String>>(i))
                        .collect()
                })
                .map_err(fail)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(fail)
        };
        match tokio::task::spawn_blocking(read).await {
            Ok(rows) => rows,
            Err(_) => Err(Failure::Retryable("the reading task was cancelled".into())),
        }
    }
}
