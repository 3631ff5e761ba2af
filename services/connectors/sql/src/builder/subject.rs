//! Whose rows a statement is about, and the condition selecting them in a table.

use super::dialect::{Dialect, quote};
use crate::plan::Selection;
use erasure_connector_sdk::Job;
use erasure_core::{IdentifierKind, Identifiers, Sensitive};

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

/// The WHERE condition selecting the person's rows in a table; pushes the values it binds
/// (numbered after those already in `params`). Usable for any statement over the person's
/// rows, e.g. reading their identity columns.
pub fn where_clause(
    selection: &Selection,
    who: &Subject<'_>,
    d: Dialect,
    params: &mut Vec<Sensitive<String>>,
) -> String {
    match selection {
        Selection::Match(columns) => match_predicate(columns, who.identifiers, d, params),
        Selection::Join {
            column,
            table,
            references,
            parent,
        } => {
            let inner = where_clause(parent, who, d, params);
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
            let inner = where_clause(inner, who, d, params);
            params.push(Sensitive::new(controller.to_owned()));
            format!(
                "{inner} AND {} = {}",
                quote(column),
                d.placeholder(params.len())
            )
        }
    }
}

/// `("email" = ?1 OR "email" = ?2 OR "phone" = ?3)` over every value of the kinds the
/// person has; `1 = 0` (nothing) when the request carries none of them.
fn match_predicate(
    columns: &[(String, IdentifierKind)],
    person: &Identifiers,
    d: Dialect,
    params: &mut Vec<Sensitive<String>>,
) -> String {
    let mut terms = Vec::new();
    for (column, kind) in columns {
        for value in person.values(*kind) {
            params.push(Sensitive::new(value.to_owned()));
            terms.push(format!(
                "{} = {}",
                quote(column),
                d.placeholder(params.len())
            ));
        }
    }
    if terms.is_empty() {
        "1 = 0".to_owned()
    } else {
        format!("({})", terms.join(" OR "))
    }
}
