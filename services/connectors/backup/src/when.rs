//! Reading a catalog's times, pure. A catalog is written by backup tools and databases,
//! not by this project, so the usual spellings are accepted; whatever is not understood is
//! refused (the caller names the set and the field, never guesses).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// When a set was taken: RFC 3339 (`2026-11-30T02:00:00Z`, `2026-11-30T03:00:00+01:00`),
/// with `T` or a space between date and time and optional fractions of a second; an
/// offset of hours only (`+00`, as PostgreSQL writes a `timestamptz`); no offset at all,
/// read as UTC (PostgreSQL's `timestamp`, SQLite's `datetime()`).
pub fn timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.to_utc());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.to_utc());
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    None
}

/// What an expiry says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// The last day the set may exist (UTC).
    On(NaiveDate),
    /// Kept forever (PostgreSQL's `infinity`).
    Never,
    /// Not a date or timestamp.
    Unreadable,
}

/// The last day a set may exist: a date `YYYY-MM-DD`, or a timestamp ([`timestamp`])
/// at which it is deleted, whose UTC date counts (the set may still exist that day).
pub fn expiry(text: &str) -> Expiry {
    let text = text.trim();
    if text.eq_ignore_ascii_case("infinity") {
        return Expiry::Never;
    }
    let date = (text.len() == 10)
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten();
    match date.or_else(|| timestamp(text).map(|t| t.date_naive())) {
        Some(date) => Expiry::On(date),
        None => Expiry::Unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("test time")
            .to_utc()
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn timestamps_as_backup_tools_and_databases_write_them() {
        let two_am = utc("2026-11-30T02:00:00Z");
        for text in [
            "2026-11-30T02:00:00Z",
            "2026-11-30T03:00:00+01:00",
            "2026-11-30 02:00:00+00",
            "2026-11-30 04:00:00+0200",
            "2026-11-30 02:00:00",
            "2026-11-30T02:00:00.000",
            " 2026-11-30T02:00:00Z\n",
        ] {
            assert_eq!(timestamp(text), Some(two_am), "{text}");
        }
        assert_eq!(
            timestamp("2026-11-30 02:00:00.25+00"),
            Some(two_am + chrono::Duration::milliseconds(250))
        );
    }

    #[test]
    fn what_is_not_a_timestamp_is_refused() {
        for text in [
            "",
            "2026-11-30",
            "30.11.2026 02:00",
            "1764468000",
            "yesterday",
        ] {
            assert_eq!(timestamp(text), None, "{text}");
        }
    }

    #[test]
    fn an_expiry_is_a_day_or_the_utc_day_of_a_timestamp() {
        assert_eq!(expiry("2027-02-28"), Expiry::On(date("2027-02-28")));
        // Deleted at 00:30 in Helsinki on 1 March: still there on 28 February, UTC.
        let helsinki = expiry("2027-03-01T00:30:00+02:00");
        assert_eq!(helsinki, Expiry::On(date("2027-02-28")));
        assert_eq!(
            expiry("2027-03-01 00:00:00+00"),
            Expiry::On(date("2027-03-01"))
        );
        assert_eq!(expiry("infinity"), Expiry::Never);
        assert_eq!(expiry("Infinity"), Expiry::Never);
        for text in ["", "2027-02-30", "28.2.2027", "never"] {
            assert_eq!(expiry(text), Expiry::Unreadable, "{text}");
        }
    }
}
