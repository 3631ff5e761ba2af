//! A bucket of a test's own on the S3-compatible server the test script started
//! (`ERASURE_TEST_S3_ENDPOINT`), and what is in it, read with plain S3 requests (rusty-s3
//! signs, reqwest sends), never through the connector.

use rusty_s3::{Bucket as S3Bucket, Credentials, Method, UrlStyle};
use std::time::Duration;

/// The example's credentials (the test server accepts any).
pub const ACCESS_KEY: &str = "erasure-example";
pub const SECRET: &str = "erasure-example-secret";

/// The S3 server of this test run. Fails, never skips, without one.
pub fn endpoint() -> String {
    std::env::var("ERASURE_TEST_S3_ENDPOINT").unwrap_or_else(|_| {
        panic!("ERASURE_TEST_S3_ENDPOINT is not set: distributed tests need an S3 server (scripts/test starts one with scripts/start-s3)")
    })
}

/// The AWS environment of a process that writes to the example bucket.
pub fn credentials() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", SECRET.to_owned()),
    ]
}

/// A bucket name no other test uses.
#[derive(Debug, Clone)]
pub struct Bucket {
    pub name: String,
    pub endpoint: String,
}

impl Bucket {
    pub fn unique() -> Self {
        Self {
            name: format!("cameras-{}", uuid::Uuid::new_v4().simple()),
            endpoint: endpoint(),
        }
    }

    /// Object versions and delete markers whose keys start with `prefix`.
    pub async fn versions(&self, prefix: &str) -> usize {
        let url = self.endpoint.parse().expect("endpoint URL");
        let bucket =
            S3Bucket::new(url, UrlStyle::Path, self.name.clone(), "us-east-1").expect("bucket");
        let credentials = Credentials::new(ACCESS_KEY, SECRET);
        let query = [("max-keys", "1000"), ("prefix", prefix), ("versions", "")];
        let url = rusty_s3::signing::sign(
            &jiff::Timestamp::now(),
            Method::Get,
            bucket.base_url().clone(),
            credentials.key(),
            credentials.secret(),
            None,
            bucket.region(),
            Duration::from_secs(300).as_secs(),
            query.into_iter(),
            std::iter::empty::<(&str, &str)>(),
        );
        let body = reqwest::get(url)
            .await
            .expect("list versions")
            .text()
            .await
            .expect("body");
        assert!(body.contains("<IsTruncated>false</IsTruncated>"), "{body}");
        body.matches("<Version>").count() + body.matches("<DeleteMarker>").count()
    }
}
