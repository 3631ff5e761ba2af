//! Runs a [`Plan`] against a SQLite database: one connection per job, one transaction for
//! all tables, so a failure half-way leaves the database as it was. A table whose category
//! a rule of the job covers goes through [`crate::restrict`] instead: row by row, held rows
//! restricted, the others given the table's action.
//!
//! Errors are classified by [`crate::sqlite`].

use crate::builder::{self, Subject};
use crate::config::Action;
use crate::plan::{Hold, Plan, Selection, Step};
use crate::restrict;
use crate::result::{Failure, TableResult};
use crate::sqlite::{classify, count, execute, open};
use erasure_connector_sdk::Job;
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
    check_controller(plan, job)?;
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
            None => run_step(&tx, step, &Subject::of(job)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    tx.commit().map_err(|e| classify(&e, "committing"))?;
    Ok(results)
}

/// A table kept per controller is never touched for a request that names none: which
/// controller's copy to erase would be a guess.
fn check_controller(plan: &Plan, job: &Job) -> Result<(), Failure> {
    if job.controller.is_some() {
        return Ok(());
    }
    let pinned = |s: &&Step| matches!(s.selection, Selection::Tenant { .. });
    match plan.steps.iter().find(pinned) {
        Some(step) => Err(Failure::Permanent(format!(
            "table {} is kept per controller: the request names no controller",
            step.table
        ))),
        None => Ok(()),
    }
}

/// The step's hold, if a rule of the job covers its category. Other tables, with a category
/// or not, take the plain path: nothing in them can be held.
fn held<'a>(step: &'a Step, job: &Job) -> Option<&'a Hold> {
    let hold = step.hold.as_ref()?;
    let covered = job.holds.iter().any(|r| r.category == hold.category);
    covered.then_some(hold)
}

fn run_step(tx: &Transaction<'_>, step: &Step, who: &Subject<'_>) -> Result<TableResult, Failure> {
    let context = format!("table {}", step.table);
    let fail = |e: rusqlite::Error| classify(&e, &context);
    let mut result = TableResult::new(step);
    match &step.action {
        Action::Delete => {
            result.deleted = execute(tx, &builder::delete(step, who)).map_err(fail)?;
            result.remaining = Some(count(tx, &builder::count(step, who)).map_err(fail)?);
        }
        Action::Anonymise(columns) => {
            let statement = builder::anonymise(step, columns, who);
            result.anonymised = execute(tx, &statement).map_err(fail)?;
        }
    }
    Ok(result)
}
