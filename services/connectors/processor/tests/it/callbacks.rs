//! Callbacks: the processor's signed callback reaches the connector's listener, which
//! wakes the task, and the runner publishes its final answer at once; a forged callback
//! is refused and changes nothing.

use crate::support::jobs::Jobs;
use crate::support::{Built, build, free_port};
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::runner_cases::Bench;
use erasure_connector_sdk::kit::{alice, job};
use erasure_core::events::Outcome;
use erasure_proto::v1 as proto;
use std::sync::Arc;

pub const KEY: &str = "callb4ck-key";

/// A job API followed by callbacks only.
pub async fn called_back() -> (Arc<Jobs>, Built, u16) {
    let api = Jobs::new(0);
    api.data.hold(["alice@example.com"]);
    let base = api.start().await;
    let port = free_port();
    let config = format!(
        r#"state = "state.sqlite"
        allow_http = true
        max_wait_secs = 0
        [request]
        method = "POST"
        url = "{base}/v1/erasures"
        body = {{ email = "{{email}}", callback = "{{callback_url}}" }}
        [job]
        id = "/job/id"
        status = "/state"
        done = ["done"]
        count = "/deleted"
        [callback]
        listen = "127.0.0.1:{port}"
        public_url = "http://127.0.0.1:{port}/hooks/payments"
        signature = {{ header = "X-Callback-Signature", secret = {{ env = "CALLBACK_KEY" }} }}"#
    );
    let built = build(&config, &[], &[("CALLBACK_KEY", KEY)]);
    (api, built, port)
}

#[tokio::test]
async fn a_signed_callback_wakes_the_task_and_its_final_answer_is_published() {
    let (api, built, port) = called_back().await;
    let bench = Bench::start(built.connector.clone()).await;
    bench.deliver(&alice(), "req-1", 1).await;
    let accepted = &bench.acks(1).await[0];
    assert_eq!(accepted.outcome, proto::Outcome::Accepted as i32);
    assert_eq!(accepted.reference, "job-1");
    let callback = api.job("job-1").callback.expect("a callback URL");
    let prefix = format!("http://127.0.0.1:{port}/hooks/payments/");
    assert!(
        callback.starts_with(&prefix) && callback.ends_with("/0"),
        "{callback}"
    );

    let status = api.call_back("job-1", KEY, false).await;

    assert_eq!(status, 202);
    let acks = bench.acks(2).await;
    let done = &acks[1];
    assert_eq!(
        done.outcome,
        proto::Outcome::Erased as i32,
        "{}",
        done.detail
    );
    assert_eq!((done.attempt, done.reference.as_str()), (1, "job-1"));
    assert!(!api.data.holds("alice@example.com"));
    assert_eq!(api.log.count("POST", "/v1/erasures"), 1);
}

#[tokio::test]
async fn a_forged_callback_is_refused_and_changes_nothing() {
    let (api, built, port) = called_back().await;
    let _bench = Bench::start(built.connector.clone()).await;
    let first = built.connector.erase(&job(&alice(), "req-1", 1)).await;
    assert_eq!(first.outcome, Outcome::Accepted, "{}", first.detail);

    let forged = api.call_back("job-1", KEY, true).await;
    let unknown = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{port}/hooks/payments/0123456789abcdef/0"
        ))
        .body("{}")
        .send()
        .await
        .expect("the listener answers");

    assert_eq!(forged, 403);
    assert_eq!(unknown.status().as_u16(), 404);
    let after = built.connector.erase(&job(&alice(), "req-1", 2)).await;
    assert_eq!(
        after.outcome,
        Outcome::Accepted,
        "a forged callback finished the job"
    );
    assert!(api.data.holds("alice@example.com"));
}
