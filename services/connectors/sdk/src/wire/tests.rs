use super::*;
use erasure_core::IdentifierKind;
use erasure_core::events::Retained;
use erasure_proto::v1 as proto;

fn order(ids: Option<proto::Identifiers>) -> WorkOrder {
    WorkOrder {
        request_id: "r1".into(),
        task_id: "r1/crm".into(),
        system_id: "crm".into(),
        attempt: 2,
        identifiers: ids,
        categories: vec!["contact".into()],
        ..Default::default()
    }
}

fn alice() -> Option<proto::Identifiers> {
    Some(proto::Identifiers {
        customer_id: vec!["C-1001".into()],
        ..Default::default()
    })
}

fn vouchers(id: &str) -> proto::RetentionRule {
    proto::RetentionRule {
        id: id.into(),
        jurisdiction: "FI".into(),
        category: "accounting-voucher".into(),
        title: "Vouchers".into(),
        statute: "Kirjanpitolaki 1336/1997".into(),
        section: "ch. 2 § 10(2)".into(),
        ground: "legal-obligation".into(),
        period: "6y".into(),
        runs_from: "end-of-calendar-year-of-financial-year-end".into(),
        ..Default::default()
    }
}

/// Alice's order holding vouchers, as of 2026-11-20, financial years ending 30 June.
fn held_order() -> WorkOrder {
    WorkOrder {
        holds: vec![vouchers("fi-kpl-vouchers")],
        as_of: "2026-11-20".into(),
        financial_year_end: "06-30".into(),
        ..order(alice())
    }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

#[test]
fn a_job_carries_the_order_and_normalised_identifiers() {
    let ids = proto::Identifiers {
        email: vec![" Alice@Example.com".into()],
        ..Default::default()
    };
    let job = job_from_order(&order(Some(ids))).expect("valid");
    assert_eq!(
        job.identifiers.values(IdentifierKind::Email).next(),
        Some("alice@example.com")
    );
    assert_eq!(job.identifiers.values(IdentifierKind::Phone).next(), None);
    assert_eq!((job.attempt, job.task_id.as_str()), (2, "r1/crm"));
    assert_eq!(job.system_id.as_str(), "crm");
    assert_eq!(job.categories, ["contact"]);
    assert!(job.holds.is_empty());
}

#[test]
fn missing_or_invalid_identifiers_give_no_job() {
    let refused = |ids| job_from_order(&order(ids)).expect_err("refused");
    assert_eq!(refused(None), Refusal::NoValidIdentifier);
    assert_eq!(
        refused(Some(proto::Identifiers::default())),
        Refusal::NoValidIdentifier
    );
    let bad = proto::Identifiers {
        phone: vec!["040 123".into()],
        ..Default::default()
    };
    assert_eq!(refused(Some(bad)), Refusal::NoValidIdentifier);
    assert_eq!(
        Refusal::NoValidIdentifier.to_string(),
        "work order carried no valid identifier"
    );
}

#[test]
fn a_job_carries_the_holds_and_the_dates_they_are_judged_on() {
    let job = job_from_order(&held_order()).expect("valid");
    assert_eq!(job.holds.len(), 1);
    assert_eq!(job.holds[0].id, "fi-kpl-vouchers");
    assert_eq!(job.as_of, date("2026-11-20"));
    assert_eq!(job.financial_year_end.to_string(), "06-30");
}

#[test]
fn an_order_without_holds_may_leave_the_dates_out() {
    let issued = WorkOrder {
        issued_at_ms: 1_767_225_600_000, // 2026-01-01T00:00:00Z
        ..order(alice())
    };
    let job = job_from_order(&issued).expect("valid");
    assert_eq!(job.as_of, date("2026-01-01"));
    assert_eq!(job.financial_year_end, FinancialYearEnd::default());
}

#[test]
fn an_invalid_retention_rule_or_date_is_refused_not_ignored() {
    let mut bad_rule = held_order();
    bad_rule.holds[0].period = "forever".into();
    let mut twice = held_order();
    twice.holds.push(vouchers("fi-kpl-vouchers"));
    let cases = [
        (bad_rule, "rule fi-kpl-vouchers: period must be"),
        (twice, "rule id fi-kpl-vouchers is used twice"),
        (
            WorkOrder {
                as_of: String::new(),
                ..held_order()
            },
            "as_of must be a date YYYY-MM-DD",
        ),
        (
            WorkOrder {
                as_of: "2026-11-20T10:00:00Z".into(),
                ..held_order()
            },
            "as_of must be a date YYYY-MM-DD",
        ),
        (
            WorkOrder {
                financial_year_end: String::new(),
                ..held_order()
            },
            "financial_year_end must be MM-DD",
        ),
        (
            // Invalid even when nothing is held: a broken order is not guessed at.
            WorkOrder {
                as_of: "20.11.2026".into(),
                ..order(alice())
            },
            "as_of must be a date YYYY-MM-DD",
        ),
        (
            WorkOrder {
                financial_year_end: "6-30".into(),
                ..order(alice())
            },
            "financial_year_end must be MM-DD",
        ),
    ];
    for (order, expected) in cases {
        let refusal = job_from_order(&order).expect_err(expected);
        assert!(
            matches!(refusal, Refusal::InvalidRetention(_)),
            "{refusal:?}"
        );
        let detail = refusal.to_string();
        assert!(
            detail.starts_with("work order carried an invalid retention rule or date: "),
            "{detail}"
        );
        assert!(detail.contains(expected), "{detail}");
    }
}

#[test]
fn the_acknowledgment_digests_the_evidence() {
    let report = Report::from_counts(1, 0, "t: 1 deleted", b"{}".to_vec());
    let ack = acknowledgment(&order(None), &report, 42);
    assert_eq!(ack.evidence_digest, erasure_proof::sha256(b"{}").to_vec());
    assert_eq!(ack.outcome, proto::Outcome::Erased as i32);
    assert_eq!(
        (ack.attempt, ack.completed_at_ms, ack.items_affected),
        (2, 42, 1)
    );
    assert_eq!(ack.evidence_summary, "t: 1 deleted");
    assert!(ack.retained.is_empty());
}

#[test]
fn the_acknowledgment_reports_what_was_retained() {
    let kept = Retained {
        rule_id: "fi-kpl-vouchers".into(),
        category: "accounting-voucher".into(),
        items: 2,
        latest_reference_date: date("2026-02-10"),
        retained_until: date("2032-12-31"),
    };
    let report = Report::retained(vec![kept.clone()], 2, "invoices: 2 restricted", Vec::new());
    let ack = acknowledgment(&held_order(), &report, 42);
    assert_eq!(ack.outcome, proto::Outcome::Retained as i32);
    assert_eq!(ack.retained, [erasure_proto::v1::Retention::from(&kept)]);
    assert_eq!(ack.retained[0].retained_until, "2032-12-31");
}

#[test]
fn only_the_trace_context_is_carried_over() {
    let headers = vec![
        ("traceparent".to_owned(), "00-abc-def-01".to_owned()),
        ("x-other".to_owned(), "dropped".to_owned()),
    ];
    assert_eq!(trace_headers(&headers), headers[..1]);
}
