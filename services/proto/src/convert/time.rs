//! Times and dates as the wire carries them.

use super::DecodeError;
use chrono::{DateTime, NaiveDate, Utc};

/// Milliseconds since the Unix epoch.
pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A time from milliseconds since the Unix epoch (the epoch itself when out of range).
pub fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A date `YYYY-MM-DD`; the error names `field`.
pub fn date(s: &str, field: &str) -> Result<NaiveDate, DecodeError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| DecodeError::Undecodable(field.into()))
}
