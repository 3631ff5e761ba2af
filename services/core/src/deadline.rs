//! The Art. 12(3) deadline: one calendar month from receipt.

use chrono::{Months, NaiveDate};

/// One calendar month after `received`: the same day number in the next month, or that
/// month's last day where it has no such day (31 January → 28/29 February).
pub fn deadline_for(received: NaiveDate) -> NaiveDate {
    // `checked_add_months` clamps to the last day of the target month, which is the rule.
    received
        .checked_add_months(Months::new(1))
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn one_calendar_month_with_month_end_clamping() {
        for (received, due) in [
            ("2026-01-15", "2026-02-15"),
            ("2026-01-31", "2026-02-28"),
            ("2028-01-31", "2028-02-29"), // leap year
            ("2026-03-31", "2026-04-30"),
            ("2026-12-31", "2027-01-31"),
            ("2026-02-28", "2026-03-28"),
        ] {
            assert_eq!(deadline_for(d(received)), d(due), "received {received}");
        }
    }
}
