//! A processor with an asynchronous HTTP API, behind a real `erasure serve`: the connector
//! submits once, answers "accepted" while the processor's job runs, the coordinator asks
//! again at the follow-up time without spending the retry budget, and the final answer
//! completes the request. The certificate lists the processor as a recipient told through
//! its API, with its job id as reference. The processor is a local HTTP server that
//! behaves like one (its job finishes after several status reads).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use erasure_tests::*;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

const EXAMPLE: &str = include_str!("../../deploy/examples/embedded.toml");

/// Status reads before the job completes.
const READS_UNTIL_DONE: u32 = 12;

#[derive(Default)]
struct Analytics {
    submissions: AtomicU32,
    reads: AtomicU32,
}

async fn submit(State(a): State<Arc<Analytics>>) -> (StatusCode, String) {
    a.submissions.fetch_add(1, Ordering::SeqCst);
    (StatusCode::ACCEPTED, r#"{"job":{"id":"job-17"}}"#.into())
}

async fn status(State(a): State<Arc<Analytics>>) -> (StatusCode, String) {
    let reads = a.reads.fetch_add(1, Ordering::SeqCst) + 1;
    let body = if reads >= READS_UNTIL_DONE {
        r#"{"job":{"state":"completed","deleted":3}}"#
    } else {
        r#"{"job":{"state":"running"}}"#
    };
    (StatusCode::OK, body.into())
}

/// The processor on loopback; its address.
async fn start_analytics(a: Arc<Analytics>) -> String {
    let app = Router::new()
        .route("/v2/deletions", post(submit))
        .route("/v2/deletions/{id}", get(status))
        .with_state(a);
    erasure_tests::processor_stub::serve(app).await
}

fn analytics_system(base: &str) -> String {
    format!(
        r#"
[[systems]]
id = "analytics"
description = "Product analytics (processor)"
categories = ["usage-analytics"]
recipient = {{ name = "Analytiikka Oy", role = "processor" }}

[systems.connector]
kind = "processor"
state = "connectors/analytics-processor.sqlite"
allow_http = true
max_wait_secs = 1
poll_interval_ms = 200
poll_interval_max_secs = 1
follow_up_secs = 1
follow_up_max_secs = 1

[systems.connector.request]
method = "POST"
url = "{base}/v2/deletions"
body = {{ customer_ids = "{{customer_id[]}}", reference = "{{request_id}}" }}

[systems.connector.success]
status = [202]

[systems.connector.job]
id = "/job/id"
poll_url = "{base}/v2/deletions/{{job_id}}"
status = "/job/state"
done = ["completed"]
count = "/job/deleted"
"#
    )
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_asynchronous_processor_is_followed_up_until_it_is_done() {
    let analytics = Arc::new(Analytics::default());
    let base = start_analytics(Arc::clone(&analytics)).await;
    let tmp = tempfile::tempdir().expect("tmp");
    let config = tmp.path().join("with-analytics.toml");
    std::fs::write(&config, format!("{EXAMPLE}{}", analytics_system(&base))).expect("config");
    let data = tmp.path().join("data");
    let server = Server::start(&data, &["--config", path(&config), "--with-example-data"]);

    let id = ok(&server.cli(&["submit", "--customer-id", "C-1002"]));
    // While the job runs, the task is pending with a follow-up and the processor's reference.
    let pending = eventually(Duration::from_secs(60), || async {
        let text = stdout(&server.cli(&["status", &id]));
        text.contains("job-17").then_some(text)
    })
    .await
    .unwrap_or_else(|| panic!("never accepted:\n{}", server.log_text()));
    assert!(pending.contains("status       in-progress"), "{pending}");
    assert!(pending.contains("follow-up"), "{pending}");

    let done = wait_for_status(&server, &id, "certificate  available").await;
    assert!(done.contains("status       completed"), "{done}");
    assert_eq!(
        analytics.submissions.load(Ordering::SeqCst),
        1,
        "told once, followed up after"
    );
    assert!(analytics.reads.load(Ordering::SeqCst) >= READS_UNTIL_DONE);

    let cert = tmp.path().join("certificate.json");
    ok(&server.cli(&["certificate", &id, "-o", path(&cert)]));
    let c = json_file(&cert);
    let recipients = c["certificate"]["recipients"]
        .as_array()
        .expect("recipients");
    let analytics_notice = recipients
        .iter()
        .find(|r| r["system_id"] == "analytics")
        .unwrap_or_else(|| panic!("{c:#}"));
    assert_eq!(analytics_notice["name"], "Analytiikka Oy");
    assert_eq!(analytics_notice["via"], "api");
    assert_eq!(analytics_notice["reference"], "job-17");
    assert_eq!(analytics_notice["outcome"], "erased");
    ok(&cli(&[
        "verify",
        path(&cert),
        "--trust",
        path(&data.join("trust.json")),
    ]));
    // The request's history shows the coordinator asked again more than once, each time
    // without a time-out being recorded.
    let events = rusqlite::Connection::open(data.join("events.sqlite")).expect("events");
    let count_of = |t: &str| -> i64 {
        events
            .query_row(
                "SELECT count(*) FROM events WHERE stream_id = ?1 AND type = ?2",
                [id.as_str(), t],
                |r| r.get(0),
            )
            .expect("count")
    };
    assert!(count_of("FollowUpScheduled") >= 1, "accepted at least once");
    assert_eq!(count_of("TaskTimedOut"), 0);
}
