use super::body::BodyTemplate;
use super::url::UrlTemplate;
use super::*;
use erasure_core::Identifiers;
use serde_json::{Value, json};

const ALL: Allowed = Allowed {
    identifiers: true,
    callback_url: true,
    job_id: false,
};

fn bindings<'a>(values: &'a [(IdentifierKind, &'a str)], person: &'a Identifiers) -> Bindings<'a> {
    Bindings {
        request_id: "req-1",
        task_id: "req-1/payments",
        controller: None,
        callback_url: Some("https://cb.example/t/0"),
        job_id: None,
        values,
        person,
    }
}

fn url(source: &str) -> UrlTemplate {
    UrlTemplate::parse(source, "request.url", ALL, false).expect("valid template")
}

#[test]
fn url_values_are_percent_encoded_and_cannot_add_segments_or_parameters() {
    let person = Identifiers::default();
    let hostile = "a/b?c=d&e#f %\"<>@x";
    let values = [(IdentifierKind::Email, hostile)];
    let template = url("https://api.example/v1/users/{email}?by={email}&r={request_id}");

    let rendered = template
        .render(&bindings(&values, &person))
        .expect("renders");

    assert_eq!(
        rendered.as_str(),
        "https://api.example/v1/users/a%2Fb%3Fc%3Dd%26e%23f%20%25%22%3C%3E%40x?by=a%2Fb%3Fc%3Dd%26e%23f%20%25%22%3C%3E%40x&r=req-1"
    );
    assert_eq!(rendered.host_str(), Some("api.example"));
    assert_eq!(rendered.path_segments().map(Iterator::count), Some(3));
    assert_eq!(rendered.query_pairs().count(), 2);
    assert_eq!(rendered.fragment(), None);
}

#[test]
fn a_value_that_would_be_a_dot_segment_is_refused() {
    let person = Identifiers::default();
    let template = url("https://api.example/v1/customers/{customer_id}/data");
    for dots in [".", "..", "%2e%2E"] {
        let values = [(IdentifierKind::CustomerId, dots)];
        let rendered = template.render(&bindings(&values, &person));
        if dots.contains('%') {
            // '%' is encoded itself, so this one is an ordinary segment.
            assert!(rendered.is_ok(), "{dots}");
        } else {
            assert_eq!(
                rendered,
                Err(Unbound::Refused(IdentifierKind::CustomerId)),
                "{dots}"
            );
        }
    }
}

#[test]
fn the_host_is_fixed_text_and_https_is_required() {
    let parse = |s: &str, http| UrlTemplate::parse(s, "request.url", ALL, http).map(drop);
    let err = parse("https://{email}.example/x", false).expect_err("placeholder host");
    assert!(
        err.to_string().starts_with("request.url: the host"),
        "{err}"
    );
    assert!(parse("https://user@api.example/x", false).is_err());
    assert!(parse("http://127.0.0.1:8080/x/{email}", false).is_err());
    assert!(parse("http://127.0.0.1:8080/x/{email}", true).is_ok());
    assert!(parse("ftp://x/{email}", true).is_err());
    let err = parse("https://api.example/{ssn}", false).expect_err("unknown");
    assert!(
        err.to_string().contains("unknown placeholder {ssn}"),
        "{err}"
    );
}

#[test]
fn identifiers_are_refused_where_they_are_not_allowed() {
    let headers = Allowed {
        identifiers: false,
        callback_url: true,
        job_id: false,
    };
    let err = Text::parse("{email}", "request.headers.X-User", headers).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "request.headers.X-User: {email}: no identifier may be placed here"
    );
    assert!(Text::parse("{job_id}", "x", headers).is_err());
    assert!(Text::parse("key-{task_id}", "x", headers).is_ok());
}

#[test]
fn body_values_are_json_escaped_by_construction() {
    let person = Identifiers::default();
    let hostile = "x\", \"admin\": true, \"y\": \"\\\n";
    let values = [(IdentifierKind::Email, hostile)];
    let document = json!({"user": {"email": "{email}", "note": "for {request_id}"}, "n": 3});
    let template = BodyTemplate::parse(&document, "request.body", ALL).expect("valid");

    let body = template
        .render(&bindings(&values, &person))
        .expect("renders");

    assert_eq!(body["user"]["email"], hostile);
    assert_eq!(body["user"]["note"], "for req-1");
    assert_eq!(body["n"], 3);
    let text = serde_json::to_string(&body).expect("serialises");
    let back: Value = serde_json::from_str(&text).expect("parses back");
    assert_eq!(
        back.as_object().map(|o| o.len()),
        Some(2),
        "a field was injected"
    );
    assert_eq!(template.kinds(), [IdentifierKind::Email].into());
}

#[test]
fn an_array_placeholder_takes_every_value_of_its_kind() {
    let person = Identifiers::parse(Some("a@example.com"), None, Some("C-1")).expect("person");
    let document = json!({"emails": "{email[]}", "ids": ["{customer_id[]}"]});
    let template = BodyTemplate::parse(&document, "request.body", ALL).expect("valid");

    let body = template.render(&bindings(&[], &person)).expect("renders");

    assert_eq!(body, json!({"emails": ["a@example.com"], "ids": [["C-1"]]}));
    assert_eq!(
        template.array_kinds(),
        [IdentifierKind::Email, IdentifierKind::CustomerId].into()
    );
    assert!(template.kinds().is_empty());
    let phones = BodyTemplate::parse(&json!({"p": "{phone[]}"}), "b", ALL).expect("valid");
    assert_eq!(phones.render(&bindings(&[], &person)), Ok(json!({"p": []})));
}
