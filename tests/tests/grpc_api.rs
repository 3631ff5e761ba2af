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
async fn list_finds_a_persons_requests_by_identifier_and_narrows_to_a_system() {
    let tmp = tempfile::tempdir().expect("tmp");
    let server = Server::start(&tmp.path().join("data"), &[]);
    let mut client = server.client().await;
    let aino = pb::Identifiers {
        email: vec!["aino.virtanen@example.com".into()],
        phone: vec!["+358 40 123 4567".into()],
        ..Default::default()
    };
    let mikko = pb::Identifiers {
        email: vec!["mikko.korhonen@example.com".into()],
        ..Default::default()
    };
    let first = submit(&mut client, aino.clone(), &[]).await;
    let second = submit(&mut client, aino, &["crm"]).await;
    let other = submit(&mut client, mikko, &[]).await;
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    // Normalised as a submit is: another case, a national-format phone number.
    let by_email = pb::ListRequest {
        identifiers: Some(pb::Identifiers {
            email: vec!["Aino.Virtanen@EXAMPLE.com".into()],
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        ids(&mut client, by_email.clone()).await,
        sorted(vec![first.clone(), second.clone()])
    );
    let by_phone = pb::ListRequest {
        identifiers: Some(pb::Identifiers {
            phone: vec!["040 123 4567".into()],
            ..Default::default()
        }),
        jurisdiction: "FI".into(),
        ..Default::default()
    };
    assert_eq!(
        ids(&mut client, by_phone).await,
        sorted(vec![first.clone(), second.clone()])
    );
    // The second request's scope was the CRM only.
    let with_cameras = pb::ListRequest {
        system_id: "cameras".into(),
        ..by_email
    };
    assert_eq!(ids(&mut client, with_cameras).await, vec![first.clone()]);
    let all_with_cameras = pb::ListRequest {
        system_id: "cameras".into(),
        page_size: 1,
        ..Default::default()
    };
    let page = client
        .list(all_with_cameras)
        .await
        .expect("list")
        .into_inner();
    assert_eq!(page.requests.len(), 1, "a page of one");
    assert_eq!(page.requests[0].request_id, other, "newest first");
    assert!(
        !page.next_page_token.is_empty(),
        "the first request remains"
    );
    let nobody = pb::ListRequest {
        identifiers: Some(pb::Identifiers {
            email: vec!["nobody@example.com".into()],
            ..Default::default()
        }),
        ..Default::default()
    };
    assert!(ids(&mut client, nobody).await.is_empty());
    let malformed = pb::ListRequest {
        identifiers: Some(pb::Identifiers {
            email: vec!["aino-at-example".into()],
            ..Default::default()
        }),
        ..Default::default()
    };
    let refused = client.list(malformed).await.expect_err("refused");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    assert!(!refused.message().contains("aino"), "{}", refused.message());
    assert!(
        !server.log_text().contains("aino.virtanen"),
        "a searched identifier reached the log"
    );
}

type Client = pb::erasure_service_client::ErasureServiceClient<tonic::transport::Channel>;

async fn submit(client: &mut Client, ids: pb::Identifiers, scope: &[&str]) -> String {
    let request = pb::SubmitRequest {
        identifiers: Some(ids),
        scope: scope.iter().map(|s| (*s).to_owned()).collect(),
        ..Default::default()
    };
    client
        .submit(request)
        .await
        .expect("submit")
        .into_inner()
        .request_id
}

/// The ids a list returns, sorted.
async fn ids(client: &mut Client, list: pb::ListRequest) -> Vec<String> {
    let page = client.list(list).await.expect("list").into_inner();
    let mut ids: Vec<String> = page.requests.into_iter().map(|r| r.request_id).collect();
    ids.sort();
    ids
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
