//! The Art. 12(3) deadline: one calendar month from receipt, extendable once by at most
//! two further months.

use chrono::{Months, NaiveDate};

/// One calendar month after `received`: the same day number in the next month, or that
/// month's last day where it has no such day (31 January → 28/29 February).
pub fn deadline_for(received: NaiveDate) -> NaiveDate {
    extended_deadline(received, 0)
}

/// The deadline after extending by `extra_months` (0, 1 or 2): `1 + extra_months` calendar
/// months from receipt, counted like the first month (Regulation (EEC, Euratom) No 1182/71
/// Art. 3(2)(c): a period in months ends on the same day number, or the month's last day).
///
/// Counting from receipt rather than from the first deadline matters only at month ends:
/// received 31 January, extended by two months, is due 30 April (not 28 April).
pub fn extended_deadline(received: NaiveDate, extra_months: u32) -> NaiveDate {
    // `checked_add_months` clamps to the last day of the target month, which is the rule.
    received
        .checked_add_months(Months::new(1 + extra_months))
        .unwrap_or(NaiveDate::MAX)
}

/// The most an extension may add (Art. 12(3): "by two further months").
pub const MAX_EXTENSION_MONTHS: u32 = 2;

/// The deadline and the reasoning, for `erasure explain deadline`.
pub fn explain(received: NaiveDate, extra_months: u32) -> (NaiveDate, Vec<String>) {
    let first = deadline_for(received);
    let mut steps = vec![format!(
        "received {received}; GDPR Art. 12(3): without undue delay and at the latest within one month of receipt"
    )];
    steps.push(month_step(received, 1, first));
    if extra_months == 0 {
        steps.push(format!("deadline {first}"));
        return (first, steps);
    }
    let due = extended_deadline(received, extra_months);
    steps.push(format!(
        "extended by {extra_months} further month{} (Art. 12(3), where necessary given the complexity and number of requests; the person must be told within the first month, with the reasons)",
        if extra_months == 1 { "" } else { "s" }
    ));
    steps.push(month_step(received, 1 + extra_months, due));
    steps.push(format!("deadline {due}"));
    (due, steps)
}

fn month_step(received: NaiveDate, months: u32, due: NaiveDate) -> String {
    use chrono::Datelike;
    if due.day() == received.day() {
        format!(
            "{months} calendar month{} from {received}: the same day number, {due}",
            if months == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{months} calendar month{} from {received}: that month has no day {}, so its last day, {due}",
            if months == 1 { "" } else { "s" },
            received.day()
        )
    }
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
            ("2028-01-29", "2028-02-29"),
            ("2026-01-29", "2026-02-28"),
            ("2026-03-31", "2026-04-30"),
            ("2026-12-31", "2027-01-31"),
            ("2026-02-28", "2026-03-28"),
            ("2028-02-29", "2028-03-29"),
        ] {
            assert_eq!(deadline_for(d(received)), d(due), "received {received}");
        }
    }

    #[test]
    fn extensions_count_from_receipt() {
        for (received, months, due) in [
            ("2026-01-15", 1, "2026-03-15"),
            ("2026-01-15", 2, "2026-04-15"),
            ("2026-01-31", 1, "2026-03-31"),
            ("2026-01-31", 2, "2026-04-30"),
            ("2026-11-30", 2, "2027-02-28"),
            ("2027-11-30", 2, "2028-02-29"), // leap year
            ("2026-12-31", 2, "2027-03-31"),
        ] {
            assert_eq!(
                extended_deadline(d(received), months),
                d(due),
                "{received} +{months}"
            );
        }
    }

    #[test]
    fn the_explanation_shows_the_clamping() {
        let (due, steps) = explain(d("2026-01-31"), 0);
        assert_eq!(due, d("2026-02-28"));
        assert!(
            steps
                .iter()
                .any(|s| s.contains("has no day 31, so its last day, 2026-02-28")),
            "{steps:?}"
        );
        let (due, steps) = explain(d("2026-01-31"), 2);
        assert_eq!(due, d("2026-04-30"));
        assert!(
            steps
                .iter()
                .any(|s| s.contains("extended by 2 further months"))
        );
        assert_eq!(
            steps.last().map(String::as_str),
            Some("deadline 2026-04-30")
        );
    }
}
