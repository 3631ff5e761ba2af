//! Object versions over S3's REST API, which `object_store` does not offer:
//! `ListObjectVersions` (every version and delete marker under a prefix, page by page) and
//! `DeleteObjects` with version ids (up to 1,000 a request; `DeleteObject?versionId=` for
//! the rare key that XML cannot carry). rusty-s3 signs the requests (SigV4, as presigned
//! URLs), reqwest sends them, [`super::xml`] reads the answers. Deleting is in [`delete`].

mod delete;

use super::credentials::Keys;
use super::response::S3Error;
use super::xml::{self, Page, Version};
use crate::error::ConfigError;
use rusty_s3::{Bucket, Credentials, Method, UrlStyle};
use std::time::Duration;

/// How long a signed request stays valid: it is sent at once.
const EXPIRES: Duration = Duration::from_secs(300);

/// One bucket's versions, with the connector's credentials.
#[derive(Debug)]
pub struct VersionsClient {
    bucket: Bucket,
    credentials: Credentials,
    http: reqwest::Client,
}

impl VersionsClient {
    pub fn new(
        endpoint: reqwest::Url,
        bucket: &str,
        region: &str,
        keys: &Keys,
    ) -> Result<Self, ConfigError> {
        let bucket = Bucket::new(
            endpoint,
            UrlStyle::Path,
            bucket.to_owned(),
            region.to_owned(),
        )
        .map_err(|e| ConfigError::s3("endpoint", format!("{e:?}")))?;
        let credentials = match &keys.token {
            Some(token) => Credentials::new_with_token(&keys.id, &keys.secret, token),
            None => Credentials::new(&keys.id, &keys.secret),
        };
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ConfigError::s3("endpoint", e.to_string()))?;
        Ok(Self {
            bucket,
            credentials,
            http,
        })
    }

    /// Every version and delete marker whose key starts with `prefix`.
    pub async fn list(&self, prefix: &str) -> Result<Vec<Version>, S3Error> {
        let mut all = Vec::new();
        let mut marker = None;
        loop {
            let page = self.page(prefix, marker.as_ref()).await?;
            all.extend(page.versions);
            match page.next {
                Some(next) => marker = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// One page of versions under `prefix`, after the version `after` (key, version id).
    async fn page(&self, prefix: &str, after: Option<&(String, String)>) -> Result<Page, S3Error> {
        // Sorted by name, as signing wants them.
        let mut query = vec![("encoding-type", "url")];
        if let Some((key, _)) = after {
            query.push(("key-marker", key.as_str()));
        }
        query.push(("prefix", prefix));
        if let Some((_, id)) = after.filter(|(_, id)| !id.is_empty()) {
            query.push(("version-id-marker", id.as_str()));
        }
        query.push(("versions", ""));
        let url = self.sign(Method::Get, self.bucket.base_url().clone(), &query);
        let body = self.send(self.http.get(url)).await?;
        xml::page(&body).ok_or(S3Error::Failed("unreadable answer"))
    }

    fn sign(&self, method: Method, url: reqwest::Url, query: &[(&str, &str)]) -> reqwest::Url {
        let c = &self.credentials;
        rusty_s3::signing::sign(
            &jiff::Timestamp::now(),
            method,
            url,
            c.key(),
            c.secret(),
            c.token(),
            self.bucket.region(),
            EXPIRES.as_secs(),
            query.iter().copied(),
            std::iter::empty(),
        )
    }

    /// The body of a successful answer, or why there was none.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<String, S3Error> {
        let response = request.send().await.map_err(|e| S3Error::transport(&e))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| S3Error::transport(&e))?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(S3Error::from_body(status.as_u16(), &body))
        }
    }
}
