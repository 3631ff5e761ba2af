//! S3 answers the test server cannot be made to give, from a fake server on loopback that
//! answers as AWS documents: `AccessDenied` on listing versions (moto enforces no bucket
//! policy on signed requests, and its IAM checks are all or nothing for the whole server)
//! and on deleting a version, and a store that does not implement versions at all.

use erasure_connector_object_store::{Config, ObjectStoreConnector};
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{alice, assert_no_personal_data, job};
use erasure_core::events::Outcome;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ACCESS_DENIED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>"#;

const ONE_VERSION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>cameras</Name><Prefix>customers/C-1001/</Prefix><IsTruncated>false</IsTruncated><Version><Key>customers/C-1001/a.jpg</Key><VersionId>3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY</VersionId><IsLatest>true</IsLatest><Size>1</Size></Version></ListVersionsResult>"#;

const DELETE_DENIED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Error><Key>customers/C-1001/a.jpg</Key><VersionId>3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY</VersionId><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>"#;

const NOT_IMPLEMENTED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NotImplemented</Code><Message>A header or query you provided implies functionality that is not implemented.</Message></Error>"#;

const ONE_OBJECT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>cameras</Name><Prefix>customers/C-1001/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>customers/C-1001/a.jpg</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"0cc175b9c0f1b6a831c399e269772661"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>"#;

const NO_OBJECT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>cameras</Name><Prefix>customers/C-1001/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>"#;

type Answer = (u16, &'static str);

/// A server on loopback giving `answer(request line)` to every request; its URL.
async fn fake_s3(answer: impl Fn(&str) -> Answer + Send + Sync + 'static) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let request = read_request(&mut socket).await;
                let (status, body) = answer(request.lines().next().unwrap_or_default());
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(format!("{head}{body}").as_bytes()).await;
            });
        }
    });
    url
}

/// The request's head and body, as text.
async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                return String::from_utf8_lossy(&bytes).into_owned();
            }
        }
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&bytes).into_owned(),
            Ok(n) => bytes.extend_from_slice(&buffer[..n]),
        }
    }
}

fn connector(endpoint: &str, dir: &tempfile::TempDir) -> ObjectStoreConnector {
    std::fs::write(dir.path().join("s3.key"), "secret").expect("secret");
    let config = format!(
        "keys = [\"customers/{{customer_id}}/\"]\n[s3]\nbucket = \"cameras\"\n\
         endpoint = \"{endpoint}\"\nallow_http = true\naccess_key_id = \"k\"\n\
         secret_access_key_file = \"s3.key\"\n"
    );
    let config: Config = toml::from_str(&config).expect("config");
    ObjectStoreConnector::new(config, dir.path()).expect("valid")
}

#[tokio::test]
async fn listing_versions_denied_is_permanent_and_names_the_permission() {
    let endpoint = fake_s3(|_| (403, ACCESS_DENIED)).await;
    let dir = tempfile::tempdir().expect("tempdir");

    let report = connector(&endpoint, &dir)
        .erase(&job(&alice(), "r1", 1))
        .await;

    assert_eq!(
        report.outcome,
        Outcome::FailedPermanent,
        "{}",
        report.detail
    );
    assert!(
        report.detail.starts_with(
            "key template customers/{customer_id}/: listing versions failed: access denied: the connector's credentials need the s3:ListBucketVersions permission"
        ),
        "{}",
        report.detail
    );
    assert_no_personal_data(&report, &alice());
}

#[tokio::test]
async fn deleting_a_version_denied_is_permanent_and_names_no_key() {
    let endpoint = fake_s3(|line| match line.split(' ').next() {
        Some("POST") => (200, DELETE_DENIED),
        _ => (200, ONE_VERSION),
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");

    let report = connector(&endpoint, &dir)
        .erase(&job(&alice(), "r1", 1))
        .await;

    assert_eq!(
        report.outcome,
        Outcome::FailedPermanent,
        "{}",
        report.detail
    );
    assert!(
        report
            .detail
            .contains("deleting versions failed: access denied")
            && report.detail.contains("s3:DeleteObjectVersion"),
        "{}",
        report.detail
    );
    assert_no_personal_data(&report, &alice());
}

#[tokio::test]
async fn a_store_without_versions_is_erased_as_plain_objects() {
    let deleted = Arc::new(AtomicBool::new(false));
    let seen = deleted.clone();
    let endpoint = fake_s3(move |line| {
        if line.starts_with("DELETE") {
            seen.store(true, Ordering::SeqCst);
            (204, "")
        } else if line.contains("versions") {
            (501, NOT_IMPLEMENTED)
        } else if seen.load(Ordering::SeqCst) {
            (200, NO_OBJECT)
        } else {
            (200, ONE_OBJECT)
        }
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");

    let report = connector(&endpoint, &dir)
        .erase(&job(&alice(), "r1", 1))
        .await;

    assert!(
        deleted.load(Ordering::SeqCst),
        "not deleted: {}",
        report.detail
    );
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 1)
    );
    assert_eq!(
        report.evidence_summary,
        "customers/{customer_id}/: 1 deleted; 0 remain"
    );
}
