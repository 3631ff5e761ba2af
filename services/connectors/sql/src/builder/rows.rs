//! Statements on one row, found by its id (bound first, as `?1` / `$1`): after its values
//! were read and decided on in Rust (legal holds, keyed hashes). On PostgreSQL they return
//! the row's new id, which an update changes.

use super::columns::{any_left, row_slots, set_clause};
use super::dialect::{Dialect, quote};
use crate::config::Anonymised;
use crate::plan::Hold;

/// Marks one row restricted. On PostgreSQL a row already marked is left as it is (its id
/// stays the same).
pub fn restrict_row(table: &str, hold: &Hold, d: Dialect) -> String {
    let marker = quote(&hold.restrict);
    let unmarked = match d {
        Dialect::Sqlite => String::new(),
        Dialect::Postgres => format!(" AND {marker} IS DISTINCT FROM {}", d.marker()),
    };
    format!(
        "UPDATE {} SET {marker} = {} WHERE {} = {}{unmarked}{}",
        quote(table),
        d.marker(),
        d.row_id(),
        d.placeholder(1),
        d.returning_row_id()
    )
}

/// Deletes one row (on PostgreSQL returning its id, to count it).
pub fn delete_row(table: &str, d: Dialect) -> String {
    format!(
        "DELETE FROM {} WHERE {} = {}{}",
        quote(table),
        d.row_id(),
        d.placeholder(1),
        d.returning_row_id()
    )
}

/// Anonymises one row if anything is left to anonymise. Binds the row id, then one value
/// per column not set to NULL, in column order ([`crate::hash::set_values`]).
pub fn anonymise_row(table: &str, columns: &[Anonymised], d: Dialect) -> String {
    let slots = row_slots(columns, d, 2);
    format!(
        "UPDATE {} SET {} WHERE {} = {} AND {}{}",
        quote(table),
        set_clause(columns, &slots),
        d.row_id(),
        d.placeholder(1),
        any_left(columns, &slots, d),
        d.returning_row_id()
    )
}
