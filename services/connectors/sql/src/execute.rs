//! Runs a [`Plan`] against a SQLite database: one connection per job, one transaction for
//! all tables, so a failure half-way leaves the database as it was. (PostgreSQL works in
//! batches instead, one transaction each: [`crate::pg_execute`].) A table whose category
//! a rule of the job covers goes through `restricted` instead: row by row, held rows
//! restricted (decided by [`crate::restrict`]), the others given the table's action.
//!
//! Errors are classified by [`crate::sqlite`].

use crate::builder::{self, Dialect, Subject};
use crate::config::{Action, Anonymised};
use crate::hash::{self, Hasher, Old};
use crate::plan::{Plan, Step};
use crate::result::{Failure, TableResult};
use crate::scope::held;
use crate::sqlite::{anonymise_rows, bound, checkpoint, classify, count, execute, old, open};
use erasure_connector_sdk::Job;
use rusqlite::{Transaction, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

mod restricted;

const SQLITE: Dialect = Dialect::Sqlite;

/// What a committed run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Done {
    pub results: Vec<TableResult>,
    /// In WAL mode, whether the `-wal` file was emptied after the commit
    /// ([`crate::sqlite`]); `None` outside WAL mode.
    pub wal_checkpointed: Option<bool>,
}

/// Runs every step of `plan` for the job's person, under the job's holds, and commits.
/// The job must have passed [`crate::scope::check`].
pub fn run(
    database: &Path,
    busy_timeout: Duration,
    plan: &Plan,
    job: &Job,
    hasher: Option<&Hasher>,
) -> Result<Done, Failure> {
    let mut conn = open(database, busy_timeout)?;
    // IMMEDIATE takes the write lock now: a busy database fails before any work is done.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| classify(&e, "starting a transaction"))?;
    let results = plan
        .steps
        .iter()
        .map(|step| match held(step, job) {
            Some(hold) => restricted::run_step(&tx, step, hold, job, hasher),
            None => run_step(&tx, step, &Subject::of(job), hasher),
        })
        .collect::<Result<Vec<_>, _>>()?;
    tx.commit().map_err(|e| classify(&e, "committing"))?;
    let wal_checkpointed = checkpoint(&conn);
    Ok(Done {
        results,
        wal_checkpointed,
    })
}

fn run_step(
    tx: &Transaction<'_>,
    step: &Step,
    who: &Subject<'_>,
    hasher: Option<&Hasher>,
) -> Result<TableResult, Failure> {
    let context = format!("table {}", step.table);
    let fail = |e: rusqlite::Error| classify(&e, &context);
    let mut result = TableResult::new(step);
    match &step.action {
        Action::Delete => {
            let delete = builder::delete(step, who, SQLITE);
            result.deleted = execute(tx, &delete).map_err(fail)?;
            let left = builder::count(step, who, SQLITE);
            result.remaining = Some(count(tx, &left).map_err(fail)?);
        }
        Action::Anonymise(columns) if hash::hashed(columns).is_empty() => {
            let statement = builder::anonymise(step, columns, who, SQLITE);
            result.anonymised = execute(tx, &statement).map_err(fail)?;
        }
        Action::Anonymise(columns) => {
            let rows = hash_candidates(tx, step, columns, who).map_err(fail)?;
            let sql = builder::anonymise_row(&step.table, columns, SQLITE);
            let rows = rows.iter().map(|(id, old)| (*id, old.as_slice()));
            result.anonymised = anonymise_rows(tx, &sql, columns, rows, hasher)
                .map_err(|e| e.classify(&context))?;
        }
    }
    Ok(result)
}

/// The selected rows with something left to anonymise: row id and hashed columns' values.
fn hash_candidates(
    tx: &Transaction<'_>,
    step: &Step,
    columns: &[Anonymised],
    who: &Subject<'_>,
) -> rusqlite::Result<Vec<(i64, Vec<Old>)>> {
    let statement = builder::hash_candidates(step, columns, who, SQLITE, None);
    let hashed = hash::hashed(columns).len();
    let mut query = tx.prepare(&statement.sql)?;
    let rows = query.query_map(bound(&statement), |row| {
        let values = (1..=hashed).map(|i| row.get(i).map(old));
        Ok((row.get(0)?, values.collect::<rusqlite::Result<_>>()?))
    })?;
    rows.collect()
}
