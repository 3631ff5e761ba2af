//! Anonymising by keyed hash (`{ column = "c", hash = true }`): the HMAC-SHA256 of a
//! value under the connector's key, as 64 lowercase hex digits. Computed here, in Rust,
//! for both databases: the key never reaches SQL, a log or the database.
//!
//! A row is anonymised by reading its hashed columns, computing [`set_values`] (the
//! values its `UPDATE` binds, in column order) and updating it by its row id, within the
//! same transaction.

use crate::config::{Anonymised, Replacement};
use crate::error::ConfigError;
use erasure_core::Sensitive;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::path::Path;

/// The shortest key accepted: as long as the digest.
pub const MIN_KEY_BYTES: usize = 32;

/// A stored value as read for hashing: its bytes (text as UTF-8), or NULL.
pub type Old = Option<Sensitive<Vec<u8>>>;

/// The HMAC key. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct Hasher {
    key: Sensitive<Vec<u8>>,
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hasher(**REDACTED**)")
    }
}

impl Hasher {
    /// A key of at least [`MIN_KEY_BYTES`] bytes.
    pub fn new(key: Vec<u8>) -> Result<Self, String> {
        if key.len() < MIN_KEY_BYTES {
            return Err(format!(
                "holds {} bytes; the key needs at least {MIN_KEY_BYTES}",
                key.len()
            ));
        }
        Ok(Self {
            key: Sensitive::new(key),
        })
    }

    /// Reads the key from `path` (`hash_key_file`), trimming whitespace at both ends.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let fail = |why: String| ConfigError::File {
            key: "hash_key_file",
            path: path.display().to_string(),
            why,
        };
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        Self::new(bytes.trim_ascii().to_vec()).map_err(fail)
    }

    /// 64 lowercase hex digits.
    pub fn digest(&self, value: &[u8]) -> String {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.expose())
            .unwrap_or_else(|_| unreachable!());
        mac.update(value);
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Whether `value` is what [`Hasher::digest`] writes: 64 lowercase hex digits.
pub fn looks_hashed(value: &[u8]) -> bool {
    value.len() == 64 && value.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The columns whose old values must be read to anonymise a row (the `hash` ones), in
/// order.
pub fn hashed(columns: &[Anonymised]) -> Vec<&str> {
    let hashed = columns.iter().filter(|c| c.with == Replacement::Hash);
    hashed.map(|c| c.column.as_str()).collect()
}

/// The values an anonymising row `UPDATE` binds after the row id, one per column that is
/// not set to NULL, in column order ([`crate::builder::anonymise_row`]). `old` holds the
/// row's values of the [`hashed`] columns, in order. A NULL or already hashed value is
/// bound unchanged.
pub fn set_values(
    columns: &[Anonymised],
    old: &[Old],
    hasher: Option<&Hasher>,
) -> Result<Vec<Option<Sensitive<String>>>, &'static str> {
    let mut old = old.iter();
    let mut values = Vec::new();
    for column in columns {
        match &column.with {
            Replacement::Null => {}
            Replacement::Value(value) => values.push(Some(Sensitive::new(value.clone()))),
            Replacement::Hash => {
                let value = old.next().ok_or("a hashed column was not read")?;
                values.push(hashed_value(value.as_ref(), hasher)?);
            }
        }
    }
    Ok(values)
}

fn hashed_value(
    old: Option<&Sensitive<Vec<u8>>>,
    hasher: Option<&Hasher>,
) -> Result<Option<Sensitive<String>>, &'static str> {
    let Some(old) = old else {
        return Ok(None);
    };
    let old = old.expose();
    if looks_hashed(old) {
        return Ok(Some(Sensitive::new(
            String::from_utf8_lossy(old).into_owned(),
        )));
    }
    let hasher = hasher.ok_or("no hash key")?;
    Ok(Some(Sensitive::new(hasher.digest(old))))
}

#[cfg(test)]
mod tests;
