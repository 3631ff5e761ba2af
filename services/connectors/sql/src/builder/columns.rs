//! The anonymised columns of a statement: the `SET` list, and the condition that a row
//! still holds something to anonymise (so that a second run changes and reports nothing).
//!
//! A column's new value is NULL or a parameter. `slots[i]` is the placeholder of column
//! `i`'s value: pushed as a bound value for a fixed `value`, numbered by the row statement
//! for a `hash` (the digest is computed per row), `None` for NULL.

use super::dialect::{Dialect, quote};
use crate::config::{Anonymised, Replacement};
use erasure_core::Sensitive;

/// Placeholders of the fixed values, each pushed onto `params`; `hash` columns get none.
pub(super) fn value_slots(
    columns: &[Anonymised],
    d: Dialect,
    params: &mut Vec<Sensitive<String>>,
) -> Vec<Option<String>> {
    let slot = |c: &Anonymised| match &c.with {
        Replacement::Value(value) => {
            params.push(Sensitive::new(value.clone()));
            Some(d.placeholder(params.len()))
        }
        Replacement::Null | Replacement::Hash => None,
    };
    columns.iter().map(slot).collect()
}

/// Placeholders `first`, `first + 1`, ... for every column not set to NULL, in order.
pub(super) fn row_slots(columns: &[Anonymised], d: Dialect, first: usize) -> Vec<Option<String>> {
    let mut next = first;
    let slot = |c: &Anonymised| match c.with {
        Replacement::Null => None,
        Replacement::Value(_) | Replacement::Hash => {
            next += 1;
            Some(d.placeholder(next - 1))
        }
    };
    columns.iter().map(slot).collect()
}

/// `"a" = NULL, "b" = ?2`
pub(super) fn set_clause(columns: &[Anonymised], slots: &[Option<String>]) -> String {
    let set: Vec<String> = columns
        .iter()
        .zip(slots)
        .map(|(c, slot)| {
            let value = slot.as_deref().unwrap_or("NULL");
            format!("{} = {value}", quote(&c.column))
        })
        .collect();
    set.join(", ")
}

/// `("a" IS NOT NULL OR "b" IS DISTINCT FROM ?2 OR ("c" IS NOT NULL AND NOT <hashed>))`
pub(super) fn any_left(columns: &[Anonymised], slots: &[Option<String>], d: Dialect) -> String {
    let any: Vec<String> = columns
        .iter()
        .zip(slots)
        .map(|(c, slot)| {
            let column = quote(&c.column);
            match (&c.with, slot) {
                (Replacement::Value(_), Some(slot)) => {
                    format!("{column} IS DISTINCT FROM {slot}")
                }
                (Replacement::Hash, _) => {
                    format!("({column} IS NOT NULL AND NOT {})", d.looks_hashed(&column))
                }
                _ => format!("{column} IS NOT NULL"),
            }
        })
        .collect();
    format!("({})", any.join(" OR "))
}
