//! Reading the identity columns of the person's rows (identity resolution), and probing
//! that a table has every column the configuration names (`erasure config check`).

use super::dialect::{Dialect, quote};
use super::subject::{Statement, Subject, where_clause};
use crate::config::Action;
use crate::plan::{Selection, Step};
use erasure_core::IdentifierKind;

/// The identity columns (`match`) of a step, if it selects by them.
pub fn match_columns(selection: &Selection) -> Option<&[(String, IdentifierKind)]> {
    match selection {
        Selection::Match(columns) => Some(columns),
        Selection::Tenant { inner, .. } => match_columns(inner),
        Selection::Join { .. } => None,
    }
}

/// `SELECT` of every identity column of the person's rows in a `match` table, as text,
/// with the kind each column holds; `None` for a table reached through a join.
pub fn identities(
    step: &Step,
    who: &Subject<'_>,
    d: Dialect,
) -> Option<(Statement, Vec<IdentifierKind>)> {
    let columns = match_columns(&step.selection)?;
    let mut params = Vec::new();
    let predicate = where_clause(&step.selection, who, d, &mut params);
    let read: Vec<String> = columns.iter().map(|(c, _)| d.text(&quote(c))).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {predicate}",
        read.join(", "),
        quote(&step.table)
    );
    let kinds = columns.iter().map(|(_, kind)| *kind).collect();
    Some((Statement { sql, params }, kinds))
}

/// `SELECT` of every column the step names, matching no row: fails, naming the table or
/// column, where the database does not have them.
pub fn probe(step: &Step) -> Statement {
    let mut columns = Vec::new();
    selection_columns(&step.selection, &mut columns);
    if let Action::Anonymise(anonymised) = &step.action {
        columns.extend(anonymised.iter().map(|a| a.column.clone()));
    }
    if let Some(hold) = &step.hold {
        columns.push(hold.reference_date.clone());
        columns.push(hold.restrict.clone());
        columns.extend(hold.conditions.iter().map(|(_, c)| c.clone()));
    }
    let read: Vec<String> = columns.iter().map(|c| quote(c)).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE 1 = 0",
        read.join(", "),
        quote(&step.table)
    );
    Statement {
        sql,
        params: Vec::new(),
    }
}

/// The columns of the step's own table that select its rows.
fn selection_columns(selection: &Selection, out: &mut Vec<String>) {
    match selection {
        Selection::Match(columns) => out.extend(columns.iter().map(|(c, _)| c.clone())),
        Selection::Join { column, .. } => out.push(column.clone()),
        Selection::Tenant { column, inner } => {
            out.push(column.clone());
            selection_columns(inner, out);
        }
    }
}
