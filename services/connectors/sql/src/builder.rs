//! Pure SQL generation for a [`Step`]: no connection, no I/O, easy to test, one builder
//! for both databases. What they spell differently is the [`Dialect`].
//!
//! - this file: statements over all of a step's selected rows (SQLite runs them).
//! - `subject`: whose rows ([`Subject`]) and the condition selecting them
//!   ([`where_clause`]), which any statement over the person's rows can reuse.
//! - `batch`: statements over one batch of the selection (PostgreSQL runs them), and the
//!   reads whose rows Rust decides on (legal holds, keyed hashes).
//! - `rows`: statements on one row found by its id, after that decision.
//! - `columns`: the `SET` list and the "something left to anonymise" condition.
//! - `identities`: reading the identity columns of the person's rows (resolution).
//! - `dialect`: [`Dialect`], what SQLite and PostgreSQL spell differently.
//!
//! Names come from the validated configuration and are quoted anyway; identifier values
//! are never written into the SQL text, only bound as parameters in placeholder order.
//! On PostgreSQL every parameter is sent as text and the server converts it to the
//! column's type, so identity columns may be `text`, integers or `uuid` alike.

mod batch;
mod columns;
mod dialect;
mod identities;
mod rows;
mod subject;

use crate::config::Anonymised;
use crate::plan::Step;
use columns::{any_left, set_clause, value_slots};

pub use batch::{Page, anonymise_batch, delete_batch, hash_candidates, hold_candidates};
pub use dialect::{Dialect, quote};
pub use identities::{identities, match_columns, probe};
pub use rows::{anonymise_row, delete_row, restrict_row};
pub use subject::{Statement, Subject, where_clause};

/// `DELETE` of the step's selected rows.
pub fn delete(step: &Step, who: &Subject<'_>, d: Dialect) -> Statement {
    let mut params = Vec::new();
    let predicate = where_clause(&step.selection, who, d, &mut params);
    let sql = format!("DELETE FROM {} WHERE {predicate}", quote(&step.table));
    Statement { sql, params }
}

/// `UPDATE` setting `columns` to NULL or fixed values in the selected rows that still hold
/// something else in any of them, so that a second run finds nothing to do and reports
/// nothing. `hash` columns need [`hash_candidates`] and [`anonymise_row`] instead.
pub fn anonymise(step: &Step, columns: &[Anonymised], who: &Subject<'_>, d: Dialect) -> Statement {
    let mut params = Vec::new();
    let predicate = where_clause(&step.selection, who, d, &mut params);
    let slots = value_slots(columns, d, &mut params);
    let sql = format!(
        "UPDATE {} SET {} WHERE {predicate} AND {}",
        quote(&step.table),
        set_clause(columns, &slots),
        any_left(columns, &slots, d)
    );
    Statement { sql, params }
}

/// `SELECT COUNT(*)` of the selected rows: what remains after a delete.
pub fn count(step: &Step, who: &Subject<'_>, d: Dialect) -> Statement {
    let mut params = Vec::new();
    let predicate = where_clause(&step.selection, who, d, &mut params);
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE {predicate}",
        quote(&step.table)
    );
    Statement { sql, params }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_more;
