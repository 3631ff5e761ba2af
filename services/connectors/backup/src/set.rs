//! A catalog's sets, checked: each a [`BackupCopy`] (the wire form's set), made from an
//! [`Entry`], a set of the configuration or a row of a catalog table, as text. A set that cannot be judged (no
//! expiry, a time that does not parse, no system, an id twice) is a problem naming the
//! set and the setting or column, never a value read: a catalog holds no personal data,
//! but a misused free-text column could.

use crate::config::Columns;
use crate::when::{self, Expiry};
use chrono::DateTime;
use erasure_core::SystemId;
use erasure_core::events::BackupCopy;
use std::collections::BTreeSet;

/// The longest set id accepted; ids travel in acknowledgments and certificates.
const MAX_ID_LEN: usize = 200;

/// A catalog entry as given, before checking; `None` where the catalog has nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    pub id: Option<String>,
    pub taken_at: Option<String>,
    pub expires: Option<String>,
    pub systems: Vec<String>,
}

/// How messages name an entry's fields: `` `taken_at` `` in the configuration,
/// `column "started"` in a table; and where an entry without a usable id is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    id: String,
    taken_at: String,
    expires: String,
    systems: String,
}

impl Fields {
    /// The settings of a set in the configuration.
    pub fn settings() -> Self {
        let key = |k: &str| format!("`{k}`");
        Self {
            id: key("id"),
            taken_at: key("taken_at"),
            expires: key("expires"),
            systems: key("systems"),
        }
    }

    /// The columns of a catalog table.
    pub fn columns(columns: &Columns) -> Self {
        let column = |c: &str| format!("column {c:?}");
        Self {
            id: column(&columns.id),
            taken_at: column(&columns.taken_at),
            expires: column(&columns.expires),
            systems: column(&columns.systems),
        }
    }
}

/// Checks every entry; `position(i)` names the `i`th where its id cannot (`sets[2]`).
/// Every problem found, one line each, or the sets.
pub fn check_all(
    entries: Vec<Entry>,
    fields: &Fields,
    position: impl Fn(usize) -> String,
) -> Result<Vec<BackupCopy>, Vec<String>> {
    let mut problems = Vec::new();
    let mut sets = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, entry) in entries.into_iter().enumerate() {
        match check(entry, fields, &position(i)) {
            Ok(set) if !seen.insert(set.set_id.clone()) => {
                problems.push(format!("set {}: listed twice", set.set_id));
            }
            Ok(set) => sets.push(set),
            Err(problem) => problems.push(problem),
        }
    }
    match problems.is_empty() {
        true => Ok(sets),
        false => Err(problems),
    }
}

/// One entry checked; `position` names it where its id cannot. The set's systems are at
/// least one, each a valid system id.
pub fn check(entry: Entry, fields: &Fields, position: &str) -> Result<BackupCopy, String> {
    let id = id(entry.id, fields, position)?;
    let at = |what: String| format!("set {id}: {what}");
    let taken_at = entry.taken_at.as_deref().map(str::trim).unwrap_or("");
    let taken_at = match taken_at {
        "" => return Err(at(format!("{} is empty", fields.taken_at))),
        text => when::timestamp(text).ok_or_else(|| {
            at(format!(
                "{} is not a timestamp (RFC 3339, e.g. 2026-11-30T02:00:00Z)",
                fields.taken_at
            ))
        })?,
    };
    let expires_on = match entry.expires.as_deref().map(when::expiry) {
        Some(Expiry::On(date)) => date,
        None | Some(Expiry::Never) => return Err(at(forever(fields))),
        Some(Expiry::Unreadable) => {
            return Err(at(format!(
                "{} is not a date (YYYY-MM-DD) or a timestamp",
                fields.expires
            )));
        }
    };
    if entry.systems.is_empty() {
        return Err(at(format!("{} names no system", fields.systems)));
    }
    if !entry.systems.iter().all(|s| SystemId::is_valid(s)) {
        return Err(at(format!(
            "{} holds a system id that is not lower-case letters, digits, '-' or '_'",
            fields.systems
        )));
    }
    Ok(BackupCopy {
        set_id: id,
        // The wire form counts milliseconds: judge on what the acknowledgment will say.
        taken_at: DateTime::from_timestamp_millis(taken_at.timestamp_millis()).unwrap_or(taken_at),
        expires_on,
        systems: entry.systems,
    })
}

fn forever(fields: &Fields) -> String {
    format!(
        "no expiry ({} is missing, NULL or infinity): a set kept forever would hold an erased person forever; give the last day it may exist",
        fields.expires
    )
}

/// The id, trimmed: not empty, no control characters, at most [`MAX_ID_LEN`] bytes.
fn id(id: Option<String>, fields: &Fields, position: &str) -> Result<String, String> {
    let id = id.as_deref().map(str::trim).unwrap_or("");
    if id.is_empty() {
        return Err(format!("{position}: {} is empty", fields.id));
    }
    if id.len() > MAX_ID_LEN || id.chars().any(char::is_control) {
        return Err(format!(
            "{position}: {} must be at most {MAX_ID_LEN} bytes without control characters",
            fields.id
        ));
    }
    Ok(id.to_owned())
}

/// A catalog's text of system ids: separated by commas; a PostgreSQL array's braces and
/// quotes (`{crm,"support"}`) are dropped.
pub fn split_systems(text: &str) -> Vec<String> {
    let text = text.trim();
    let text = match text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        Some(inner) => inner,
        None => text,
    };
    let items = text.split(',').map(|s| s.trim().trim_matches('"').trim());
    items.filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests;
