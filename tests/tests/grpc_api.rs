//! The gRPC API as a program sees it: paging through List, health and reflection.

use erasure_proto::v1 as pb;
use erasure_tests::*;
use std::collections::HashSet;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

#[tokio::test(flavor = "multi_thread")]
async fn list_pages_newest_first_and_filters_by_status() {
    let tmp = tempfile::tempdir().expect("tmp");
    let server = Server::start(&tmp.path().join("data"), &[]);
    let mut client = server.client().await;
    let mut submitted = Vec::new();
    for i in 0..5 {
        let r = client
            .submit(pb::SubmitRequest {
                identifiers: Some(pb::Identifiers {
                    customer_id: vec![format!("C-9{i}")],
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await
            .expect("submit")
            .into_inner();
        submitted.push(r.request_id);
    }
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list(pb::ListRequest {
                status: 0,
                page_size: 2,
                page_token: token,
                ..Default::default()
            })
            .await
            .expect("list")
            .into_inner();
        assert!(page.requests.len() <= 2);
        seen.extend(page.requests.into_iter().map(|r| r.request_id));
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
    }
    submitted.reverse();
    assert_eq!(seen, submitted, "every request once, newest first");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 5);

    let failed = client
        .list(pb::ListRequest {
            status: pb::RequestStatus::Failed as i32,
            page_size: 10,
            page_token: String::new(),
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner();
    assert!(failed.requests.is_empty());
    let bad_token = client
        .list(pb::ListRequest {
            status: 0,
            page_size: 2,
            page_token: "garbage".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(
        bad_token.expect_err("invalid token").code(),
        tonic::Code::InvalidArgument
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn health_reports_serving() {
    let tmp = tempfile::tempdir().expect("tmp");
    let server = Server::start(&tmp.path().join("data"), &[]);
    let channel = tonic::transport::Channel::from_shared(server.addr.clone())
        .expect("address")
        .connect()
        .await
        .expect("connect");
    let mut health = HealthClient::new(channel);
    for service in ["", "erasure.v1.ErasureService"] {
        let r = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .expect("check")
            .into_inner();
        assert_eq!(r.status, ServingStatus::Serving as i32, "{service:?}");
    }
}
