//! SQLite: a table whose rows a retention rule of the job may hold. Inside the job's
//! transaction, every selected row is read, [`decide`] sorts them, held rows get the
//! `restrict` marker and the others the table's action.

use crate::builder::{self, Dialect, Subject};
use crate::config::Action;
use crate::hash::Hasher;
use crate::plan::{Hold, Step};
use crate::restrict::{Candidate, decide, released};
use crate::result::{Failure, TableResult};
use crate::sqlite::{anonymise_rows, bound, classify, count, old};
use erasure_connector_sdk::Job;
use rusqlite::Transaction;

const SQLITE: Dialect = Dialect::Sqlite;

/// Reads, decides, restricts the held rows and acts on the rest (SQLite).
pub fn run_step(
    tx: &Transaction<'_>,
    step: &Step,
    hold: &Hold,
    job: &Job,
    hasher: Option<&Hasher>,
) -> Result<TableResult, Failure> {
    let context = format!("table {}", step.table);
    let fail = |e: rusqlite::Error| classify(&e, &context);
    let rows = candidates(tx, step, hold, job).map_err(fail)?;
    let decision = decide(&step.table, hold, job, &rows)?;
    let restrict = builder::restrict_row(&step.table, hold, SQLITE);
    each_row(tx, &restrict, &decision.held).map_err(fail)?;
    let mut result = TableResult::new(step);
    match &step.action {
        Action::Delete => {
            let sql = builder::delete_row(&step.table, SQLITE);
            result.deleted = each_row(tx, &sql, &decision.released).map_err(fail)?;
            let all = builder::count(step, &Subject::of(job), SQLITE);
            let selected = count(tx, &all).map_err(fail)?;
            let held = u64::try_from(decision.held.len()).unwrap_or(u64::MAX);
            result.remaining = Some(selected.saturating_sub(held));
        }
        Action::Anonymise(columns) => {
            let sql = builder::anonymise_row(&step.table, columns, SQLITE);
            let released = released(&rows, &decision.released);
            result.anonymised = anonymise_rows(tx, &sql, columns, released, hasher)
                .map_err(|e| e.classify(&context))?;
        }
    }
    result.restricted = decision.restricted;
    Ok(result)
}

fn candidates(
    tx: &Transaction<'_>,
    step: &Step,
    hold: &Hold,
    job: &Job,
) -> rusqlite::Result<Vec<Candidate>> {
    let statement = builder::hold_candidates(step, hold, &Subject::of(job), SQLITE, None);
    let mut query = tx.prepare(&statement.sql)?;
    let flags = hold.conditions.len();
    let hashed = query.column_count().saturating_sub(2 + flags);
    let rows = query.query_map(bound(&statement), |row| {
        let flag = |i| row.get::<_, i64>(2 + i).map(|flag| flag != 0);
        let value = |i| row.get(2 + flags + i).map(old);
        Ok(Candidate {
            rowid: row.get(0)?,
            reference: row.get(1)?,
            flags: (0..flags).map(flag).collect::<rusqlite::Result<_>>()?,
            values: (0..hashed).map(value).collect::<rusqlite::Result<_>>()?,
        })
    })?;
    rows.collect()
}

/// Runs `sql` once per row id (bound as `?1`); the number of rows it changed.
fn each_row(tx: &Transaction<'_>, sql: &str, rowids: &[i64]) -> rusqlite::Result<u64> {
    let mut statement = tx.prepare(sql)?;
    let mut changed = 0;
    for rowid in rowids {
        changed += u64::try_from(statement.execute([rowid])?).unwrap_or(u64::MAX);
    }
    Ok(changed)
}
