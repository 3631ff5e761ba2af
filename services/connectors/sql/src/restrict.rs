//! Tables whose rows a retention rule of the job may hold (GDPR Art. 17(3), Art. 18).
//!
//! Inside the run's transaction, each selected row is read (its `rowid`, reference date and
//! condition flags), [`decide`] sorts the rows (pure), and then each held row gets the
//! `restrict` marker and is kept whole, while each other row gets the table's action.
//! Reference dates are personal data too: failures name the table and column, never a value.

use crate::builder::{self, Subject};
use crate::config::Action;
use crate::plan::{Hold, Step};
use crate::result::{Failure, TableResult};
use crate::sqlite::{bound, classify, count};
use chrono::NaiveDate;
use erasure_connector_sdk::Job;
use erasure_core::events::Retained;
use erasure_core::retention::{Rule, hold_for_item};
use rusqlite::Transaction;
use rusqlite::types::Value;
use std::collections::BTreeSet;

/// A selected row as the hold decision reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub rowid: i64,
    /// The reference date column, as stored.
    pub reference: Value,
    /// Per condition of the hold (in [`Hold::conditions`] order), whether its flag is set.
    pub flags: Vec<bool>,
}

/// What becomes of each selected row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// Rows a rule still holds: restricted and kept.
    pub held: Vec<i64>,
    /// Rows no rule holds any more: given the table's action.
    pub released: Vec<i64>,
    /// The held rows per rule, in the order of the job's rules.
    pub restricted: Vec<Retained>,
}

/// Sorts `rows` of `table` into held and released, under the job's rules on its `as_of`.
/// A row without a readable date fails the whole run: it might be held.
pub fn decide(
    table: &str,
    hold: &Hold,
    job: &Job,
    rows: &[Candidate],
) -> Result<Decision, Failure> {
    let mut decision = Decision::default();
    let mut tally: Vec<(&Rule, u64, NaiveDate)> = Vec::new();
    for row in rows {
        let date = reference_date(&row.reference).map_err(|why| {
            Failure::Permanent(format!(
                "table {table}: column {} of a matched row {why}: cannot tell until when a retention rule keeps it",
                hold.reference_date
            ))
        })?;
        let conditions = conditions(hold, &row.flags);
        let (fy, as_of) = (job.financial_year_end, job.as_of);
        let Some(held) = hold_for_item(&job.holds, &hold.category, date, &conditions, fy, as_of)
        else {
            decision.released.push(row.rowid);
            continue;
        };
        decision.held.push(row.rowid);
        match tally.iter_mut().find(|(rule, ..)| rule.id == held.rule.id) {
            Some((_, items, latest)) => (*items, *latest) = (*items + 1, date.max(*latest)),
            None => tally.push((held.rule, 1, date)),
        }
    }
    tally.sort_by_key(|(rule, ..)| job.holds.iter().position(|r| r.id == rule.id));
    decision.restricted = tally
        .into_iter()
        .map(|(rule, items, latest)| Retained {
            rule_id: rule.id.clone(),
            category: rule.category.clone(),
            items,
            latest_reference_date: latest,
            retained_until: rule.retain_until(latest, job.financial_year_end).until,
        })
        .collect();
    Ok(decision)
}

/// `YYYY-MM-DD`, or an ISO date-time starting with one (`2025-03-14T10:00:00Z`,
/// `2025-03-14 10:00`). The error says what is wrong without the value.
pub fn reference_date(value: &Value) -> Result<NaiveDate, &'static str> {
    const NOT_A_DATE: &str = "is not a date YYYY-MM-DD";
    let text = match value {
        Value::Null => return Err("holds no date (NULL)"),
        Value::Text(text) => text,
        _ => return Err(NOT_A_DATE),
    };
    let (day, rest) = text.split_at_checked(10).ok_or(NOT_A_DATE)?;
    let digits_and_dashes = day.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        _ => b.is_ascii_digit(),
    });
    let rest_ok = rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ');
    if !(digits_and_dashes && rest_ok) {
        return Err(NOT_A_DATE);
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| NOT_A_DATE)
}

fn conditions(hold: &Hold, flags: &[bool]) -> BTreeSet<String> {
    let set = hold.conditions.iter().zip(flags).filter(|(_, set)| **set);
    set.map(|((name, _), _)| name.clone()).collect()
}

/// Reads, decides, restricts the held rows and acts on the rest.
pub fn run_step(
    tx: &Transaction<'_>,
    step: &Step,
    hold: &Hold,
    job: &Job,
) -> Result<TableResult, Failure> {
    let context = format!("table {}", step.table);
    let fail = |e: rusqlite::Error| classify(&e, &context);
    let rows = candidates(tx, step, hold, job).map_err(fail)?;
    let decision = decide(&step.table, hold, job, &rows)?;
    each_row(
        tx,
        &builder::restrict_row(&step.table, hold),
        &decision.held,
    )
    .map_err(fail)?;
    let mut result = TableResult::new(step);
    match &step.action {
        Action::Delete => {
            let sql = builder::delete_row(&step.table);
            result.deleted = each_row(tx, &sql, &decision.released).map_err(fail)?;
            let selected = count(tx, &builder::count(step, &Subject::of(job))).map_err(fail)?;
            let held = u64::try_from(decision.held.len()).unwrap_or(u64::MAX);
            result.remaining = Some(selected.saturating_sub(held));
        }
        Action::Anonymise(columns) => {
            let sql = builder::anonymise_row(&step.table, columns);
            result.anonymised = each_row(tx, &sql, &decision.released).map_err(fail)?;
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
    let statement = builder::hold_candidates(step, hold, &Subject::of(job));
    let mut query = tx.prepare(&statement.sql)?;
    let flags = hold.conditions.len();
    let rows = query.query_map(bound(&statement), |row| {
        Ok(Candidate {
            rowid: row.get(0)?,
            reference: row.get(1)?,
            flags: (0..flags)
                .map(|i| row.get::<_, i64>(2 + i).map(|flag| flag != 0))
                .collect::<rusqlite::Result<_>>()?,
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

#[cfg(test)]
mod tests;
