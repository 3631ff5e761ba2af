//! The person's identifiers: validated, normalised, and redacted by type.
//!
//! A request carries any number of values of each kind (two e-mail addresses, two customer
//! numbers), each brought to one written form ([`normalise`]) so that equal people compare
//! equal, and kept in a canonical order: by kind as [`IdentifierKind::ALL`] lists them,
//! then by value.
//!
//! - `kind`: [`IdentifierKind`], [`IdentifierError`].
//! - `normalise`: one value of each kind.
//! - `hetu`: the Finnish henkilötunnus.

mod hetu;
mod kind;
mod normalise;

pub use kind::{IdentifierError, IdentifierKind, MAX_VALUES_PER_KIND};
pub use normalise::normalise;

/// Whether `value` can name exactly one path segment (an object key's, a file name's) and
/// never step out of it: not empty, `.` or `..`, without `/`, `\\` or a control character.
pub fn is_path_segment(value: &str) -> bool {
    !value.is_empty()
        && value != "."
        && value != ".."
        && !value.contains(['/', '\\'])
        && !value.chars().any(char::is_control)
}

use crate::sensitive::Sensitive;
use std::collections::{BTreeMap, BTreeSet};

/// A person's identifiers. `Debug` prints every value as `**REDACTED**`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identifiers {
    values: BTreeMap<IdentifierKind, BTreeSet<Sensitive<String>>>,
}

impl Identifiers {
    /// Validates and normalises raw input (kind, value); empty values count as absent,
    /// repeated ones once. A phone number in national format is read in `region` (the
    /// request's jurisdiction, ISO 3166-1 alpha-2). At least one value is required.
    pub fn from_raw<'a>(
        raw: impl IntoIterator<Item = (IdentifierKind, &'a str)>,
        region: Option<&str>,
    ) -> Result<Self, IdentifierError> {
        let mut ids = Self::default();
        for (kind, value) in raw {
            let value = value.trim();
            if !value.is_empty() {
                ids.insert(kind, normalise(kind, value, region)?)?;
            }
        }
        if ids.is_empty() {
            return Err(IdentifierError::Missing);
        }
        Ok(ids)
    }

    /// One e-mail address, phone number (international format) and customer id, each
    /// optional; empty strings count as absent.
    pub fn parse(
        email: Option<&str>,
        phone: Option<&str>,
        customer_id: Option<&str>,
    ) -> Result<Self, IdentifierError> {
        let raw = [
            (IdentifierKind::Email, email),
            (IdentifierKind::Phone, phone),
            (IdentifierKind::CustomerId, customer_id),
        ];
        Self::from_raw(raw.into_iter().filter_map(|(k, v)| Some((k, v?))), None)
    }

    /// Values taken as they are, not validated: for tests of what a connector does with a
    /// value that validation would have refused (feature `test-util`).
    #[cfg(feature = "test-util")]
    pub fn unchecked<'a>(values: impl IntoIterator<Item = (IdentifierKind, &'a str)>) -> Self {
        let mut ids = Self::default();
        for (kind, value) in values {
            ids.values
                .entry(kind)
                .or_default()
                .insert(Sensitive::new(value.to_owned()));
        }
        ids
    }

    /// Adds an already normalised value; refuses more than [`MAX_VALUES_PER_KIND`].
    fn insert(&mut self, kind: IdentifierKind, value: String) -> Result<(), IdentifierError> {
        let values = self.values.entry(kind).or_default();
        values.insert(Sensitive::new(value));
        if values.len() > MAX_VALUES_PER_KIND {
            return Err(IdentifierError::TooMany(kind));
        }
        Ok(())
    }

    /// Adds every value of `other` (identity resolution found them).
    pub fn merge(&mut self, other: &Identifiers) -> Result<(), IdentifierError> {
        for (kind, value) in other.iter() {
            self.insert(kind, value.to_owned())?;
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.values.values().all(BTreeSet::is_empty)
    }

    /// The values of one kind, in order.
    pub fn values(&self, kind: IdentifierKind) -> impl Iterator<Item = &str> {
        self.values
            .get(&kind)
            .into_iter()
            .flatten()
            .map(|v| v.expose().as_str())
    }

    /// How many values of `kind`.
    pub fn count(&self, kind: IdentifierKind) -> usize {
        self.values.get(&kind).map_or(0, BTreeSet::len)
    }

    /// Every value with its kind, in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = (IdentifierKind, &str)> {
        self.values
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (*k, v.expose().as_str())))
    }

    /// A canonical byte form: `kind=value\n` for each value, in canonical order. Input to
    /// the identifier commitment (`docs/proof-format.md`).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (kind, value) in self.iter() {
            out.extend_from_slice(kind.name().as_bytes());
            out.push(b'=');
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        }
        out
    }
}

#[cfg(test)]
mod tests;
