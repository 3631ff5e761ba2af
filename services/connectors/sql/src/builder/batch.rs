//! Statements over one batch of a step's selected rows, found by row id (PostgreSQL works
//! through a person's rows in batches, one transaction each), and the reads whose rows
//! Rust decides on: legal holds and keyed hashes, batched or not.

use super::columns::{any_left, set_clause, value_slots};
use super::dialect::{Dialect, quote};
use super::subject::{Statement, Subject, where_clause};
use crate::config::{Action, Anonymised, Replacement};
use crate::plan::{Hold, Step};
use erasure_core::Sensitive;

/// `DELETE` of at most `limit` of the step's selected rows, found by row id: one batch.
pub fn delete_batch(step: &Step, who: &Subject<'_>, d: Dialect, limit: u64) -> Statement {
    let mut params = Vec::new();
    let batch = select_ids(step, who, d, &mut params, "", limit);
    let sql = format!(
        "DELETE FROM {} WHERE {}",
        quote(&step.table),
        d.rows_in(&batch)
    );
    Statement { sql, params }
}

/// [`anonymise`](super::anonymise) of at most `limit` rows, found by row id: one batch.
pub fn anonymise_batch(
    step: &Step,
    columns: &[Anonymised],
    who: &Subject<'_>,
    d: Dialect,
    limit: u64,
) -> Statement {
    let mut params = Vec::new();
    let slots = value_slots(columns, d, &mut params);
    let left = format!(" AND {}", any_left(columns, &slots, d));
    let batch = select_ids(step, who, d, &mut params, &left, limit);
    let sql = format!(
        "UPDATE {} SET {} WHERE {}",
        quote(&step.table),
        set_clause(columns, &slots),
        d.rows_in(&batch)
    );
    Statement { sql, params }
}

/// `SELECT <row id> FROM t WHERE <selection><and> LIMIT n`
fn select_ids(
    step: &Step,
    who: &Subject<'_>,
    d: Dialect,
    params: &mut Vec<Sensitive<String>>,
    and: &str,
    limit: u64,
) -> String {
    let predicate = where_clause(&step.selection, who, d, params);
    format!(
        "SELECT {} FROM {} WHERE {predicate}{and} LIMIT {limit}",
        d.row_id(),
        quote(&step.table)
    )
}

/// What anonymising by hash reads of each selected row with something left to anonymise:
/// its id, then each `hash` column's value (in order). With `limit`, one batch, locked
/// until the transaction ends.
pub fn hash_candidates(
    step: &Step,
    columns: &[Anonymised],
    who: &Subject<'_>,
    d: Dialect,
    limit: Option<u64>,
) -> Statement {
    let mut params = Vec::new();
    let predicate = where_clause(&step.selection, who, d, &mut params);
    let slots = value_slots(columns, d, &mut params);
    let mut read = vec![d.row_id_read().to_owned()];
    read.extend(hashed_reads(&step.action, d));
    let limit = limit.map_or(String::new(), |n| format!(" LIMIT {n}{}", d.lock_rows()));
    let sql = format!(
        "SELECT {} FROM {} WHERE {predicate} AND {}{limit}",
        read.join(", "),
        quote(&step.table),
        any_left(columns, &slots, d)
    );
    Statement { sql, params }
}

/// The `hash` columns of an anonymising action, as read.
fn hashed_reads(action: &Action, d: Dialect) -> Vec<String> {
    let Action::Anonymise(columns) = action else {
        return Vec::new();
    };
    let hashed = columns.iter().filter(|c| c.with == Replacement::Hash);
    hashed.map(|c| d.read(&quote(&c.column))).collect()
}

/// A page of a held table on PostgreSQL: the rows after row id `after` (text, e.g.
/// `(0,0)` to start), at most `limit`, in row id order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub after: String,
    pub limit: u64,
}

/// What the hold decision reads of each selected row: its row id, its reference date, per
/// condition (in [`Hold::conditions`] order) 1 if the flag column is non-NULL and not 0,
/// else 0, and then each `hash` column's value. With a `page`, one page, locked until the
/// transaction ends.
pub fn hold_candidates(
    step: &Step,
    hold: &Hold,
    who: &Subject<'_>,
    d: Dialect,
    page: Option<&Page>,
) -> Statement {
    let mut params = Vec::new();
    let predicate = where_clause(&step.selection, who, d, &mut params);
    let mut columns = vec![
        d.row_id_read().to_owned(),
        d.read(&quote(&hold.reference_date)),
    ];
    columns.extend(hold.conditions.iter().map(|(_, c)| d.flag(&quote(c))));
    columns.extend(hashed_reads(&step.action, d));
    let page = page.map_or(String::new(), |page| {
        params.push(Sensitive::new(page.after.clone()));
        let (id, after) = (d.row_id(), d.placeholder(params.len()));
        let (limit, lock) = (page.limit, d.lock_rows());
        format!(" AND {id} > {after} ORDER BY {id} LIMIT {limit}{lock}")
    });
    let sql = format!(
        "SELECT {} FROM {} WHERE {predicate}{page}",
        columns.join(", "),
        quote(&step.table)
    );
    Statement { sql, params }
}
