//! SQLite itself: opening a database for a job, running statements with their parameters
//! bound, and classifying SQLite's errors (the adapter knows its database's codes): busy,
//! locked or unreachable is retryable; anything else (no such table or column, a
//! constraint) means the configuration does not fit the database, and is permanent.
//! Failure details name the table and SQLite's reason, never a value.

use crate::builder::Statement;
use crate::result::Failure;
use rusqlite::config::DbConfig;
use rusqlite::ffi::ErrorCode;
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
    Ok(conn)
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
