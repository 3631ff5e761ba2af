//! Faults the distributed mode survives, with real processes: a coordinator killed with
//! SIGKILL mid-run, a broker stopped for 30 s, a connector down for the whole run, and
//! duplicate deliveries of work orders and acknowledgments.

use erasure_proto::v1 as pb;
use erasure_tests::distributed::*;
use erasure_tests::*;
use std::collections::HashMap;
use std::time::Duration;

async fn submit_many(server: &Server, prefix: &str, n: usize) -> Vec<String> {
    let client = server.client().await;
    let submits = (0..n).map(|i| {
        let mut client = client.clone();
        let key = format!("{prefix}-{i}");
        async move {
            let ids = pb::Identifiers {
                customer_id: vec![format!("C-{}", 1001 + i % 4)],
                ..Default::default()
            };
            let request = pb::SubmitRequest {
                idempotency_key: key,
                identifiers: Some(ids),
                ..Default::default()
            };
            client
                .submit(request)
                .await
                .expect("submit")
                .into_inner()
                .request_id
        }
    });
    futures::future::join_all(submits).await
}

/// Waits until every request has exactly... at least one certificate; returns the counts.
async fn wait_certified(d: &Distributed, n: usize, timeout: Duration) -> Vec<(String, i64)> {
    let url = d.database.clone();
    let done = eventually(timeout, || {
        let url = url.clone();
        async move {
            let certs = certificates_per_request(&url).await;
            (certs.len() == n && certs.iter().all(|(_, c)| *c >= 1)).then_some(certs)
        }
    })
    .await;
    done.unwrap_or_else(|| {
        panic!(
            "not every request was certified within {timeout:?}:\n{}",
            d.logs()
        )
    })
}

fn assert_one_certificate_each(certs: &[(String, i64)]) {
    for (stream, c) in certs {
        assert_eq!(*c, 1, "request {stream} has {c} certificates");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_of_the_coordinator_with_200_in_flight() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut d = Distributed::prepare(tmp.path()).await;
    d.start_all();
    submit_many(d.server(), "kill", 200).await;
    d.coordinator.as_mut().expect("coordinator").kill9();

    let at_kill = certificates_per_request(&d.database).await;
    assert_eq!(at_kill.len(), 200, "every accepted submit was recorded");
    assert!(
        at_kill.iter().any(|(_, c)| *c == 0),
        "the kill must land mid-run"
    );

    d.coordinator.as_mut().expect("coordinator").restart();
    let certs = wait_certified(&d, 200, Duration::from_secs(240)).await;
    assert_one_certificate_each(&certs);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_broker_stopped_for_30_seconds_loses_and_doubles_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut d = Distributed::prepare(tmp.path()).await;
    d.start_all();
    submit_many(d.server(), "before", 40).await;
    d.broker.stop();
    // Submits keep working while the broker is away: they only need the event store.
    submit_many(d.server(), "during", 20).await;
    tokio::time::sleep(Duration::from_secs(30)).await;
    d.broker.start_again();
    let certs = wait_certified(&d, 60, Duration::from_secs(240)).await;
    assert_one_certificate_each(&certs);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connector_down_for_the_whole_run_keeps_requests_open_until_it_returns() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut d = Distributed::prepare(tmp.path()).await;
    d.start_coordinator();
    for system in SYSTEMS.into_iter().filter(|s| *s != "uploads") {
        d.start_connector(system);
    }
    let ids = submit_many(d.server(), "down", 10).await;
    let mut client = d.server().client().await;
    // The four live systems answer; uploads stays pending and the requests stay open.
    let answered = eventually(Duration::from_secs(120), || {
        let (mut client, ids) = (client.clone(), ids.clone());
        async move {
            for id in ids {
                let r = client
                    .get(pb::GetRequest { request_id: id })
                    .await
                    .ok()?
                    .into_inner();
                let pending: Vec<_> = r
                    .tasks
                    .iter()
                    .filter(|t| t.state == pb::TaskState::Pending as i32)
                    .map(|t| t.system_id.as_str())
                    .collect();
                if pending != ["uploads"] {
                    return None;
                }
            }
            Some(())
        }
    })
    .await;
    assert!(
        answered.is_some(),
        "the live connectors did not answer:\n{}",
        d.logs()
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    for id in &ids {
        let r = client
            .get(pb::GetRequest {
                request_id: id.clone(),
            })
            .await
            .expect("get")
            .into_inner();
        assert_eq!(
            r.status,
            pb::RequestStatus::InProgress as i32,
            "neither completed nor failed while uploads is down"
        );
    }
    d.start_connector("uploads");
    let certs = wait_certified(&d, 10, Duration::from_secs(120)).await;
    assert_one_certificate_each(&certs);
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicate_work_orders_and_acknowledgments_change_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut d = Distributed::prepare(tmp.path()).await;
    d.start_all();
    let ids = submit_many(d.server(), "dup", 5).await;
    wait_certified(&d, 5, Duration::from_secs(120)).await;
    // The transparency log appends each certificate's leaf after the certificate is
    // issued: take the count once all five leaves are in, or a late leaf looks like a
    // duplicate's doing.
    let database = &d.database;
    let before = eventually(Duration::from_secs(30), || async move {
        let counts = events_per_stream(database).await;
        (counts.get("transparency-log") == Some(&5)).then_some(counts)
    })
    .await
    .expect("the five certificates reach the transparency log");

    // Read back every work order and acknowledgment as sent, and send each again.
    // Five requests, five systems: 25 work orders and 25 acknowledgments at least.
    let replayed = replay_topics(&d.broker.addr, 50).await;
    assert!(replayed >= 50, "only {replayed} messages replayed");
    tokio::time::sleep(Duration::from_secs(10)).await;

    assert_eq!(
        events_per_stream(&d.database).await,
        before,
        "duplicates appended events:\n{}",
        d.logs()
    );
    let mut client = d.server().client().await;
    for id in ids {
        let r = client
            .get(pb::GetRequest { request_id: id })
            .await
            .expect("get")
            .into_inner();
        assert_eq!(
            r.rejected_acknowledgments, 0,
            "a duplicate is not a forgery"
        );
    }
}

async fn events_per_stream(url: &str) -> HashMap<String, i64> {
    let client = pg(url).await;
    let rows = client
        .query(
            "SELECT stream_id, count(*) FROM events GROUP BY stream_id",
            &[],
        )
        .await
        .expect("query");
    rows.iter().map(|r| (r.get(0), r.get(1))).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_coordinators_share_the_work_and_issue_one_certificate_each() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut d = Distributed::prepare(tmp.path()).await;
    d.start_all();
    let second = d.start_second_coordinator();
    let (a, b) = tokio::join!(
        submit_many(d.server(), "a", 60),
        submit_many(&second, "b", 60)
    );
    assert_eq!(a.len() + b.len(), 120);
    let certs = wait_certified(&d, 120, Duration::from_secs(240)).await;
    assert_one_certificate_each(&certs);
    // Both ingested acknowledgments: the consumer group split the partitions between them.
    for (name, log) in [
        ("first", d.server().log_text()),
        ("second", second.log_text()),
    ] {
        assert!(
            log.contains("certificate issued"),
            "the {name} coordinator completed nothing:\n{log}"
        );
    }
}
