//! Kill the embedded server with SIGKILL while requests are in flight, start it again:
//! every request completes, and none gets two certificates.

use erasure_proto::v1 as pb;
use erasure_tests::*;
use std::path::Path;
use std::time::Duration;

const REQUESTS: usize = 120;

/// The example configuration with every system paced, so work is still in flight
/// when the process is killed.
fn paced_config(dir: &Path) -> std::path::PathBuf {
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/examples/embedded.toml"),
    )
    .expect("example config");
    let paced = example.replace(
        "\n[systems.connector]\n",
        "\nmax_per_second = 40.0\n\n[systems.connector]\n",
    );
    assert_eq!(paced.matches("max_per_second").count(), 5);
    let path = dir.join("paced.toml");
    std::fs::write(&path, paced).expect("write config");
    path
}

fn certificates_per_request(events: &Path) -> Vec<(String, i64)> {
    let db = rusqlite::Connection::open(events).expect("open event store");
    let mut stmt = db
        .prepare(
            "SELECT stream_id, sum(type = 'CertificateIssued') FROM events
             WHERE stream_id IN (SELECT stream_id FROM events WHERE type = 'RequestReceived')
             GROUP BY stream_id",
        )
        .expect("query");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_mid_run_loses_nothing_and_issues_one_certificate_each() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = paced_config(tmp.path());
    let data = tmp.path().join("data");
    let mut server = Server::start(
        &data,
        &[
            "--config",
            config.to_str().expect("utf-8"),
            "--with-example-data",
        ],
    );

    let client = server.client().await;
    let submits = (0..REQUESTS).map(|i| {
        let mut client = client.clone();
        async move {
            let customer = format!("C-{}", 1001 + (i % 4));
            client
                .submit(pb::SubmitRequest {
                    idempotency_key: format!("crash-{i}"),
                    identifiers: Some(pb::Identifiers {
                        customer_id: vec![customer],
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .await
                .expect("submit")
                .into_inner()
                .request_id
        }
    });
    let ids = futures::future::join_all(submits).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill9();

    let at_kill = certificates_per_request(&data.join("events.sqlite"));
    assert_eq!(
        at_kill.len(),
        REQUESTS,
        "every accepted submit was recorded before the kill"
    );
    let unfinished = at_kill.iter().filter(|(_, certs)| *certs == 0).count();
    assert!(
        unfinished > 0,
        "the kill must land mid-run; all {REQUESTS} had finished"
    );

    server.restart();
    let mut client = server.client().await;
    let done = eventually(Duration::from_secs(120), || {
        let mut client = client.clone();
        async move {
            let page = client
                .list(pb::ListRequest {
                    status: pb::RequestStatus::Completed as i32,
                    page_size: 500,
                    page_token: String::new(),
                    ..Default::default()
                })
                .await
                .ok()?
                .into_inner();
            let certified = page
                .requests
                .iter()
                .filter(|r| r.certificate_available)
                .count();
            (certified == REQUESTS).then_some(certified)
        }
    })
    .await;
    assert_eq!(
        done,
        Some(REQUESTS),
        "not every request completed after the restart:\n{}",
        server.log_text()
    );

    for (stream, certs) in certificates_per_request(&data.join("events.sqlite")) {
        assert_eq!(certs, 1, "request {stream} has {certs} certificates");
    }
    for id in ids.iter().take(5) {
        let r = client
            .get(pb::GetRequest {
                request_id: id.clone(),
            })
            .await
            .expect("get")
            .into_inner();
        assert_eq!(
            r.rejected_acknowledgments, 0,
            "duplicates after the restart are not rejections"
        );
    }
}
