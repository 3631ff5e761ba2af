//! Pure SQL generation for a [`Step`]: no connection, no I/O, easy to test and to give a
//! PostgreSQL dialect later (only [`placeholder`] differs: `$n` instead of `?n`).
//!
//! Names come from the validated configuration and are quoted anyway; identifier values
//! are never written into the SQL text, only bound as parameters in placeholder order.

use crate::plan::{Hold, Selection, Step};
use erasure_connector_sdk::Job;
use erasure_core::{Identifiers, Sensitive};

/// Whose rows: the person's identifiers, and the controller the request is for.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub identifiers: &'a Identifiers,
    pub controller: Option<&'a str>,
}

impl<'a> Subject<'a> {
    /// Whose rows a job is about.
    pub fn of(job: &'a Job) -> Self {
        Self {
            identifiers: &job.identifiers,
            controller: job.controller.as_deref(),
        }
    }

    /// The person, for no controller in particular.
    pub fn person(identifiers: &'a Identifiers) -> Self {
        Self {
            identifiers,
            controller: None,
        }
    }
}

/// SQL text and its parameters. `Debug` redacts the parameters (they are personal data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<Sensitive<String>>,
}

/// `DELETE` of the step's selected rows.
pub fn delete(step: &Step, who: &Subject<'_>) -> Statement {
    let mut params = Vec::new();
    let predicate = predicate(&step.selection, who, &mut params);
    let sql = format!("DELETE FROM {} WHERE {predicate}", quote(&step.table));
    Statement { sql, params }
}

/// `UPDATE` setting `columns` to NULL in the selected rows that still hold a value in any
/// of them, so that a second run finds nothing to do and reports nothing.
pub fn anonymise(step: &Step, columns: &[String], who: &Subject<'_>) -> Statement {
    let mut params = Vec::new();
    let predicate = predicate(&step.selection, who, &mut params);
    let sql = format!(
        "UPDATE {} SET {} WHERE {predicate} AND {}",
        quote(&step.table),
        set_null(columns),
        any_left(columns)
    );
    Statement { sql, params }
}

/// `"a" = NULL, "b" = NULL`
fn set_null(columns: &[String]) -> String {
    let set: Vec<String> = columns
        .iter()
        .map(|c| format!("{} = NULL", quote(c)))
        .collect();
    set.join(", ")
}

/// `("a" IS NOT NULL OR "b" IS NOT NULL)`
fn any_left(columns: &[String]) -> String {
    let any: Vec<String> = columns
        .iter()
        .map(|c| format!("{} IS NOT NULL", quote(c)))
        .collect();
    format!("({})", any.join(" OR "))
}

/// What the hold decision reads of each selected row: its `rowid`, its reference date, and
/// per condition (in [`Hold::conditions`] order) 1 if the flag column is non-NULL and not
/// 0, else 0.
pub fn hold_candidates(step: &Step, hold: &Hold, who: &Subject<'_>) -> Statement {
    let mut params = Vec::new();
    let predicate = predicate(&step.selection, who, &mut params);
    let mut columns = vec!["rowid".to_owned(), quote(&hold.reference_date)];
    columns.extend(
        hold.conditions
            .iter()
            .map(|(_, column)| format!("COALESCE({} <> 0, 0)", quote(column))),
    );
    let sql = format!(
        "SELECT {} FROM {} WHERE {predicate}",
        columns.join(", "),
        quote(&step.table)
    );
    Statement { sql, params }
}

/// Marks one row restricted; binds its `rowid` as `?1`.
pub fn restrict_row(table: &str, hold: &Hold) -> String {
    format!(
        "UPDATE {} SET {} = 1 WHERE rowid = {}",
        quote(table),
        quote(&hold.restrict),
        placeholder(1)
    )
}

/// Deletes one row; binds its `rowid` as `?1`.
pub fn delete_row(table: &str) -> String {
    format!(
        "DELETE FROM {} WHERE rowid = {}",
        quote(table),
        placeholder(1)
    )
}

/// Anonymises one row if anything is left to clear; binds its `rowid` as `?1`.
pub fn anonymise_row(table: &str, columns: &[String]) -> String {
    format!(
        "UPDATE {} SET {} WHERE rowid = {} AND {}",
        quote(table),
        set_null(columns),
        placeholder(1),
        any_left(columns)
    )
}

/// `SELECT COUNT(*)` of the selected rows: what remains after a delete.
pub fn count(step: &Step, who: &Subject<'_>) -> Statement {
    let mut params = Vec::new();
    let predicate = predicate(&step.selection, who, &mut params);
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE {predicate}",
        quote(&step.table)
    );
    Statement { sql, params }
}

/// The WHERE condition selecting the person's rows; pushes the values it binds.
fn predicate(
    selection: &Selection,
    who: &Subject<'_>,
    params: &mut Vec<Sensitive<String>>,
) -> String {
    match selection {
        Selection::Match(columns) => match_predicate(columns, who.identifiers, params),
        Selection::Join {
            column,
            table,
            references,
            parent,
        } => {
            let inner = predicate(parent, who, params);
            format!(
                "{} IN (SELECT {} FROM {} WHERE {inner})",
                quote(column),
                quote(references),
                quote(table)
            )
        }
        Selection::Tenant { column, inner } => {
            // Without a controller, nothing of a tenant's rows is the request's.
            let Some(controller) = who.controller else {
                return "1 = 0".to_owned();
            };
            let inner = predicate(inner, who, params);
            params.push(Sensitive::new(controller.to_owned()));
            format!(
                "{inner} AND {} = {}",
                quote(column),
                placeholder(params.len())
            )
        }
    }
}

/// `("email" = ?1 OR "email" = ?2 OR "phone" = ?3)` over every value of the kinds the
/// person has; `1 = 0` (nothing) when the request carries none of them.
fn match_predicate(
    columns: &[(String, erasure_core::IdentifierKind)],
    person: &Identifiers,
    params: &mut Vec<Sensitive<String>>,
) -> String {
    let mut terms = Vec::new();
    for (column, kind) in columns {
        for value in person.values(*kind) {
            params.push(Sensitive::new(value.to_owned()));
            terms.push(format!("{} = {}", quote(column), placeholder(params.len())));
        }
    }
    if terms.is_empty() {
        "1 = 0".to_owned()
    } else {
        format!("({})", terms.join(" OR "))
    }
}

/// The `n`th (1-based) parameter.
pub fn placeholder(n: usize) -> String {
    format!("?{n}")
}

/// A double-quoted SQL identifier, with embedded quotes doubled.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests;
