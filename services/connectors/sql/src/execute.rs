//! Runs a [`Plan`] against a SQLite database: one connection per job, one transaction for
//! all tables, so a failure half-way leaves the database as it was. A table whose category
//! a rule of the job covers goes through [`crate::restrict`] instead: row by row, held rows
//! restricted, the others given the table's action.
//!
//! Errors are classified here (the adapter knows its database's codes): busy, locked or
//! unreachable is retryable; anything else (no such table or column, a constraint) means
//! the configuration does not fit the database, and is permanent. Failure details name the
//! table and SQLite's reason, never a value.

use crate::builder::{self, Statement};
use crate::config::Action;
use crate::plan::{Hold, Plan, Step};
use crate::restrict;
use erasure_connector_sdk::Job;
use erasure_core::Identifiers;
use erasure_core::events::Retained;
use rusqlite::config::DbConfig;
use rusqlite::ffi::ErrorCode;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior, params_from_iter};
use std::path::Path;
use std::time::Duration;

/// What happened in one table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableResult {
    pub table: String,
    /// Position in the configuration.
    pub position: usize,
    pub action: Action,
    pub deleted: u64,
    pub anonymised: u64,
    /// For delete tables: rows still selected right after the delete (within the
    /// transaction, before any table they join to is touched), not counting held rows.
    pub remaining: Option<u64>,
    /// The table's data category, if it has one.
    pub category: Option<String>,
    /// Rows kept under retention rules, per rule; empty when none is held.
    pub restricted: Vec<Retained>,
}

impl TableResult {
    /// Nothing done yet.
    pub fn new(step: &Step) -> Self {
        Self {
            table: step.table.clone(),
            position: step.position,
            action: step.action.clone(),
            deleted: 0,
            anonymised: 0,
            remaining: None,
            category: step.hold.as_ref().map(|h| h.category.clone()),
            restricted: Vec::new(),
        }
    }

    /// Rows restricted under any rule.
    pub fn restricted_rows(&self) -> u64 {
        self.restricted.iter().map(|r| r.items).sum()
    }
}

/// Why a run failed, and whether trying again can help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    Retryable(String),
    Permanent(String),
}

/// Runs every step of `plan` for the job's person, under the job's holds, and commits.
pub fn run(
    database: &Path,
    busy_timeout: Duration,
    plan: &Plan,
    job: &Job,
) -> Result<Vec<TableResult>, Failure> {
    let mut conn = open(database, busy_timeout)?;
    // IMMEDIATE takes the write lock now: a busy database fails before any work is done.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| classify(&e, "starting a transaction"))?;
    let results = plan
        .steps
        .iter()
        .map(|step| match held(step, job) {
            Some(hold) => restrict::run_step(&tx, step, hold, job),
            None => run_step(&tx, step, &job.identifiers),
        })
        .collect::<Result<Vec<_>, _>>()?;
    tx.commit().map_err(|e| classify(&e, "committing"))?;
    Ok(results)
}

/// Opens an existing database for writing (never creates one).
fn open(database: &Path, busy_timeout: Duration) -> Result<Connection, Failure> {
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

/// The step's hold, if a rule of the job covers its category. Other tables, with a category
/// or not, take the plain path: nothing in them can be held.
fn held<'a>(step: &'a Step, job: &Job) -> Option<&'a Hold> {
    let hold = step.hold.as_ref()?;
    let covered = job.holds.iter().any(|r| r.category == hold.category);
    covered.then_some(hold)
}

fn run_step(
    tx: &Transaction<'_>,
    step: &Step,
    person: &Identifiers,
) -> Result<TableResult, Failure> {
    let context = format!("table {}", step.table);
    let fail = |e: rusqlite::Error| classify(&e, &context);
    let mut result = TableResult::new(step);
    match &step.action {
        Action::Delete => {
            result.deleted = execute(tx, &builder::delete(step, person)).map_err(fail)?;
            result.remaining = Some(count(tx, &builder::count(step, person)).map_err(fail)?);
        }
        Action::Anonymise(columns) => {
            let statement = builder::anonymise(step, columns, person);
            result.anonymised = execute(tx, &statement).map_err(fail)?;
        }
    }
    Ok(result)
}

pub(crate) fn bound(statement: &Statement) -> impl rusqlite::Params + '_ {
    params_from_iter(statement.params.iter().map(|p| p.expose()))
}

fn execute(tx: &Transaction<'_>, statement: &Statement) -> rusqlite::Result<u64> {
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
