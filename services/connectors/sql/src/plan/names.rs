//! Names the configuration may use for tables, columns and schemas.

use crate::error::ConfigError;

/// Whether `name` is a plain SQL identifier. Identifiers are quoted in SQL anyway; this
/// keeps configuration typos and injection attempts out of it altogether.
pub fn is_plain_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    first_ok && name.len() <= 63 && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

pub(super) fn check_name(what: impl FnOnce() -> String, name: &str) -> Result<(), ConfigError> {
    if is_plain_identifier(name) {
        Ok(())
    } else {
        Err(ConfigError::InvalidName {
            what: what(),
            name: name.to_owned(),
        })
    }
}
