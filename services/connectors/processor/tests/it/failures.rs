//! Transient failures (5xx, 429 with Retry-After, no connection, a timeout) are reported
//! retryable; the next attempt, once the processor's wait is over, succeeds.

use crate::support::customers::Customers;
use crate::support::{build, free_port, serve};
use axum::Router;
use axum::routing::delete;
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{alice, assert_no_personal_data, job};
use erasure_core::events::Outcome;

fn config(base: &str, extra: &str) -> String {
    format!(
        r#"state = "state.sqlite"
        allow_http = true
        {extra}
        [request]
        method = "DELETE"
        url = "{base}/v1/customers/{{customer_id}}"
        [nothing_found]
        status = [404]"#
    )
}

#[tokio::test]
async fn a_busy_processor_is_retried_after_its_retry_after_then_erases() {
    let api = Customers::new();
    api.data.hold(["C-1001"]);
    api.fail_next(&[(503, None), (429, Some("1"))]);
    let built = build(&config(&api.start().await, ""), &[], &[]);
    let connector = &built.connector;

    let first = connector.erase(&job(&alice(), "req-1", 1)).await;
    let second = connector.erase(&job(&alice(), "req-1", 2)).await;
    let third = connector.erase(&job(&alice(), "req-1", 3)).await;

    assert_eq!(
        (first.outcome, first.detail.as_str()),
        (Outcome::FailedRetryable, "submit: HTTP 503")
    );
    assert_eq!(
        (second.outcome, second.detail.as_str()),
        (Outcome::FailedRetryable, "submit: HTTP 429")
    );
    assert_eq!(third.outcome, Outcome::Erased, "{}", third.detail);
    assert_eq!(api.log.count("DELETE", "/v1/customers/C-1001"), 3);
    assert!(!api.data.holds("C-1001"));
    for report in [&first, &second] {
        assert_no_personal_data(report, &alice());
    }
}

#[tokio::test]
async fn a_retry_after_longer_than_the_wait_sends_nothing_until_it_is_over() {
    let api = Customers::new();
    api.data.hold(["C-1001"]);
    api.fail_next(&[(429, Some("600"))]);
    let built = build(&config(&api.start().await, "max_wait_secs = 5"), &[], &[]);

    let first = built.connector.erase(&job(&alice(), "req-1", 1)).await;
    let second = built.connector.erase(&job(&alice(), "req-1", 2)).await;

    assert_eq!(first.outcome, Outcome::FailedRetryable);
    assert_eq!(second.outcome, Outcome::FailedRetryable);
    assert!(
        second
            .detail
            .starts_with("submit: the processor asked to wait")
            && second.detail.ends_with("s more (Retry-After)"),
        "{}",
        second.detail
    );
    assert_eq!(
        api.log.all().len(),
        1,
        "sent before the processor's wait was over"
    );
}

#[tokio::test]
async fn an_unreachable_processor_is_transient() {
    let base = format!("http://127.0.0.1:{}", free_port());
    let built = build(&config(&base, ""), &[], &[]);

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        (report.outcome, report.detail.as_str()),
        (Outcome::FailedRetryable, "submit: could not connect")
    );
}

#[tokio::test]
async fn a_processor_slower_than_the_timeout_is_transient() {
    let slow = Router::new().route(
        "/v1/customers/{id}",
        delete(|| async {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            "late"
        }),
    );
    let base = serve(slow).await;
    let built = build(&config(&base, "timeout_secs = 1"), &[], &[]);

    let report = built.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        (report.outcome, report.detail.as_str()),
        (Outcome::FailedRetryable, "submit: timed out")
    );
}
