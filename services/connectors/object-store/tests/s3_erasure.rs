//! The object-store connector on S3 (the server named by `ERASURE_TEST_S3_ENDPOINT`),
//! beyond the conformance kit: every version and delete marker of a versioned bucket,
//! prefix boundaries, several values of a kind, per-controller prefixes, and a store
//! that cannot be reached.

mod support;

use erasure_connector_object_store::{Config, ObjectStoreConnector};
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{alice, assert_no_personal_data, controller_job, job};
use erasure_core::events::Outcome;
use erasure_core::{IdentifierKind, Identifiers};
use support::s3::TestBucket;

fn customers(ids: &[&'static str]) -> Identifiers {
    Identifiers::unchecked(ids.iter().map(|id| (IdentifierKind::CustomerId, *id)))
}

#[tokio::test]
async fn every_version_and_delete_marker_under_the_prefix_is_removed() {
    let bucket = TestBucket::create(true).await;
    for bytes in [b"v1", b"v2", b"v3"] {
        bucket.put("customers/C-1/a.jpg", bytes).await;
    }
    bucket.put("customers/C-1/clips/b.mp4", b"clip").await;
    bucket.put("customers/C-1/gone.jpg", b"old").await;
    bucket.delete("customers/C-1/gone.jpg").await; // the data stays, as an older version
    for (key, bytes) in [
        ("customers/C-2/a.jpg", b"n1"),
        ("customers/C-2/a.jpg", b"n2"),
    ] {
        bucket.put(key, bytes).await; // a neighbour, with two versions
    }
    bucket.put("customers/C-10/a.jpg", b"x").await; // shares the prefix's text
    bucket.put("customers/C-1.jpg", b"x").await;
    assert_eq!(bucket.versions("customers/C-1/").await, (5, 1));

    let dir = tempfile::tempdir().expect("tempdir");
    let connector = bucket.connector(&dir, &["customers/{customer_id}/"]);
    let person = customers(&["C-1"]);
    let report = connector.erase(&job(&person, "req-1", 1)).await;

    assert_eq!(bucket.versions("customers/C-1/").await, (0, 0));
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 5)
    );
    assert_eq!(
        report.evidence_summary,
        "customers/{customer_id}/: 5 deleted, 1 delete markers removed; 0 remain"
    );
    assert_eq!(bucket.versions("customers/C-2/").await, (2, 0));
    assert_eq!(bucket.versions("customers/C-10/").await, (1, 0));
    assert_eq!(bucket.versions("customers/C-1.jpg").await, (1, 0));
    assert_no_personal_data(&report, &person);

    let again = connector.erase(&job(&person, "req-1", 2)).await;
    assert_eq!(again.outcome, Outcome::NothingFound);
}

#[tokio::test]
async fn a_bucket_prefix_is_kept_and_nothing_outside_it_is_touched() {
    let bucket = TestBucket::create(true).await;
    bucket.put("archive/customers/C-1/a.jpg", b"x").await;
    bucket.put("customers/C-1/a.jpg", b"x").await; // outside the configured prefix
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("s3.key"), "erasure-test-secret").expect("secret");
    let config = format!(
        "keys = [\"customers/{{customer_id}}/\"]\n[s3]\nbucket = \"{}\"\nendpoint = \"{}\"\n\
         prefix = \"archive/\"\nallow_http = true\naccess_key_id = \"erasure-test\"\n\
         secret_access_key_file = \"s3.key\"\n",
        bucket.name, bucket.endpoint
    );
    let config: Config = toml::from_str(&config).expect("config");
    let connector = ObjectStoreConnector::new(config, dir.path()).expect("valid");

    let report = connector
        .erase(&job(&customers(&["C-1"]), "req-1", 1))
        .await;

    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 1)
    );
    assert_eq!(bucket.count("archive/").await, 0);
    assert_eq!(bucket.count("customers/").await, 1);
}

#[tokio::test]
async fn every_value_of_a_kind_for_the_requests_controller_only() {
    let bucket = TestBucket::create(true).await;
    for client in ["acme", "globex"] {
        for id in ["C-1", "C-2"] {
            bucket
                .put(&format!("clients/{client}/customers/{id}/a.jpg"), b"x")
                .await;
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let connector = bucket.connector(&dir, &["clients/{controller}/customers/{customer_id}/"]);
    let person = customers(&["C-1", "C-2"]);

    let report = connector
        .erase(&controller_job(&person, "req-acme", "acme"))
        .await;

    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 2)
    );
    assert_eq!(bucket.count("clients/acme/").await, 0);
    assert_eq!(
        bucket.count("clients/globex/").await,
        2,
        "another controller's copies stay"
    );
    let without = connector.erase(&job(&person, "req-none", 1)).await;
    assert_eq!(without.outcome, Outcome::FailedPermanent);
    assert_eq!(bucket.count("clients/globex/").await, 2);
}

#[tokio::test]
async fn an_unreachable_store_is_retryable_and_names_no_path() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("s3.key"), "secret").expect("secret");
    let config = format!(
        "keys = [\"customers/{{customer_id}}/\"]\n[s3]\nbucket = \"cameras\"\n\
         endpoint = \"http://127.0.0.1:{port}\"\nallow_http = true\n\
         access_key_id = \"k\"\nsecret_access_key_file = \"s3.key\"\n"
    );
    let config: Config = toml::from_str(&config).expect("config");
    let connector =
        ObjectStoreConnector::new(config, dir.path()).expect("built without reaching it");

    let report = connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::FailedRetryable);
    assert_eq!(
        report.detail,
        "key template customers/{customer_id}/: listing versions failed: unreachable"
    );
    assert_no_personal_data(&report, &alice());
}
