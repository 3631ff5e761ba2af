use super::*;
use chrono::NaiveDate;
use std::collections::BTreeSet;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn rule(period: &str, runs_from: &str) -> Rule {
    Rule {
        id: "r".into(),
        jurisdiction: "FI".into(),
        category: "accounting-voucher".into(),
        title: "t".into(),
        statute: "s".into(),
        section: "§".into(),
        source: String::new(),
        ground: Ground::LegalObligation,
        period: Period::parse(period).expect("period"),
        runs_from: Anchor::parse(runs_from).expect("anchor"),
        condition: None,
        note: String::new(),
        transition: None,
    }
}

fn de_vouchers() -> Rule {
    Rule {
        transition: Some(Transition {
            in_force: d("2025-01-01"),
            previous_period: Period::years(10),
            previous_section: "AO § 147(3) old".into(),
            law: "BEG IV".into(),
            rule: "Art. 97 § 19a EGAO".into(),
        }),
        ..rule("8y", "end-of-calendar-year")
    }
}

fn fy(s: &str) -> FinancialYearEnd {
    FinancialYearEnd::parse(s).expect("fy")
}

#[test]
fn finnish_accounting_periods() {
    let books = rule("10y", "financial-year-end");
    let vouchers = rule("6y", "end-of-calendar-year-of-financial-year-end");
    for (r, reference, fy_end, until) in [
        // Calendar financial year.
        (&books, "2024-05-10", "12-31", "2034-12-31"),
        (&vouchers, "2024-05-10", "12-31", "2030-12-31"),
        // Financial year ending 30 June: May 2024 is in FY ending 2024-06-30.
        (&books, "2024-05-10", "06-30", "2034-06-30"),
        (&vouchers, "2024-05-10", "06-30", "2030-12-31"),
        // July 2024 is in the FY ending 2025-06-30, which ends in calendar year 2025.
        (&books, "2024-07-01", "06-30", "2035-06-30"),
        (&vouchers, "2024-07-01", "06-30", "2031-12-31"),
        // The last day of a financial year belongs to it.
        (&vouchers, "2025-06-30", "06-30", "2031-12-31"),
        // Financial year ending on the last day of February keeps ending there.
        (&books, "2023-03-01", "02-28", "2034-02-28"),
        (&books, "2023-03-01", "02-29", "2034-02-28"),
        (&books, "2027-03-01", "02-29", "2038-02-28"),
    ] {
        let got = r.retain_until(d(reference), fy(fy_end));
        assert_eq!(
            got.until,
            d(until),
            "{:?} {reference} fy {fy_end}: {:?}",
            r.runs_from,
            got.steps
        );
        assert_eq!(got.erasable_from(), d(until).succ_opt().expect("next"));
    }
}

#[test]
fn a_february_financial_year_end_in_a_leap_year_is_the_29th() {
    let books = rule("1y", "financial-year-end");
    // FY ending Feb 2024 (leap): 2024-02-29; plus one year: last day of Feb 2025.
    let got = books.retain_until(d("2023-06-01"), fy("02-29"));
    assert_eq!(got.anchor, d("2024-02-29"));
    assert_eq!(got.until, d("2025-02-28"));
    // FY ending Feb 2027 + 1 year: the leap day 2028-02-29.
    assert_eq!(
        books.retain_until(d("2026-06-01"), fy("02-28")).until,
        d("2028-02-29")
    );
}

#[test]
fn document_dated_periods_clamp_to_month_end() {
    let calls = rule("3m", "document-date");
    for (reference, until) in [
        ("2026-01-15", "2026-04-15"),
        ("2025-11-30", "2026-02-28"),
        ("2027-11-30", "2028-02-29"), // leap year
        ("2026-02-28", "2026-05-28"), // a date, not a month end: same day number
    ] {
        assert_eq!(
            calls.retain_until(d(reference), fy("12-31")).until,
            d(until)
        );
    }
    let letters = rule("6y", "end-of-calendar-year");
    assert_eq!(
        letters.retain_until(d("2024-01-01"), fy("06-30")).until,
        d("2030-12-31"),
        "a calendar-year rule ignores the financial year"
    );
}

#[test]
fn german_voucher_cut_over() {
    let r = de_vouchers();
    for (document, until, why) in [
        // Old 10-year period ended 2024-12-31, before 2025-01-01: the old date stands.
        (
            "2014-06-01",
            "2024-12-31",
            "old period ran out before the change",
        ),
        // Old period would end 2025-12-31 (not run out on 2025-01-01): 8 years apply,
        // ending 2023-12-31, but nothing is released before the change: 2024-12-31.
        (
            "2015-06-01",
            "2024-12-31",
            "released on the day the change took effect",
        ),
        ("2016-12-31", "2024-12-31", "8 years ended 2024-12-31"),
        ("2017-01-01", "2025-12-31", "8 years from end of 2017"),
        ("2024-03-15", "2032-12-31", "8 years from end of 2024"),
        ("2026-11-22", "2034-12-31", "8 years from end of 2026"),
    ] {
        let got = r.retain_until(d(document), fy("12-31"));
        assert_eq!(got.until, d(until), "{document}: {why}: {:?}", got.steps);
    }
}

