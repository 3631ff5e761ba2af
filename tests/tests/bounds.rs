//! Bounded, validated input as a client sees it: limits named, errors short, pages under
//! the client's message limit, jurisdictions checked, unsafe identifiers refused at submit.

use erasure_proto::v1 as pb;
use erasure_tests::*;
use tonic::Code;

fn customer(id: &str) -> Option<pb::Identifiers> {
    Some(pb::Identifiers {
        customer_id: vec![id.into()],
        ..Default::default()
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_field_past_its_limit_is_refused_naming_it_without_echoing_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let server = Server::start(&tmp.path().join("data"), &[]);
    let mut client = server.client().await;
    let e = client
        .submit(pb::SubmitRequest {
            identifiers: customer("C-1001"),
            channel: "x".repeat(3_000_000),
            ..Default::default()
        })
        .await
        .expect_err("refused");
    assert_eq!(e.code(), Code::InvalidArgument);
    assert_eq!(e.message(), "channel: at most 64 characters");
    for (request, field) in [
        (
            pb::SubmitRequest {
                identifiers: customer("C-1001"),
                verified_by: "v".repeat(201),
                ..Default::default()
            },
            "verified_by: at most 200",
        ),
        (
            pb::SubmitRequest {
                identifiers: Some(pb::Identifiers {
                    email: vec![format!("{}@example.com", "a".repeat(300))],
                    ..Default::default()
                }),
                ..Default::default()
            },
            "identifiers.email: at most 254",
        ),
        (
            pb::SubmitRequest {
                identifiers: Some(pb::Identifiers {
                    customer_id: vec![String::new(); 1000],
                    ..Default::default()
                }),
                ..Default::default()
            },
            "identifiers.customer_id: at most 32 values",
        ),
        (
            pb::SubmitRequest {
                identifiers: customer("C-1001"),
                scope: vec!["crm".into(); 1000],
                ..Default::default()
            },
            "scope: at most 256 entries",
        ),
    ] {
        let e = client.submit(request).await.expect_err(field);
        assert_eq!(e.code(), Code::InvalidArgument, "{field}");
        assert!(e.message().starts_with(field), "{}", e.message());
    }
    let e = client
        .extend(pb::ExtendRequest {
            request_id: "r".repeat(10_000),
            months: 1,
            reason: "busy".into(),
        })
        .await
        .expect_err("refused");
    assert_eq!(e.message(), "request_id: at most 100 characters");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_from_on_get_report_gives_a_short_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let server = Server::start(&tmp.path().join("data"), &[]);
    let mut client = server.client().await;
    for from in ["2026-13-45".to_owned(), "9".repeat(20_000)] {
        let e = client
            .get_report(pb::GetReportRequest {
                from: from.clone(),
                to: "2026-12-31".into(),
            })
            .await
            .expect_err("refused");
        assert_eq!(e.code(), Code::InvalidArgument);
        assert!(e.message().starts_with("from: "), "{}", e.message());
        assert!(!e.message().contains(&from), "the value is not echoed");
        assert!(e.message().len() < 80, "{}", e.message());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn list_works_after_records_at_every_limit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let server = Server::start(&tmp.path().join("data"), &[]);
    let mut client = server.client().await;
    for i in 0..30 {
        client
            .submit(pb::SubmitRequest {
                identifiers: customer(&format!("C-{i:0>60}")),
                channel: "c".repeat(64),
                verified_by: "é".repeat(200),
                idempotency_key: format!("{i:k>200}"),
                ..Default::default()
            })
            .await
            .expect("allowed");
    }
    let (mut seen, mut token) = (0, String::new());
    loop {
        let page = client
            .list(pb::ListRequest {
                page_size: 500,
                page_token: token,
                ..Default::default()
            })
            .await
            .expect("a page under the client's limit")
            .into_inner();
        seen += page.requests.len();
        assert!(page.requests.iter().all(|r| r.channel == "c".repeat(64)));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen, 30);
    let e = client
        .list(pb::ListRequest {
            page_token: "t".repeat(5000),
            ..Default::default()
        })
        .await
        .expect_err("refused");
    assert_eq!(e.message(), "page_token: at most 200 characters");
    client
        .list_tasks(pb::ListTasksRequest::default())
        .await
        .expect("tasks");
}

#[tokio::test(flavor = "multi_thread")]
async fn jurisdictions_are_checked_and_one_without_rules_for_held_data_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    // The built-in configuration: default_jurisdiction = "FI"; billing holds vouchers.
    let server = Server::start(&tmp.path().join("data"), &[]);
    let mut client = server.client().await;
    let submit = |jurisdiction: &str| pb::SubmitRequest {
        identifiers: customer("C-1001"),
        jurisdiction: jurisdiction.into(),
        ..Default::default()
    };
    for ok in ["", "FI", "fi", "DE"] {
        client.submit(submit(ok)).await.expect(ok);
    }
    for (bad, code) in [("XX", Code::InvalidArgument), ("UK", Code::InvalidArgument)] {
        let e = client.submit(submit(bad)).await.expect_err(bad);
        assert_eq!(e.code(), code, "{bad}");
        assert!(
            e.message().contains("ISO 3166-1 alpha-2"),
            "{}",
            e.message()
        );
    }
    let e = client.submit(submit("SE")).await.expect_err("SE");
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(
        e.message().contains("accounting-voucher") && e.message().contains("no_retention"),
        "{}",
        e.message()
    );
    // Out of the billing system's reach, nothing the law keeps is at stake.
    client
        .submit(pb::SubmitRequest {
            scope: vec!["crm".into()],
            ..submit("SE")
        })
        .await
        .expect("SE without held data");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_deployment_default_the_request_must_name_its_jurisdiction() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = tmp.path().join("erasure.toml");
    let example = include_str!("../../deploy/examples/embedded.toml");
    let without: String = example
        .lines()
        .filter(|l| !l.starts_with("default_jurisdiction"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(without, example);
    std::fs::write(&config, without).expect("config");
    let config = config.to_str().expect("utf-8");
    let server = Server::start(&tmp.path().join("data"), &["--config", config]);
    let out = server.cli(&["submit", "--customer-id", "C-1001"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("jurisdiction: required"),
        "{}",
        stderr(&out)
    );
    let out = server.cli(&["submit", "--customer-id", "C-1001", "--jurisdiction", "FI"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_identifier_a_system_cannot_use_as_a_path_segment_is_refused_at_submit() {
    let tmp = tempfile::tempdir().expect("tmp");
    // The built-in cameras system files objects under customers/{customer_id}/.
    let server = Server::start(&tmp.path().join("data"), &[]);
    let mut client = server.client().await;
    let e = client
        .submit(pb::SubmitRequest {
            identifiers: customer(".."),
            ..Default::default()
        })
        .await
        .expect_err("refused");
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(
        e.message().contains("customer_id") && e.message().contains("system cameras"),
        "{}",
        e.message()
    );
    let list = client
        .list(pb::ListRequest::default())
        .await
        .expect("list")
        .into_inner();
    assert!(list.requests.is_empty(), "nothing was recorded");
    // Not in scope: the other systems can use it.
    client
        .submit(pb::SubmitRequest {
            identifiers: customer(".."),
            scope: vec!["crm".into()],
            ..Default::default()
        })
        .await
        .expect("crm files by column, not path");
}
