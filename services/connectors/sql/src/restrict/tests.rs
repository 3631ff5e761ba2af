use super::*;
use erasure_connector_sdk::kit::{self, date, fi_vouchers, held_job};
use erasure_core::retention::{Anchor, Period};

fn hold() -> Hold {
    Hold {
        category: "accounting-voucher".into(),
        reference_date: "issued_on".into(),
        restrict: "restricted".into(),
        conditions: vec![("complaint-open".into(), "complaint_open".into())],
    }
}

fn row(rowid: i64, issued_on: &str, complaint_open: bool) -> Candidate {
    Candidate {
        rowid,
        reference: Value::Text(issued_on.into()),
        flags: vec![complaint_open],
        values: Vec::new(),
    }
}

/// Vouchers 6 years, and (for the test) 20 years while a complaint is open.
fn rules() -> Vec<Rule> {
    let complaint = Rule {
        id: "vouchers-complaint".into(),
        period: Period::years(20),
        runs_from: Anchor::DocumentDate,
        condition: Some("complaint-open".into()),
        ..fi_vouchers()
    };
    vec![fi_vouchers(), complaint]
}

fn job(as_of: &str) -> Job {
    held_job(&kit::alice(), "req-1", rules(), as_of)
}

#[test]
fn rows_a_rule_still_holds_are_held_and_the_rest_released() {
    let rows = [
        row(1, "2025-03-14", false),           // until 2031-12-31
        row(2, "2026-02-10T09:30:00Z", false), // until 2032-12-31
        row(3, "2019-06-01", false),           // until 2025-12-31: over
    ];
    let decision = decide("invoices", &hold(), &job("2026-11-20"), &rows).expect("decided");
    assert_eq!(decision.held, [1, 2]);
    assert_eq!(decision.released, [3]);
    assert_eq!(
        decision.restricted,
        [Retained {
            rule_id: "fi-kpl-vouchers".into(),
            category: "accounting-voucher".into(),
            items: 2,
            latest_reference_date: date("2026-02-10"),
            retained_until: date("2032-12-31"),
        }]
    );
}

#[test]
fn the_last_day_of_retention_still_holds() {
    let rows = [row(1, "2025-03-14", false)];
    let on_the_day = decide("invoices", &hold(), &job("2031-12-31"), &rows).expect("decided");
    assert_eq!(on_the_day.held, [1]);
    let day_after = decide("invoices", &hold(), &job("2032-01-01"), &rows).expect("decided");
    assert_eq!((day_after.held, day_after.released), (vec![], vec![1]));
    assert!(day_after.restricted.is_empty());
}

#[test]
fn a_condition_flag_brings_its_rules_in_and_the_latest_rule_wins() {
    let rows = [row(1, "2019-06-01", true), row(2, "2019-06-01", false)];
    let decision = decide("invoices", &hold(), &job("2026-11-20"), &rows).expect("decided");
    assert_eq!(decision.held, [1]);
    assert_eq!(decision.released, [2]);
    assert_eq!(decision.restricted[0].rule_id, "vouchers-complaint");
    assert_eq!(decision.restricted[0].retained_until, date("2039-06-01"));
}

#[test]
fn rules_are_reported_in_the_jobs_order() {
    let rows = [row(1, "2019-06-01", true), row(2, "2026-01-05", false)];
    let decision = decide("invoices", &hold(), &job("2026-11-20"), &rows).expect("decided");
    let ids: Vec<&str> = decision
        .restricted
        .iter()
        .map(|r| r.rule_id.as_str())
        .collect();
    assert_eq!(ids, ["fi-kpl-vouchers", "vouchers-complaint"]);
}

#[test]
fn a_row_without_a_readable_date_fails_naming_table_and_column_only() {
    for (value, why) in [
        (Value::Null, "holds no date (NULL)"),
        (Value::Text("14.03.2025".into()), "is not a date YYYY-MM-DD"),
        (Value::Integer(20_250_314), "is not a date YYYY-MM-DD"),
    ] {
        let rows = [
            row(1, "2025-03-14", false),
            Candidate {
                reference: value,
                ..row(2, "", false)
            },
        ];
        let failure = decide("invoices", &hold(), &job("2026-11-20"), &rows).expect_err("fails");
        assert_eq!(
            failure,
            Failure::Permanent(format!(
                "table invoices: column issued_on of a matched row {why}: cannot tell until when a retention rule keeps it"
            ))
        );
    }
}

#[test]
fn reference_dates_are_iso_dates_or_start_iso_date_times() {
    let text = |s: &str| reference_date(&Value::Text(s.into()));
    for ok in ["2025-03-14", "2025-03-14T10:00:00Z", "2025-03-14 10:00"] {
        assert_eq!(text(ok), Ok(date("2025-03-14")), "{ok}");
    }
    for bad in [
        "",
        "2025-3-14",
        "2025-03-1",
        "2025-02-30",
        "2025-03-14x",
        "2025/03/14",
        "+2025-03-1",
        "14.03.2025",
        "2025-03-1€",
    ] {
        assert_eq!(text(bad), Err("is not a date YYYY-MM-DD"), "{bad:?}");
    }
    assert_eq!(
        reference_date(&Value::Real(1.0)),
        Err("is not a date YYYY-MM-DD")
    );
}
