use super::*;
use erasure_proto::v1 as pb;
use fluent_bundle::FluentResource;
use fluent_syntax::ast;
use std::collections::{BTreeMap, BTreeSet};

/// Every message (and attribute) of a translation file, with the variables it uses.
fn messages(language: Language) -> BTreeMap<String, BTreeSet<String>> {
    let resource = FluentResource::try_new(language.source().to_owned())
        .unwrap_or_else(|(_, e)| panic!("{language} does not parse: {e:?}"));
    let mut out = BTreeMap::new();
    for entry in resource.entries() {
        if let ast::Entry::Message(m) = entry {
            let mut vars = BTreeSet::new();
            if let Some(value) = &m.value {
                pattern_vars(value, &mut vars);
            }
            out.insert(m.id.name.to_owned(), vars);
            for a in &m.attributes {
                let mut vars = BTreeSet::new();
                pattern_vars(&a.value, &mut vars);
                out.insert(format!("{}.{}", m.id.name, a.id.name), vars);
            }
        }
    }
    out
}

fn pattern_vars(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &p.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Inline(i) => inline_vars(i, vars),
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            variants.iter().for_each(|v| pattern_vars(&v.value, vars));
        }
    }
}

fn inline_vars(i: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        _ => {}
    }
}

#[test]
fn every_message_is_in_every_language_with_the_same_variables() {
    let all: BTreeMap<Language, _> = Language::ALL
        .into_iter()
        .map(|l| (l, messages(l)))
        .collect();
    let ids: BTreeSet<&String> = all.values().flat_map(|m| m.keys()).collect();
    assert!(ids.len() > 40, "{ids:?}");
    let mut problems = Vec::new();
    for id in &ids {
        let reference = all.values().find_map(|m| m.get(*id)).expect("some");
        for (language, m) in &all {
            match m.get(*id) {
                None => problems.push(format!("{language}: no message {id}")),
                Some(vars) if vars != reference => problems.push(format!(
                    "{language}: {id} uses {vars:?}, another language {reference:?}"
                )),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_missing_message_is_caught() {
    // The check above compares real files; this shows it would see a gap.
    let en = messages(Language::En);
    let mut fi = messages(Language::Fi);
    fi.remove("extension-reason");
    assert!(en.contains_key("extension-reason") && !fi.contains_key("extension-reason"));
}

#[test]
fn languages_parse_and_an_unsupported_one_lists_the_supported() {
    assert_eq!("FI".parse::<Language>(), Ok(Language::Fi));
    assert_eq!("de".parse::<Language>(), Ok(Language::De));
    let e = "xx".parse::<Language>().expect_err("xx");
    assert_eq!(
        e.to_string(),
        "unsupported language \"xx\": receipts are written in fi, sv, en, de"
    );
}

#[test]
fn dates_as_each_language_writes_them() {
    let day = chrono::NaiveDate::from_ymd_opt(2032, 12, 31).expect("day");
    let written: Vec<String> = Language::ALL
        .into_iter()
        .map(|l| Texts::new(l).expect("texts").date(day))
        .collect();
    assert_eq!(
        written,
        [
            "31.12.2032",
            "31 december 2032",
            "31 December 2032",
            "31. Dezember 2032"
        ]
    );
}

const EU_EEA: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS",
    "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

#[test]
fn every_eu_and_eea_state_has_an_authority_with_a_web_address() {
    let a = Authorities::shipped().expect("authorities");
    for code in EU_EEA {
        let authority = a
            .of(code)
            .unwrap_or_else(|| panic!("no authority for {code}"));
        assert!(authority.url.starts_with("https://"), "{code}");
        assert!(!authority.name.trim().is_empty(), "{code}");
    }
    assert!(a.members.starts_with("https://"));
    let de = a.of("de").expect("DE");
    assert!(de.name.contains("Bundesbeauftragte") && de.regional.is_some());
    let fi = a.of("FI").expect("FI");
    assert_eq!(fi.name_in(Language::Fi), "Tietosuojavaltuutetun toimisto");
    assert_eq!(
        fi.name_in(Language::Sv),
        "Dataombudsmannens byrå (Tietosuojavaltuutetun toimisto)"
    );
}

fn completed_request() -> pb::ErasureRequest {
    let task =
        |id: &str, description: &str, categories: &[&str], outcome: pb::Outcome| pb::TaskView {
            system_id: id.into(),
            state: pb::TaskState::Done as i32,
            outcome: outcome as i32,
            description: description.into(),
            categories: categories.iter().map(|c| (*c).into()).collect(),
            answered_at: "2026-12-04T10:00:00.000Z".into(),
            ..Default::default()
        };
    pb::ErasureRequest {
        request_id: "req-1".into(),
        status: pb::RequestStatus::Completed as i32,
        received_at: "2026-12-01T09:00:00.000Z".into(),
        completed_at: "2026-12-04T10:00:00.000Z".into(),
        deadline: "2027-03-01".into(),
        original_deadline: "2027-01-01".into(),
        extended_months: 2,
        extension_reason: "<b>many</b> systems".into(),
        jurisdiction: "FI".into(),
        tasks: vec![
            task(
                "crm",
                "Customer register",
                &["contact"],
                pb::Outcome::Erased,
            ),
            task(
                "billing",
                "Invoices",
                &["accounting-voucher"],
                pb::Outcome::Retained,
            ),
            pb::TaskView {
                in_backups_until: "2027-01-15".into(),
                ..task(
                    "backups",
                    "Nightly backups",
                    &["backup"],
                    pb::Outcome::InBackups,
                )
            },
            task("mailer", "Newsletter", &[], pb::Outcome::Erased),
        ],
        holds: vec![pb::HoldView {
            system_id: "billing".into(),
            rule_id: "fi-kpl-vouchers".into(),
            category: "accounting-voucher".into(),
            items: 2,
            retained_until: "2032-12-31".into(),
            state: "held".into(),
            citation: "Kirjanpitolaki (Accounting Act) 1336/1997, ch. 2 § 10(2)".into(),
        }],
        recipients: vec![pb::RecipientView {
            system_id: "mailer".into(),
            name: "Posti Oy".into(),
            role: "processor".into(),
            via: "manual".into(),
            told_at: "2026-12-03T08:00:00.000Z".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn a_completed_receipt_tells_every_fact_in_every_language() {
    let r = completed_request();
    for language in Language::ALL {
        let text = compose(&r, language).expect("receipt").text();
        let texts = Texts::new(language).expect("texts");
        for fact in [
            "req-1",
            "Customer register",
            "Invoices",
            "1336/1997, ch. 2 § 10(2)",
            "<b>many</b> systems",
            "Posti Oy",
            "https://tietosuoja.fi",
            &texts.get("category-accounting-voucher", &[]),
            &texts.date(chrono::NaiveDate::from_ymd_opt(2032, 12, 31).expect("d")),
            &texts.date(chrono::NaiveDate::from_ymd_opt(2027, 1, 15).expect("d")),
            &texts.date(chrono::NaiveDate::from_ymd_opt(2027, 3, 1).expect("d")),
        ] {
            assert!(text.contains(fact), "{language}: no {fact:?} in\n{text}");
        }
        assert!(!text.contains('['), "{language}: a missing message\n{text}");
        // The recipient is told, not listed as erased.
        assert_eq!(text.matches("Newsletter").count(), 0, "{text}");
    }
}

#[test]
fn the_html_page_escapes_and_links_the_authority() {
    let page = compose(&completed_request(), Language::De)
        .expect("receipt")
        .html()
        .expect("html");
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<html lang=\"de\">"));
    assert!(
        page.contains("&#60;b&#62;many&#60;/b&#62; systems"),
        "{page}"
    );
    assert!(!page.contains("<b>many"));
    assert!(
        page.contains("<a href=\"https://tietosuoja.fi\">"),
        "{page}"
    );
}

#[test]
fn germany_names_the_federal_authority_and_the_laender() {
    let r = pb::ErasureRequest {
        jurisdiction: "DE".into(),
        ..completed_request()
    };
    let text = compose(&r, Language::En).expect("receipt").text();
    assert!(text.contains("https://www.bfdi.bund.de"), "{text}");
    assert!(text.contains("federal state (Land)"), "{text}");
}

#[test]
fn an_unlisted_jurisdiction_points_to_the_list_of_authorities() {
    let r = pb::ErasureRequest {
        jurisdiction: "US".into(),
        ..completed_request()
    };
    let text = compose(&r, Language::Sv).expect("receipt").text();
    assert!(text.contains("edpb.europa.eu"), "{text}");
}

#[test]
fn a_request_in_progress_says_what_is_done_and_a_failed_one_gets_none() {
    let mut r = completed_request();
    r.status = pb::RequestStatus::InProgress as i32;
    r.completed_at.clear();
    r.tasks[0].state = pb::TaskState::Pending as i32;
    r.tasks[0].answered_at.clear();
    let text = compose(&r, Language::En).expect("receipt").text();
    assert!(text.starts_with("Your erasure request: what has been done so far"));
    assert!(text.contains("Customer register – contact details: still in progress."));
    r.status = pb::RequestStatus::Failed as i32;
    let e = compose(&r, Language::En).expect_err("failed");
    assert!(e.to_string().contains("erasure retry req-1"), "{e}");
}

#[test]
fn a_refusal_gives_its_reason_and_the_courts() {
    let r = pb::ErasureRequest {
        request_id: "req-2".into(),
        status: pb::RequestStatus::Rejected as i32,
        received_at: "2026-12-01T09:00:00.000Z".into(),
        jurisdiction: "SE".into(),
        rejection_reason: "manifestly unfounded".into(),
        ..Default::default()
    };
    let text = compose(&r, Language::Fi).expect("receipt").text();
    assert!(text.contains("Syy: manifestly unfounded"), "{text}");
    assert!(text.contains("https://www.imy.se") && text.contains("tuomioistuimeen"));
}

#[test]
fn a_hold_that_ended_says_the_items_were_erased() {
    let mut r = completed_request();
    r.holds[0].state = "ended".into();
    let text = compose(&r, Language::En).expect("receipt").text();
    assert!(
        text.contains("kept until 31 December 2032 under Kirjanpitolaki (Accounting Act) 1336/1997, ch. 2 § 10(2); the period has ended and the items have been erased."),
        "{text}"
    );
}