#[test]
fn the_explanation_names_every_step() {
    let got = de_vouchers().retain_until(d("2024-03-15"), fy("12-31"));
    let text = got.steps.join("\n");
    assert!(
        text.contains("end of the calendar year of 2024-03-15, 2024-12-31"),
        "{text}"
    );
    assert!(
        text.contains("2034-12-31, which had not passed on 2025-01-01"),
        "{text}"
    );
    assert!(text.contains("retained until 2032-12-31"), "{text}");
    assert!(text.contains("erasable from 2033-01-01"), "{text}");
}

#[test]
fn the_latest_applicable_rule_holds_an_item() {
    let mut short = rule("3m", "document-date");
    short.id = "calls".into();
    short.category = "call-recording".into();
    let mut complaint = rule("12m", "document-date");
    complaint.id = "calls-complaint".into();
    complaint.category = "call-recording".into();
    complaint.condition = Some("complaint-open".into());
    let rules = [short, complaint];
    let none = BTreeSet::new();
    let open: BTreeSet<String> = ["complaint-open".to_owned()].into();
    let f = fy("12-31");
    let recorded = d("2026-01-10");
    let held = |conds, as_of| {
        hold_for_item(&rules, "call-recording", recorded, conds, f, d(as_of))
            .map(|h| (h.rule.id.clone(), h.until.to_string()))
    };
    assert_eq!(
        held(&none, "2026-02-01"),
        Some(("calls".into(), "2026-04-10".into()))
    );
    assert_eq!(
        held(&none, "2026-04-10"),
        Some(("calls".into(), "2026-04-10".into()))
    );
    assert_eq!(held(&none, "2026-04-11"), None);
    assert_eq!(
        held(&open, "2026-04-11"),
        Some(("calls-complaint".into(), "2027-01-10".into()))
    );
    assert_eq!(
        hold_for_item(&rules, "contact", recorded, &open, f, d("2026-02-01")),
        None,
        "other categories are not held"
    );
}

#[test]
fn periods_and_financial_years_parse_strictly() {
    assert_eq!(Period::parse("10y"), Some(Period::years(10)));
    assert_eq!(Period::parse("3m").map(Period::in_months), Some(3));
    for bad in ["", "y", "10", "0y", "-1y", "1.5y", "10d", "101y"] {
        assert_eq!(Period::parse(bad), None, "{bad}");
    }
    assert_eq!(Period::years(1).to_string(), "1 year");
    assert_eq!(Period::months(12).to_string(), "12 months");
    assert!(FinancialYearEnd::parse("06-30").is_some());
    for bad in ["6-30", "06-31", "13-01", "06/30", "0630"] {
        assert_eq!(FinancialYearEnd::parse(bad), None, "{bad}");
    }
}

#[test]
fn rule_files_are_checked() {
    let ok = r#"
format = "erasure-retention-rules/v1"
[[rules]]
id = "fi-kpl-vouchers"
jurisdiction = "FI"
category = "accounting-voucher"
title = "Vouchers"
statute = "Kirjanpitolaki 1336/1997"
section = "ch. 2 § 10(2)"
ground = "legal-obligation"
period = "6y"
runs_from = "end-of-calendar-year-of-financial-year-end"
"#;
    let book = RuleBook::from_toml(ok).expect("valid");
    let categories = ["accounting-voucher".to_owned(), "contact".to_owned()];
    assert_eq!(book.matching("FI", &categories).count(), 1);
    assert_eq!(book.matching("DE", &categories).count(), 0);
    for (change, expected) in [
        (("6y", "6 years"), "period must be whole years"),
        (
            ("legal-obligation", "law"),
            "ground must be legal-obligation",
        ),
        (("\"FI\"", "\"Finland\""), "jurisdiction must be"),
        (("end-of-calendar-year-of", "start-of"), "runs_from must be"),
        (("title = ", "titel = "), "unknown field"),
    ] {
        let text = ok.replace(change.0, change.1);
        let err = RuleBook::from_toml(&text).expect_err(expected).to_string();
        assert!(err.contains(expected), "{err}");
    }
    let twice = format!("{ok}{}", &ok[ok.find("[[rules]]").expect("rules")..]);
    assert!(
        RuleBook::from_toml(&twice)
            .expect_err("dup")
            .to_string()
            .contains("used twice")
    );
}
