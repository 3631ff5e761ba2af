use super::*;
use IdentifierKind::{CustomerId, Email, Phone};

/// Values as given, unvalidated: templates must be safe whatever reaches them.
fn person(email: Option<&str>, phone: Option<&str>, customer_id: Option<&str>) -> Identifiers {
    let values = [(Email, email), (Phone, phone), (CustomerId, customer_id)];
    Identifiers::unchecked(values.into_iter().filter_map(|(k, v)| Some((k, v?))))
}

fn template(source: &str) -> KeyTemplate {
    KeyTemplate::parse(source).expect("valid template")
}

/// The one prefix a template renders to.
fn prefix(rendered: Vec<Rendered>) -> String {
    match rendered.as_slice() {
        [Rendered::Prefix(path)] => path.to_string(),
        other => panic!("expected one prefix, got {other:?}"),
    }
}

#[test]
fn renders_placeholders_anywhere_in_a_segment() {
    let alice = person(
        Some("alice@example.com"),
        Some("+358401234567"),
        Some("C-1001"),
    );
    assert_eq!(
        prefix(template("customers/{customer_id}/").render(&alice, None)),
        "customers/C-1001"
    );
    assert_eq!(
        prefix(template("by-email/{email}/").render(&alice, None)),
        "by-email/alice@example.com"
    );
    assert_eq!(
        prefix(template("calls/{phone}-{customer_id}/audio/").render(&alice, None)),
        "calls/+358401234567-C-1001/audio"
    );
}

#[test]
fn a_template_whose_identifier_is_absent_is_skipped() {
    let only_email = person(Some("alice@example.com"), None, None);
    assert_eq!(
        template("customers/{customer_id}/").render(&only_email, None),
        [Rendered::Absent(CustomerId)]
    );
}

#[test]
fn values_that_could_leave_the_prefix_are_refused() {
    for bad in ["", ".", "..", "../../etc", "a/b", "a\\b", "x\u{7}y"] {
        let who = person(None, None, Some(bad));
        assert_eq!(
            template("customers/{customer_id}/").render(&who, None),
            [Rendered::Refused(CustomerId)],
            "{bad:?} accepted"
        );
    }
    let slash_email = person(Some("a/b@example.com"), None, None);
    assert_eq!(
        template("by-email/{email}/").render(&slash_email, None),
        [Rendered::Refused(Email)]
    );
}

#[test]
fn a_dot_pair_inside_a_longer_segment_is_harmless() {
    let who = person(None, Some(".."), None);
    assert_eq!(
        template("x/{phone}/").render(&who, None),
        [Rendered::Refused(Phone)]
    );
    let who = person(None, None, Some("a..b"));
    assert_eq!(
        prefix(template("x/{customer_id}/").render(&who, None)),
        "x/a..b"
    );
}

#[test]
fn templates_are_checked_when_parsed() {
    for (bad, reason) in [
        ("customers/{customer_id}", "must end with '/'"),
        ("/customers/{customer_id}/", "must be relative"),
        ("customers\\{customer_id}/", "must be relative"),
        ("customers//{customer_id}/", "empty, '.' or '..'"),
        ("customers/../{customer_id}/", "empty, '.' or '..'"),
        ("customers/{national}/", "unknown placeholder {national}"),
        ("customers/{customer_id/", "without '}'"),
        ("customers/customer_id}/", "without '{'"),
        ("customers/all/", "has no placeholder"),
        ("/", "empty, '.' or '..'"),
    ] {
        let err = KeyTemplate::parse(bad).expect_err(bad).to_string();
        assert!(err.contains(reason), "{bad}: {err}");
        assert!(
            err.contains(&format!("{bad:?}")),
            "{bad}: {err} does not quote the template"
        );
    }
}

#[test]
fn every_value_of_a_kind_gets_its_prefix() {
    let two = Identifiers::parse(Some("a@example.com"), None, Some("C-1")).expect("valid");
    let mut more = Identifiers::parse(Some("b@example.com"), None, Some("C-2")).expect("valid");
    more.merge(&two).expect("merged");
    let rendered = template("by/{email}/{customer_id}/").render(&more, None);
    let prefixes: Vec<String> = rendered.into_iter().map(|r| prefix(vec![r])).collect();
    assert_eq!(
        prefixes,
        [
            "by/a@example.com/C-1",
            "by/a@example.com/C-2",
            "by/b@example.com/C-1",
            "by/b@example.com/C-2"
        ]
    );
}

#[test]
fn a_controller_segment_needs_the_request_s_controller() {
    let alice = person(Some("alice@example.com"), None, None);
    let template = template("clients/{controller}/by-email/{email}/");
    assert_eq!(
        prefix(template.render(&alice, Some("acme"))),
        "clients/acme/by-email/alice@example.com"
    );
    assert_eq!(template.render(&alice, None), [Rendered::NoController]);
    let err = KeyTemplate::parse("clients/{controller}/").expect_err("for everybody");
    assert!(err.to_string().contains("has no placeholder"), "{err}");
}
