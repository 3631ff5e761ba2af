//! The connector conformance kit against a camera archive in S3 (the server named by
//! `ERASURE_TEST_S3_ENDPOINT`): in an unversioned bucket, and in a versioned one where
//! each object is written twice (two versions) and what remains counts every version and
//! delete marker.

mod support;

use async_trait::async_trait;
use erasure_connector_object_store::ObjectStoreConnector;
use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::KitSubject;
use erasure_core::{IdentifierKind, Identifiers};
use std::sync::Arc;
use support::s3::TestBucket;
use tempfile::TempDir;

const KEYS: [&str; 2] = ["customers/{customer_id}/", "by-email/{email}/"];

struct BucketCameras {
    _dir: TempDir,
    bucket: TestBucket,
    connector: Arc<ObjectStoreConnector>,
    versions: usize,
}

async fn cameras(versioned: bool) -> BucketCameras {
    let dir = tempfile::tempdir().expect("tempdir");
    let bucket = TestBucket::create(versioned).await;
    let connector = Arc::new(bucket.connector(&dir, &KEYS));
    BucketCameras {
        _dir: dir,
        bucket,
        connector,
        versions: if versioned { 2 } else { 1 },
    }
}

async fn unversioned() -> BucketCameras {
    cameras(false).await
}

async fn versioned() -> BucketCameras {
    cameras(true).await
}

/// The person's prefixes, one per value of each identifier.
fn prefixes(person: &Identifiers) -> Vec<String> {
    let customers = person
        .values(IdentifierKind::CustomerId)
        .map(|c| format!("customers/{c}/"));
    let emails = person
        .values(IdentifierKind::Email)
        .map(|e| format!("by-email/{e}/"));
    customers.chain(emails).collect()
}

#[async_trait]
impl KitSubject for BucketCameras {
    fn connector(&self) -> Arc<dyn Connector> {
        self.connector.clone()
    }

    async fn seed(&self, person: &Identifiers) {
        let [customers, by_email] = <[String; 2]>::try_from(prefixes(person))
            .expect("kit people have one value of each identifier");
        for _ in 0..self.versions {
            for name in ["cam1-0001.jpg", "cam1-0002.jpg", "clips/2025-01-01.mp4"] {
                self.bucket
                    .put(&format!("{customers}{name}"), b"\xff\xd8 frame")
                    .await;
            }
            self.bucket
                .put(&format!("{by_email}upload.png"), b"\x89PNG")
                .await;
        }
    }

    async fn remaining(&self, person: &Identifiers) -> u64 {
        let mut left = 0;
        for prefix in prefixes(person) {
            left += self.bucket.count(&prefix).await;
        }
        left
    }
}

erasure_connector_sdk::connector_conformance!(unversioned_bucket, unversioned);
erasure_connector_sdk::connector_conformance!(versioned_bucket, versioned);
