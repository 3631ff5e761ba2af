//! A bucket of a test's own on the S3-compatible server the test script started
//! (`ERASURE_TEST_S3_ENDPOINT`), and what is in it, read with plain S3 requests (rusty-s3
//! signs, reqwest sends), never through the connector.

use reqwest::Url;
use rusty_s3::{Bucket as S3Bucket, Credentials, Method, S3Action, UrlStyle};
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

    fn s3(&self) -> S3Bucket {
        let url = self.endpoint.parse().expect("endpoint URL");
        S3Bucket::new(url, UrlStyle::Path, self.name.clone(), "us-east-1").expect("bucket")
    }

    /// A presigned URL of a bucket-level request with `query`.
    fn signed(&self, method: Method, query: &[(&str, &str)]) -> Url {
        let bucket = self.s3();
        let credentials = Credentials::new(ACCESS_KEY, SECRET);
        rusty_s3::signing::sign(
            &jiff::Timestamp::now(),
            method,
            bucket.base_url().clone(),
            credentials.key(),
            credentials.secret(),
            None,
            bucket.region(),
            EXPIRES.as_secs(),
            query.iter().copied(),
            std::iter::empty::<(&str, &str)>(),
        )
    }

    /// Object versions and delete markers whose keys start with `prefix`.
    pub async fn versions(&self, prefix: &str) -> usize {
        let query = [("max-keys", "1000"), ("prefix", prefix), ("versions", "")];
        let body = reqwest::get(self.signed(Method::Get, &query))
            .await
            .expect("list versions")
            .text()
            .await
            .expect("body");
        assert!(body.contains("<IsTruncated>false</IsTruncated>"), "{body}");
        body.matches("<Version>").count() + body.matches("<DeleteMarker>").count()
    }

    /// Creates the bucket with versioning on.
    pub async fn create(&self) {
        let credentials = Credentials::new(ACCESS_KEY, SECRET);
        let http = reqwest::Client::new();
        let url = self.s3().create_bucket(&credentials).sign(EXPIRES);
        let answer = http
            .put(url)
            .header("content-length", "0")
            .send()
            .await
            .expect("create bucket");
        assert!(answer.status().is_success(), "create bucket: {answer:?}");
        let versioning = r#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#;
        let url = self.signed(Method::Put, &[("versioning", "")]);
        let answer = http
            .put(url)
            .body(versioning)
            .send()
            .await
            .expect("versioning");
        assert!(answer.status().is_success(), "versioning: {answer:?}");
    }

    /// Writes one object.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) {
        let credentials = Credentials::new(ACCESS_KEY, SECRET);
        let url = self.s3().put_object(Some(&credentials), key).sign(EXPIRES);
        let answer = reqwest::Client::new()
            .put(url)
            .body(bytes)
            .send()
            .await
            .expect("put object");
        assert!(answer.status().is_success(), "put {key}: {answer:?}");
    }
}

const EXPIRES: Duration = Duration::from_secs(300);
