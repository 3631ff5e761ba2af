//! Tables whose rows a retention rule of the job may hold (GDPR Art. 17(3), Art. 18).
//!
//! Inside the run's transaction, each selected row is read (its row id, reference date,
//! condition flags and any values to hash), [`decide`] sorts the rows (pure), and then each
//! held row gets the `restrict` marker and is kept whole, while each other row gets the
//! table's action. Reference dates are personal data too: failures name the table and
//! column, never a value.
//!
//! This file: the decision, pure and shared by both databases. SQLite reads and decides
//! all of a table's rows in the job's transaction (`execute`'s `restricted`); PostgreSQL a
//! page of rows per transaction ([`crate::pg_restrict`]).

use crate::hash::Old;
use crate::plan::Hold;
use crate::result::Failure;
use chrono::NaiveDate;
use erasure_connector_sdk::Job;
use erasure_core::events::Retained;
use erasure_core::retention::{Rule, hold_for_item};
use rusqlite::types::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A selected row as the hold decision reads it; `Id` is its row id (SQLite's `rowid`,
/// PostgreSQL's `ctid` as text).
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate<Id = i64> {
    pub rowid: Id,
    /// The reference date column, as stored (PostgreSQL's as text).
    pub reference: Value,
    /// Per condition of the hold (in [`Hold::conditions`] order), whether its flag is set.
    pub flags: Vec<bool>,
    /// The values of the action's `hash` columns, in order: what a released row's keyed
    /// hashes are computed from.
    pub values: Vec<Old>,
}

/// What becomes of each selected row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision<Id = i64> {
    /// Rows a rule still holds: restricted and kept.
    pub held: Vec<Id>,
    /// Rows no rule holds any more: given the table's action.
    pub released: Vec<Id>,
    /// The held rows per rule, in the order of the job's rules.
    pub restricted: Vec<Retained>,
}

impl<Id> Default for Decision<Id> {
    fn default() -> Self {
        Self {
            held: Vec::new(),
            released: Vec::new(),
            restricted: Vec::new(),
        }
    }
}

/// Sorts `rows` of `table` into held and released, under the job's rules on its `as_of`.
/// A row without a readable date fails the whole run: it might be held.
pub fn decide<Id: Clone>(
    table: &str,
    hold: &Hold,
    job: &Job,
    rows: &[Candidate<Id>],
) -> Result<Decision<Id>, Failure> {
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
            decision.released.push(row.rowid.clone());
            continue;
        };
        decision.held.push(row.rowid.clone());
        match tally.iter_mut().find(|(rule, ..)| rule.id == held.rule.id) {
            Some((_, items, latest)) => (*items, *latest) = (*items + 1, date.max(*latest)),
            None => tally.push((held.rule, 1, date)),
        }
    }
    decision.restricted = retained(job, tally);
    Ok(decision)
}

/// One entry per rule, in the order of the job's rules, dated by its latest item.
fn retained<'a>(
    job: &Job,
    tally: impl IntoIterator<Item = (&'a Rule, u64, NaiveDate)>,
) -> Vec<Retained> {
    let mut tally: Vec<_> = tally.into_iter().collect();
    tally.sort_by_key(|(rule, ..)| job.holds.iter().position(|r| r.id == rule.id));
    tally
        .into_iter()
        .map(|(rule, items, latest)| Retained {
            rule_id: rule.id.clone(),
            category: rule.category.clone(),
            items,
            latest_reference_date: latest,
            retained_until: rule.retain_until(latest, job.financial_year_end).until,
        })
        .collect()
}

/// The held rows of two pages of one table, per rule: items added, the later date kept.
pub fn merge(job: &Job, a: &[Retained], b: &[Retained]) -> Vec<Retained> {
    let mut tally: BTreeMap<&str, (u64, NaiveDate)> = BTreeMap::new();
    for kept in a.iter().chain(b) {
        let entry = tally.entry(kept.rule_id.as_str());
        let (items, latest) = entry.or_insert((0, kept.latest_reference_date));
        (*items, *latest) = (*items + kept.items, kept.latest_reference_date.max(*latest));
    }
    let rules = job.holds.iter().filter_map(|rule| {
        let (items, latest) = tally.get(rule.id.as_str())?;
        Some((rule, *items, *latest))
    });
    retained(job, rules)
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

/// The released rows' ids and values to hash, in the order read.
pub fn released<'a, Id: Ord + Clone>(
    rows: &'a [Candidate<Id>],
    released: &[Id],
) -> impl Iterator<Item = (Id, &'a [Old])> + use<'a, Id> {
    let released: BTreeSet<Id> = released.iter().cloned().collect();
    rows.iter()
        .filter(move |row| released.contains(&row.rowid))
        .map(|row| (row.rowid.clone(), row.values.as_slice()))
}

#[cfg(test)]
mod tests;
