//! Connection settings and the schema, versioned with `PRAGMA user_version`.

use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use super::Context;
use crate::StoreError;

/// The schema this binary writes; a newer database is refused rather than misread.
pub(super) const SCHEMA_VERSION: i64 = 1;

/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);

/// Version 1. `AUTOINCREMENT` keeps ids from ever being reused: event positions are what
/// readers tail by, and outbox ids are what the relay excludes while delivering, so a
/// deleted outbox row's id must not come back as another message.
const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS events (
    position       INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id      TEXT    NOT NULL,
    stream_version INTEGER NOT NULL,
    type           TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    payload        BLOB    NOT NULL,
    recorded_at    INTEGER NOT NULL,
    UNIQUE (stream_id, stream_version)
);
CREATE TABLE IF NOT EXISTS outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    topic        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    payload      BLOB    NOT NULL,
    headers      TEXT    NOT NULL, -- JSON array of [name, value]
    available_at INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_available_at ON outbox (available_at);
CREATE TABLE IF NOT EXISTS outbox_dead (
    id       INTEGER PRIMARY KEY,
    topic    TEXT    NOT NULL,
    key      TEXT    NOT NULL,
    payload  BLOB    NOT NULL,
    headers  TEXT    NOT NULL,
    attempts INTEGER NOT NULL,
    reason   TEXT    NOT NULL,
    dead_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS data_keys (
    request_id TEXT    PRIMARY KEY,
    wrapped    BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
";

/// Settings of the writer connection (and of the only one, in memory).
///
/// - WAL (files only): readers and the writer do not block each other.
/// - `synchronous=NORMAL`: with WAL, a commit survives a crash of the process; a power
///   loss or OS crash may lose the last commits (never corrupts). FULL would fsync on
///   every commit; the orchestrator replays from its inputs, so NORMAL is the trade.
/// - `busy_timeout` 5 s: another process holding the lock is waited for, not an error.
/// - `secure_delete`: deleted rows are overwritten with zeros instead of lingering in
///   free pages. Crypto-shredding depends on it: a destroyed data key must not be
///   recoverable from the file, nor a delivered outbox payload.
pub(super) fn configure(conn: &Connection, file: bool) -> Result<(), StoreError> {
    if file {
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .ctx("set journal_mode")?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unavailable(format!(
                "journal_mode is {mode}, not wal"
            )));
        }
    }
    set_common(conn).ctx("configure connection")
}

/// Prepared statements kept per connection: more than the store has distinct
/// statements, so none is prepared again (rusqlite's default keeps 16).
const STATEMENT_CACHE: usize = 64;

fn set_common(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "secure_delete", true)
}

/// Settings of the read connection of a file database: it can never write.
pub(super) fn configure_reader(conn: &Connection) -> Result<(), StoreError> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.busy_timeout(BUSY_TIMEOUT)
        .and_then(|()| conn.pragma_update(None, "query_only", true))
        .ctx("configure read connection")
}

/// Creates the schema of a new database, or checks the version of an existing one. Runs
/// in an IMMEDIATE transaction, so two processes opening a new file do not race.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .ctx("begin migration")?;
    let found: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .ctx("read schema version")?;
    match found {
        0 => {
            tx.execute_batch(SCHEMA_V1).ctx("create schema")?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .ctx("write schema version")?;
        }
        SCHEMA_VERSION => {}
        newer => {
            return Err(StoreError::Unavailable(format!(
                "schema version {newer} is newer than this binary supports ({SCHEMA_VERSION})"
            )));
        }
    }
    tx.commit().ctx("commit migration")
}
