//! An S3 bucket (AWS or any S3-compatible store) as the store.
//!
//! A plain delete in a versioned bucket only adds a delete marker: the data stays, as an
//! older version. So under each prefix this backend always lists versions
//! (`ListObjectVersions`), whether or not the bucket is versioned now (a bucket whose
//! versioning was suspended still holds old versions; an unversioned one answers with
//! `null` versions), deletes every version and delete marker by version id, and lists the
//! versions again as the evidence. This needs `s3:ListBucketVersions` and
//! `s3:DeleteObjectVersion`; a store that denies them (`AccessDenied`) is a permanent
//! failure naming the permission, never a silent partial erasure. Only a store that does
//! not implement versions at all (HTTP 501) is erased as plain objects, through
//! `object_store`'s S3 client.
//!
//! - [`credentials`]: the access key, from the configuration or the environment.
//! - [`client`]: versions over S3's REST API (rusty-s3 signs, reqwest sends).
//! - [`settings`]: the endpoint and prefix, checked; `object_store`'s S3 client.
//! - [`xml`]: reading S3's answers. [`response`]: what a failed request means.

mod client;
mod credentials;
mod response;
mod settings;
mod xml;

use crate::backend::{Backend, Counts, StepError};
use crate::config::S3Config;
use crate::error::ConfigError;
use crate::plain::PlainBackend;
use async_trait::async_trait;
use client::VersionsClient;
use object_store::path::Path;
use response::S3Error;

const LIST_VERSIONS: &str = "s3:ListBucketVersions";
const DELETE_VERSIONS: &str = "s3:DeleteObjectVersion";

/// A bucket, or the part of it under the configured prefix.
#[derive(Debug)]
pub struct S3Backend {
    versions: VersionsClient,
    /// For stores without versions: `object_store`'s S3 client, under the prefix.
    plain: PlainBackend,
    /// The configured key prefix, ending in `/`, or empty.
    prefix: String,
}

impl S3Backend {
    /// Checks the configuration and reads the credentials; reaches no server.
    pub fn new(config: &S3Config, base: &std::path::Path) -> Result<Self, ConfigError> {
        if config.bucket.trim().is_empty() {
            return Err(ConfigError::s3("bucket", "must name the bucket"));
        }
        let prefix = settings::prefix(config.prefix.as_deref())?;
        let endpoint = settings::endpoint(config)?;
        let keys = credentials::resolve(config, base, |name| std::env::var(name).ok())?;
        let versions =
            VersionsClient::new(endpoint.clone(), &config.bucket, &config.region, &keys)?;
        let store = settings::plain_store(config, &endpoint, &keys, prefix.as_ref())?;
        Ok(Self {
            versions,
            plain: PlainBackend::new(store),
            prefix: prefix.map(|p| format!("{p}/")).unwrap_or_default(),
        })
    }
}

#[async_trait]
impl Backend for S3Backend {
    async fn probe(&self) -> Result<(), StepError> {
        let key_prefix = format!("{}{}/", self.prefix, crate::backend::PROBE_PREFIX);
        match self.versions.list(&key_prefix).await {
            Err(S3Error::NotImplemented) => self.plain.probe().await,
            listed => listed
                .map(|_| ())
                .map_err(|e| e.at("listing versions", LIST_VERSIONS)),
        }
    }

    async fn erase_prefix(&self, prefix: &Path) -> Result<Counts, StepError> {
        let key_prefix = format!("{}{prefix}/", self.prefix);
        let found = match self.versions.list(&key_prefix).await {
            Err(S3Error::NotImplemented) => return self.plain.erase_prefix(prefix).await,
            found => found.map_err(|e| e.at("listing versions", LIST_VERSIONS))?,
        };
        let (deleted, delete_markers) = self
            .versions
            .delete(&found)
            .await
            .map_err(|e| e.at("deleting versions", DELETE_VERSIONS))?;
        let left = self
            .versions
            .list(&key_prefix)
            .await
            .map_err(|e| e.at("listing versions again", LIST_VERSIONS))?;
        Ok(Counts {
            deleted,
            delete_markers,
            remaining: left.len() as u64,
            links: 0,
        })
    }
}
