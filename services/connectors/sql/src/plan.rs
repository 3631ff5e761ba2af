//! The validated configuration: every name checked, every join resolved to the selection
//! of the table it refers to, and the tables in the order they must be processed.
//!
//! Order: a table reached through a join is processed before the table it joins to
//! (deepest join first). Its rows are found by a subquery on the referenced table, so
//! they must be handled while the referenced rows still exist and still match.
//!
//! A table with a `category` gets a [`Hold`] (checked in `hold`): it must be a `match`
//! table, so it sits at depth 0 and its kept rows stay findable on a later erasure.
//! Names of tables, columns and schemas must be plain identifiers (`names`).

mod hold;
mod names;

use crate::config::{Action, Anonymised, Config, Table};
use crate::error::ConfigError;
use erasure_core::IdentifierKind;
use names::check_name;
use std::collections::BTreeMap;

pub use hold::Hold;
pub use names::is_plain_identifier;

/// How the person's rows of one table are found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Rows where any of these columns equals the person's identifier of that kind.
    Match(Vec<(String, IdentifierKind)>),
    /// Rows whose `column` is among the `references` values of `table`'s selected rows.
    Join {
        column: String,
        table: String,
        references: String,
        parent: Box<Selection>,
    },
    /// The rows `inner` selects whose tenant `column` holds the job's controller.
    Tenant {
        column: String,
        inner: Box<Selection>,
    },
}

/// One table's work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub table: String,
    pub selection: Selection,
    pub action: Action,
    /// Whether, and how, retention rules may hold the rows.
    pub hold: Option<Hold>,
    /// Position in the configuration, to report tables in the order the operator wrote.
    pub position: usize,
}

/// Every table's work, in processing order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub steps: Vec<Step>,
}

impl Plan {
    pub fn new(config: &Config) -> Result<Self, ConfigError> {
        if config.tables.is_empty() {
            return Err(ConfigError::NoTables);
        }
        let tables = index_tables(&config.tables)?;
        for table in &config.tables {
            check_table(table, &tables)?;
        }
        let mut steps = Vec::with_capacity(config.tables.len());
        for (position, table) in config.tables.iter().enumerate() {
            let (selection, depth) = selection(&table.table, &tables, &mut Vec::new())?;
            let step = Step {
                table: table.table.clone(),
                selection,
                action: table.action.clone(),
                hold: hold::hold(table)?,
                position,
            };
            steps.push((depth, step));
        }
        // Stable: equally deep tables keep the configuration's order.
        steps.sort_by(|(a, _), (b, _)| b.cmp(a));
        Ok(Self {
            steps: steps.into_iter().map(|(_, step)| step).collect(),
        })
    }
}

fn index_tables(tables: &[Table]) -> Result<BTreeMap<&str, &Table>, ConfigError> {
    let mut index = BTreeMap::new();
    for table in tables {
        check_name(|| "table".into(), &table.table)?;
        if index.insert(table.table.as_str(), table).is_some() {
            return Err(ConfigError::DuplicateTable(table.table.clone()));
        }
    }
    Ok(index)
}

fn check_table(table: &Table, tables: &BTreeMap<&str, &Table>) -> Result<(), ConfigError> {
    let name = &table.table;
    let column = |c: &str| check_name(|| format!("column of table {name}"), c);
    match (&table.matches, &table.join) {
        (Some(matches), None) => {
            if matches.is_empty() {
                return Err(ConfigError::EmptyMatch(name.clone()));
            }
            for m in matches {
                column(&m.column)?;
                identifier_kind(name, &m.identifier)?;
            }
        }
        (None, Some(join)) => {
            column(&join.column)?;
            referenced(name, &join.references, tables)?;
            if table.tenant.is_some() {
                return Err(ConfigError::TenantOnJoin(name.clone()));
            }
        }
        _ => return Err(ConfigError::Selection(name.clone())),
    }
    if let Some(tenant) = &table.tenant {
        column(tenant)?;
    }
    if let Action::Anonymise(columns) = &table.action {
        check_anonymised(name, columns)?;
    }
    Ok(())
}

/// At least one column, each a plain name, none twice.
fn check_anonymised(table: &str, columns: &[Anonymised]) -> Result<(), ConfigError> {
    if columns.is_empty() {
        return Err(ConfigError::EmptyAnonymise(table.to_owned()));
    }
    for (i, c) in columns.iter().enumerate() {
        check_name(|| format!("column of table {table}"), &c.column)?;
        if columns[..i]
            .iter()
            .any(|earlier| earlier.column == c.column)
        {
            return Err(ConfigError::DuplicateAnonymised {
                table: table.to_owned(),
                column: c.column.clone(),
            });
        }
    }
    Ok(())
}

fn identifier_kind(table: &str, kind: &str) -> Result<IdentifierKind, ConfigError> {
    IdentifierKind::parse(kind).ok_or_else(|| ConfigError::UnknownIdentifier {
        table: table.to_owned(),
        kind: kind.to_owned(),
    })
}

/// Splits `table.column` and checks both parts, and that the table is configured.
fn referenced<'a>(
    table: &str,
    references: &'a str,
    tables: &BTreeMap<&str, &Table>,
) -> Result<(&'a str, &'a str), ConfigError> {
    let bad = || ConfigError::BadReference {
        table: table.to_owned(),
        references: references.to_owned(),
    };
    let (ref_table, ref_column) = references.split_once('.').ok_or_else(bad)?;
    if !is_plain_identifier(ref_table) || !is_plain_identifier(ref_column) {
        return Err(bad());
    }
    if !tables.contains_key(ref_table) {
        return Err(ConfigError::UnknownTable {
            table: table.to_owned(),
            references: ref_table.to_owned(),
        });
    }
    Ok((ref_table, ref_column))
}

/// The selection of `name` and its join depth (0 for a match table). `path` holds the
/// tables being resolved, to report a cycle instead of recursing forever.
fn selection(
    name: &str,
    tables: &BTreeMap<&str, &Table>,
    path: &mut Vec<String>,
) -> Result<(Selection, usize), ConfigError> {
    if path.iter().any(|t| t == name) {
        path.push(name.to_owned());
        return Err(ConfigError::Cycle(path.clone()));
    }
    // Unreachable for names that `referenced` accepted; an error rather than a panic.
    let Some(table) = tables.get(name) else {
        return Err(ConfigError::UnknownTable {
            table: name.to_owned(),
            references: name.to_owned(),
        });
    };
    if let Some(join) = &table.join {
        path.push(name.to_owned());
        let (ref_table, ref_column) = referenced(name, &join.references, tables)?;
        let (parent, depth) = selection(ref_table, tables, path)?;
        path.pop();
        let selection = Selection::Join {
            column: join.column.clone(),
            table: ref_table.to_owned(),
            references: ref_column.to_owned(),
            parent: Box::new(parent),
        };
        return Ok((selection, depth + 1));
    }
    let matches = table.matches.iter().flatten();
    let columns = matches
        .map(|m| Ok((m.column.clone(), identifier_kind(name, &m.identifier)?)))
        .collect::<Result<_, ConfigError>>()?;
    let selection = match &table.tenant {
        None => Selection::Match(columns),
        Some(column) => Selection::Tenant {
            column: column.clone(),
            inner: Box::new(Selection::Match(columns)),
        },
    };
    Ok((selection, 0))
}

#[cfg(test)]
mod tests;
