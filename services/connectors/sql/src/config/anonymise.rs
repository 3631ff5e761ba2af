//! One anonymised column and what its value becomes, written either as the column's name
//! alone (NULL) or as a table naming the column and a `value` or `hash = true`:
//!
//! ```toml
//! action = { anonymise = ["billing_address", { column = "status", value = "erased" }, { column = "holder_name", hash = true }] }
//! ```

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

/// A column of an anonymising table and its replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anonymised {
    /// The column, in this table.
    pub column: String,
    pub with: Replacement,
}

/// What an anonymised column's value becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replacement {
    /// `"col"`: NULL.
    Null,
    /// `{ column = "col", value = "erased" }`: this fixed text (the database converts it to
    /// the column's type). It is configuration, not personal data, but it is bound as a
    /// parameter like any value.
    Value(String),
    /// `{ column = "col", hash = true }`: the HMAC-SHA256 of the old value's text under the
    /// connector's `hash_key_file`, as 64 lowercase hex digits, computed by the connector
    /// (never by the database, which never sees the key). NULL stays NULL. A value that
    /// already is 64 lowercase hex digits is taken as hashed and kept, so a second erasure
    /// does not hash the hash: don't use `hash` on columns whose own values look like that
    /// (e.g. SHA-256 device ids); use NULL or a fixed value there.
    Hash,
}

impl From<&str> for Anonymised {
    /// The column set to NULL.
    fn from(column: &str) -> Self {
        Self {
            column: column.to_owned(),
            with: Replacement::Null,
        }
    }
}

/// The table form, checked before it becomes an [`Anonymised`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Spelled {
    column: String,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    hash: bool,
}

impl Spelled {
    fn checked(self) -> Result<Anonymised, String> {
        let conflict = |what: &str| {
            format!(
                "anonymised column {:?} gives {what}: give one (or write the column's name alone for NULL)",
                self.column
            )
        };
        let with = match (self.value, self.hash) {
            (Some(value), false) => Replacement::Value(value),
            (None, true) => Replacement::Hash,
            (Some(_), true) => return Err(conflict("both `value` and `hash = true`")),
            (None, false) => return Err(conflict("neither `value` nor `hash = true`")),
        };
        Ok(Anonymised {
            column: self.column,
            with,
        })
    }
}

impl<'de> Deserialize<'de> for Anonymised {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ColumnVisitor)
    }
}

struct ColumnVisitor;

impl<'de> Visitor<'de> for ColumnVisitor {
    type Value = Anonymised;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a column name, or { column = \"...\", value = \"...\" | hash = true }")
    }

    fn visit_str<E: de::Error>(self, column: &str) -> Result<Anonymised, E> {
        Ok(Anonymised::from(column))
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Anonymised, M::Error> {
        let spelled = Spelled::deserialize(de::value::MapAccessDeserializer::new(map))?;
        spelled.checked().map_err(de::Error::custom)
    }
}
