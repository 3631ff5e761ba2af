//! A synchronous delete API: erased, nothing found, a permanent refusal, one call per
//! value, values escaped where they go, kinds the request lacks, legal holds, and a new
//! attempt of a finished task.

use crate::support::customers::Customers;
use crate::support::{build, evidence};
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{
    alice, assert_no_personal_data, carol, fi_vouchers, held_job, job,
};
use erasure_core::events::Outcome;
use erasure_core::{IdentifierKind, Identifiers};

fn by_customer(base: &str) -> String {
    format!(
        r#"state = "state/processor.sqlite"
        allow_http = true
        [request]
        method = "DELETE"
        url = "{base}/v1/customers/{{customer_id}}"
        [success]
        status = [200]
        field = "/result"
        values = ["deleted"]
        count = "/records"
        [nothing_found]
        status = [404]"#
    )
}

#[tokio::test]
async fn a_known_customer_is_erased_and_the_answer_kept_as_evidence() {
    let api = Customers::new();
    api.data.hold(["C-1001"]);
    let built = build(&by_customer(&api.start().await), &[], &[]);

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 1),
        "{}",
        report.detail
    );
    assert!(
        !api.data.holds("C-1001"),
        "the processor still holds the customer"
    );
    assert_eq!(api.log.all()[0].uri, "/v1/customers/C-1001");
    assert_eq!(
        report.evidence_summary,
        "request: 1 call to the processor, 1 erased, 0 nothing found"
    );
    let evidence = evidence(&report);
    let call = &evidence["calls"][0];
    assert!(call["call"].as_str().is_some_and(
        |c| c.starts_with("DELETE http") && c.ends_with("/v1/customers/{customer_id}")
    ));
    assert_eq!(call["result"], "erased");
    assert_eq!(call["submitted"]["status"], 200);
    let body: serde_json::Value =
        serde_json::from_str(call["submitted"]["body"].as_str().expect("text")).expect("JSON");
    assert_eq!(body, serde_json::json!({"result": "deleted", "records": 1}));
    assert_eq!(
        call["submitted"]["headers"]["content-type"],
        "application/json"
    );
    assert_eq!(evidence["task_id"], "req-1/kit");
    assert_no_personal_data(&report, &alice());
}

#[tokio::test]
async fn an_unknown_customer_is_nothing_found_which_is_a_success() {
    let api = Customers::new();
    let built = build(&by_customer(&api.start().await), &[], &[]);

    let report = built.connector.erase(&job(&carol(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::NothingFound, "{}", report.detail);
    assert!(report.outcome.is_success());
    assert_eq!(evidence(&report)["calls"][0]["submitted"]["status"], 404);
}

#[tokio::test]
async fn a_refusal_is_a_permanent_failure_naming_the_status_only() {
    let api = Customers::new();
    let built = build(&by_customer(&api.start().await), &[], &[]);
    let locked = Identifiers::parse(None, None, Some("C-9000")).expect("person");

    let report = built.connector.erase(&job(&locked, "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert_eq!(report.detail, "submit: HTTP 422");
    assert_no_personal_data(&report, &locked);
}

#[tokio::test]
async fn each_value_of_a_kind_is_one_call() {
    let api = Customers::new();
    api.data.hold(["C-2"]);
    let built = build(&by_customer(&api.start().await), &[], &[]);
    let raw = [
        (IdentifierKind::CustomerId, "C-1"),
        (IdentifierKind::CustomerId, "C-2"),
    ];
    let person = Identifiers::from_raw(raw, None).expect("person");

    let report = built.connector.erase(&job(&person, "req-1", 1)).await;

    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 1),
        "{}",
        report.detail
    );
    assert_eq!(api.log.count("DELETE", "/v1/customers/"), 2);
    let evidence = evidence(&report);
    assert_eq!(evidence["calls"][0]["result"], "nothing found");
    assert_eq!(evidence["calls"][1]["result"], "erased");
    assert!(
        evidence["calls"][1]["call"]
            .as_str()
            .is_some_and(|c| c.ends_with("(call 2 of 2: one value of customer_id)"))
    );
    assert_eq!(
        report.evidence_summary,
        "request: 2 calls to the processor, 1 erased, 1 nothing found"
    );
}

#[tokio::test]
async fn values_are_escaped_for_the_url_and_the_body() {
    let api = Customers::new();
    let email = "a/b?c#d%e&f=g+h{request_id}'x@example.com";
    api.data.hold([email]);
    let base = api.start().await;
    let config = format!(
        r#"state = "state.sqlite"
        allow_http = true
        [request]
        method = "POST"
        url = "{base}/v1/people/forget?who={{email}}&ref={{request_id}}"
        body = {{ emails = "{{email[]}}", reference = "{{request_id}}", who = "{{email}}" }}
        [success]
        field = "/result"
        values = ["deleted"]
        [nothing_found]
        field = "/result"
        values = ["unknown"]"#
    );
    let built = build(&config, &[], &[]);
    let person = Identifiers::parse(Some(email), None, None).expect("a valid address");

    let report = built.connector.erase(&job(&person, "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::Erased, "{}", report.detail);
    let received = &api.log.all()[0];
    let url = reqwest::Url::parse(&format!("http://x{}", received.uri)).expect("uri");
    assert_eq!(url.path(), "/v1/people/forget");
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        [
            ("who".to_owned(), email.to_owned()),
            ("ref".to_owned(), "req-1".to_owned())
        ]
    );
    let body: serde_json::Value = serde_json::from_slice(&received.body).expect("JSON body");
    assert_eq!(
        body,
        serde_json::json!({"emails": [email], "reference": "req-1", "who": email})
    );
    assert!(!api.data.holds(email));
}

#[tokio::test]
async fn a_template_naming_a_kind_the_request_lacks_sends_nothing() {
    let api = Customers::new();
    let base = api.start().await;
    let config = by_customer(&base).replace("{customer_id}", "{account_id}");
    let built = build(&config, &[], &[]);

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::NothingFound, "{}", report.detail);
    assert_eq!(
        report.evidence_summary,
        "nothing sent to the processor: the request carries no account_id"
    );
    assert!(api.log.all().is_empty());
}

#[tokio::test]
async fn a_job_under_legal_holds_is_refused_and_the_processor_not_told() {
    let api = Customers::new();
    let built = build(&by_customer(&api.start().await), &[], &[]);

    let report = built
        .connector
        .erase(&held_job(
            &alice(),
            "req-1",
            vec![fi_vouchers()],
            "2026-11-20",
        ))
        .await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert!(
        report.detail.contains("fi-kpl-vouchers"),
        "{}",
        report.detail
    );
    assert!(api.log.all().is_empty());
}

#[tokio::test]
async fn a_new_attempt_of_a_finished_task_repeats_its_answer_without_asking() {
    let api = Customers::new();
    api.data.hold(["C-1001"]);
    let built = build(&by_customer(&api.start().await), &[], &[]);
    let first = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    let again = built.connector.erase(&job(&alice(), "req-1", 2)).await;

    assert_eq!(again, first);
    assert_eq!(api.log.all().len(), 1, "the processor was asked twice");
}
