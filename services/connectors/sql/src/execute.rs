//! Runs a [`Plan`] against a SQLite database: one connection per job, one transaction for
//! all tables, so a failure half-way leaves the database as it was. A table whose category
//! a rule of the job covers goes through [`crate::restrict`] instead: row by row, held rows
//! restricted, the others given the table's action.
//!
//! Errors are classified by [`crate::sqlite`].

use crate::builder;
use crate::config::Action;
use crate::plan::{Hold, Plan, Step};
use crate::restrict;
use crate::result::{Failure, TableResult};
use crate::sqlite::{classify, count, execute, open};
use erasure_connector_sdk::Job;
use erasure_core::Identifiers;
use rusqlite::{Transaction, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

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
