//! A table's legal-hold settings (`category`, `reference_date`, `restrict`, `conditions`),
//! checked: all or nothing, plain names, a column of its own for the marker.

use super::names::check_name;
use crate::config::{Action, Table};
use crate::error::ConfigError;

/// How a table's rows may be held under retention rules (see
/// [`crate::config::Table::category`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    /// The data category the rows belong to; rules of this category may hold them.
    pub category: String,
    /// The column with each row's date.
    pub reference_date: String,
    /// The column set to 1 on held rows (GDPR Art. 18 restriction).
    pub restrict: String,
    /// (condition name, column flagging it), in name order.
    pub conditions: Vec<(String, String)>,
}

/// The table's hold, `None` for a table without a `category`.
pub(super) fn hold(table: &Table) -> Result<Option<Hold>, ConfigError> {
    let name = &table.table;
    let Some(category) = &table.category else {
        return no_category(table).map(|()| None);
    };
    if !is_rule_name(category) {
        return Err(ConfigError::InvalidCategory {
            table: name.clone(),
            category: category.clone(),
        });
    }
    if table.join.is_some() {
        return Err(ConfigError::HeldJoin(name.clone()));
    }
    let needs = |key, why, value: &Option<String>| {
        let column = value.clone().ok_or_else(|| ConfigError::HoldNeeds {
            table: name.clone(),
            key,
            why,
        })?;
        check_name(|| format!("column of table {name}"), &column)?;
        Ok::<_, ConfigError>(column)
    };
    let hold = Hold {
        category: category.clone(),
        reference_date: needs(
            "reference_date",
            "the column with each row's date",
            &table.reference_date,
        )?,
        restrict: needs(
            "restrict",
            "the column set to 1 on rows kept under a hold",
            &table.restrict,
        )?,
        conditions: conditions(table)?,
    };
    check_columns(name, &hold, &table.action)?;
    Ok(Some(hold))
}

/// Hold settings without a category would be silently ignored: refuse them.
fn no_category(table: &Table) -> Result<(), ConfigError> {
    let stray = [
        ("reference_date", table.reference_date.is_some()),
        ("restrict", table.restrict.is_some()),
        ("conditions", !table.conditions.is_empty()),
    ];
    match stray.into_iter().find(|(_, set)| *set) {
        Some((key, _)) => Err(ConfigError::HoldWithoutCategory {
            table: table.table.clone(),
            key,
        }),
        None => Ok(()),
    }
}

fn conditions(table: &Table) -> Result<Vec<(String, String)>, ConfigError> {
    let name = &table.table;
    table
        .conditions
        .iter()
        .map(|(condition, column)| {
            if !is_rule_name(condition) {
                return Err(ConfigError::InvalidCondition {
                    table: name.clone(),
                    condition: condition.clone(),
                });
            }
            check_name(|| format!("column of table {name}"), column)?;
            Ok((condition.clone(), column.clone()))
        })
        .collect()
}

/// The marker has a column of its own, and anonymising never clears what the next
/// erasure's hold decision reads.
fn check_columns(table: &str, hold: &Hold, action: &Action) -> Result<(), ConfigError> {
    let others = std::iter::once(("reference_date", &hold.reference_date))
        .chain(hold.conditions.iter().map(|(_, c)| ("conditions", c)));
    for (other, column) in others {
        if column == &hold.restrict {
            return Err(ConfigError::SharedRestrict {
                table: table.to_owned(),
                column: column.clone(),
                other,
            });
        }
    }
    let Action::Anonymise(cleared) = action else {
        return Ok(());
    };
    for (key, column) in [
        ("reference_date", &hold.reference_date),
        ("restrict", &hold.restrict),
    ] {
        if cleared.iter().any(|c| &c.column == column) {
            return Err(ConfigError::AnonymisedHoldColumn {
                table: table.to_owned(),
                column: column.clone(),
                key,
            });
        }
    }
    Ok(())
}

/// Category and condition names as retention rules write them: lowercase letters, digits
/// and '-'.
fn is_rule_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests;
