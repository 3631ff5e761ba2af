//! Times in the configuration as text: `"2027-02-28"` as written, or an unquoted TOML
//! date or date-time (`2027-02-28`, `2026-11-30T02:00:00Z`) as the text it stands for.
//! The `toml` crate hands a date-time to serde as a map of one private key to its text;
//! read through the inventory's internally tagged `[connector]`, it stays that map.

use serde::Deserializer;
use serde::de::{Error, MapAccess, Visitor};
use std::fmt;

/// The key under which `toml` passes a date-time's text.
const TOML_DATETIME: &str = "$__toml_private_datetime";

pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(TimeText)
}

pub fn some_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    text(deserializer).map(Some)
}

struct TimeText;

impl<'de> Visitor<'de> for TimeText {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date or date-time, quoted or as a TOML date")
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<String, E> {
        Ok(text.to_owned())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        match map.next_entry::<String, String>()? {
            Some((key, text)) if key == TOML_DATETIME => Ok(text),
            _ => Err(A::Error::custom(
                "expected a date or date-time, quoted or as a TOML date",
            )),
        }
    }
}
