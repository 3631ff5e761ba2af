//! A bucket of its own per test on the S3-compatible server named by
//! `ERASURE_TEST_S3_ENDPOINT` (`scripts/start-s3`), seeded and counted with plain S3
//! requests (rusty-s3 signs, reqwest sends), never through the connector.

use erasure_connector_object_store::{Config, ObjectStoreConnector};
use rusty_s3::{Bucket, Credentials, Method, S3Action, UrlStyle};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tempfile::TempDir;

const EXPIRES: Duration = Duration::from_secs(300);

/// The test server's URL; fails (never skips) without one.
pub fn endpoint() -> String {
    std::env::var("ERASURE_TEST_S3_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "ERASURE_TEST_S3_ENDPOINT is not set: start an S3-compatible server with \
             `export ERASURE_TEST_S3_ENDPOINT=$(scripts/start-s3 /tmp/erasure-s3 | tail -n1)` \
             (scripts/test does this)"
        )
    })
}

/// A bucket name no other test uses, on this run or another.
fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("erasure-{}-{n}-{nanos}", std::process::id())
}

/// A fresh bucket, and direct access to it.
#[derive(Debug)]
pub struct TestBucket {
    pub name: String,
    pub endpoint: String,
    bucket: Bucket,
    credentials: Credentials,
    http: reqwest::Client,
}

impl TestBucket {
    /// Creates the bucket; `versioned` turns versioning on.
    pub async fn create(versioned: bool) -> Self {
        let endpoint = endpoint();
        let name = unique_name();
        let url = endpoint.parse().expect("ERASURE_TEST_S3_ENDPOINT is a URL");
        let bucket = Bucket::new(url, UrlStyle::Path, name.clone(), "us-east-1").expect("bucket");
        let this = Self {
            name,
            endpoint,
            bucket,
            credentials: Credentials::new("erasure-test", "erasure-test-secret"),
            http: reqwest::Client::new(),
        };
        let url = this.bucket.create_bucket(&this.credentials).sign(EXPIRES);
        let request = this.http.put(url).header("content-length", "0");
        this.send(request).await;
        if versioned {
            this.enable_versioning().await;
        }
        this
    }

    async fn enable_versioning(&self) {
        let body = r#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#;
        let url = self.sign(Method::Put, &[("versioning", "")]);
        self.send(self.http.put(url).body(body)).await;
    }

    /// Writes an object (in a versioned bucket: a new version).
    pub async fn put(&self, key: &str, bytes: &'static [u8]) {
        let url = self
            .bucket
            .put_object(Some(&self.credentials), key)
            .sign(EXPIRES);
        self.send(self.http.put(url).body(bytes)).await;
    }

    /// A plain delete: in a versioned bucket, a delete marker.
    pub async fn delete(&self, key: &str) {
        let action = self.bucket.delete_object(Some(&self.credentials), key);
        self.send(self.http.delete(action.sign(EXPIRES))).await;
    }

    /// (object versions, delete markers) whose keys start with `prefix` (up to 1,000: the
    /// test server's own pages are smaller).
    pub async fn versions(&self, prefix: &str) -> (u64, u64) {
        let query = [("max-keys", "1000"), ("prefix", prefix), ("versions", "")];
        let url = self.sign(Method::Get, &query);
        let body = self.send(self.http.get(url)).await;
        assert!(body.contains("<IsTruncated>false</IsTruncated>"), "{body}");
        let count = |tag: &str| body.matches(tag).count() as u64;
        (count("<Version>"), count("<DeleteMarker>"))
    }

    /// Versions and delete markers under `prefix`, together.
    pub async fn count(&self, prefix: &str) -> u64 {
        let (versions, markers) = self.versions(prefix).await;
        versions + markers
    }

    /// A connector on this bucket with `keys`, its secret in a file of `dir`.
    pub fn connector(&self, dir: &TempDir, keys: &[&str]) -> ObjectStoreConnector {
        std::fs::write(dir.path().join("s3.key"), "erasure-test-secret\n").expect("secret");
        let config = format!(
            "keys = {keys:?}\n[s3]\nbucket = \"{}\"\nendpoint = \"{}\"\nallow_http = true\n\
             access_key_id = \"erasure-test\"\nsecret_access_key_file = \"s3.key\"\n",
            self.name, self.endpoint
        );
        let config: Config = toml::from_str(&config).expect("config parses");
        ObjectStoreConnector::new(config, dir.path()).expect("config valid")
    }

    fn sign(&self, method: Method, query: &[(&str, &str)]) -> reqwest::Url {
        let c = &self.credentials;
        rusty_s3::signing::sign(
            &jiff::Timestamp::now(),
            method,
            self.bucket.base_url().clone(),
            c.key(),
            c.secret(),
            c.token(),
            self.bucket.region(),
            EXPIRES.as_secs(),
            query.iter().copied(),
            std::iter::empty(),
        )
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> String {
        let response = request.send().await.expect("the S3 test server answers");
        let status = response.status();
        let body = response.text().await.expect("body");
        assert!(status.is_success(), "{status}: {body}");
        body
    }
}
