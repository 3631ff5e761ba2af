//! The example camera pictures in an S3 bucket with versioning on (the distributed
//! example's cameras): one prefix per customer, `customers/<customer number>/<camera>/`,
//! each picture written twice so that older versions exist, as they do in real buckets.

use super::PEOPLE;
use anyhow::{Context, Result, bail};
use rusty_s3::{Bucket, Credentials, Method, S3Action, UrlStyle};
use std::time::Duration;

const EXPIRES: Duration = Duration::from_secs(300);

/// Where to put the pictures.
#[derive(Debug, Clone)]
pub struct Target {
    /// The S3 endpoint, e.g. `http://127.0.0.1:9000`.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// Creates the bucket (versioned) and the pictures unless the bucket holds them already.
/// Returns whether they were created.
pub async fn seed_cameras(target: &Target) -> Result<bool> {
    let url = target
        .endpoint
        .parse()
        .with_context(|| format!("{:?} is not an S3 endpoint URL", target.endpoint))?;
    let bucket = Bucket::new(
        url,
        UrlStyle::Path,
        target.bucket.clone(),
        target.region.clone(),
    )
    .context("not a bucket name")?;
    let s3 = S3 {
        bucket,
        credentials: Credentials::new(&target.access_key_id, &target.secret_access_key),
        http: reqwest::Client::new(),
    };
    s3.create().await?;
    if s3.exists(".seeded").await? {
        return Ok(false);
    }
    for (number, ..) in PEOPLE {
        for camera in ["front-door", "garden"] {
            for hour in [8, 12, 18] {
                let key = format!("customers/{number}/{camera}/2026-11-01T{hour:02}-00-00.jpg");
                for take in ["first", "second"] {
                    let picture = format!("example picture {camera} {hour} ({take} upload)");
                    s3.put(&key, picture.into_bytes()).await?;
                }
            }
        }
    }
    s3.put(".seeded", Vec::new()).await?;
    Ok(true)
}

struct S3 {
    bucket: Bucket,
    credentials: Credentials,
    http: reqwest::Client,
}

impl S3 {
    /// Creates the bucket (if new) and turns versioning on.
    async fn create(&self) -> Result<()> {
        let url = self.bucket.create_bucket(&self.credentials).sign(EXPIRES);
        let answer = self
            .http
            .put(url)
            .header("content-length", "0")
            .send()
            .await?;
        let status = answer.status();
        let body = answer.text().await.unwrap_or_default();
        if !status.is_success() && !body.contains("BucketAlreadyOwnedByYou") {
            bail!("creating the bucket failed: HTTP {status}");
        }
        let versioning = r#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#;
        let url = rusty_s3::signing::sign(
            &jiff::Timestamp::now(),
            Method::Put,
            self.bucket.base_url().clone(),
            self.credentials.key(),
            self.credentials.secret(),
            self.credentials.token(),
            self.bucket.region(),
            EXPIRES.as_secs(),
            [("versioning", "")].into_iter(),
            std::iter::empty::<(&str, &str)>(),
        );
        self.ok(self.http.put(url).body(versioning), "turning versioning on")
            .await
    }

    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let action = self.bucket.put_object(Some(&self.credentials), key);
        self.ok(
            self.http.put(action.sign(EXPIRES)).body(bytes),
            "writing a picture",
        )
        .await
    }

    async fn exists(&self, key: &str) -> Result<bool> {
        let action = self.bucket.head_object(Some(&self.credentials), key);
        let answer = self.http.head(action.sign(EXPIRES)).send().await?;
        Ok(answer.status().is_success())
    }

    async fn ok(&self, request: reqwest::RequestBuilder, what: &str) -> Result<()> {
        let answer = request
            .send()
            .await
            .with_context(|| format!("{what}: no answer"))?;
        if !answer.status().is_success() {
            bail!("{what} failed: HTTP {}", answer.status());
        }
        Ok(())
    }
}
