use super::*;
use IdentifierKind::{CustomerId, Email, Phone};
use erasure_core::Sensitive;

fn person(email: Option<&str>, phone: Option<&str>, customer_id: Option<&str>) -> Identifiers {
    let value = |v: Option<&str>| v.map(|v| Sensitive::new(v.to_owned()));
    Identifiers {
        email: value(email),
        phone: value(phone),
        customer_id: value(customer_id),
    }
}

fn template(source: &str) -> KeyTemplate {
    KeyTemplate::parse(source).expect("valid template")
}

fn prefix(rendered: Rendered) -> String {
    match rendered {
        Rendered::Prefix(path) => path.to_string(),
        other => panic!("expected a prefix, got {other:?}"),
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
        prefix(template("customers/{customer_id}/").render(&alice)),
        "customers/C-1001"
    );
    assert_eq!(
        prefix(template("by-email/{email}/").render(&alice)),
        "by-email/alice@example.com"
    );
    assert_eq!(
        prefix(template("calls/{phone}-{customer_id}/audio/").render(&alice)),
        "calls/+358401234567-C-1001/audio"
    );
}

#[test]
fn a_template_whose_identifier_is_absent_is_skipped() {
    let only_email = person(Some("alice@example.com"), None, None);
    assert_eq!(
        template("customers/{customer_id}/").render(&only_email),
        Rendered::Absent(CustomerId)
    );
}

#[test]
fn values_that_could_leave_the_prefix_are_refused() {
    for bad in ["", ".", "..", "../../etc", "a/b", "a\\b", "x\u{7}y"] {
        let who = person(None, None, Some(bad));
        assert_eq!(
            template("customers/{customer_id}/").render(&who),
            Rendered::Refused(CustomerId),
            "{bad:?} accepted"
        );
    }
    let slash_email = person(Some("a/b@example.com"), None, None);
    assert_eq!(
        template("by-email/{email}/").render(&slash_email),
        Rendered::Refused(Email)
    );
}

#[test]
fn a_dot_pair_inside_a_longer_segment_is_harmless() {
    let who = person(None, Some(".."), None);
    assert_eq!(
        template("x/{phone}/").render(&who),
        Rendered::Refused(Phone)
    );
    let who = person(None, None, Some("a..b"));
    assert_eq!(prefix(template("x/{customer_id}/").render(&who)), "x/a..b");
}

#[test]
fn templates_are_checked_when_parsed() {
    for (bad, reason) in [
        ("customers/{customer_id}", "must end with '/'"),
        ("/customers/{customer_id}/", "must be relative"),
        ("customers\\{customer_id}/", "must be relative"),
        ("customers//{customer_id}/", "empty, '.' or '..'"),
        ("customers/../{customer_id}/", "empty, '.' or '..'"),
        (
            "customers/{national_id}/",
            "unknown placeholder {national_id}",
        ),
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
