//! [`ObjectStoreConnector`]: templates parsed once, a store to erase from.

use crate::backend::Backend;
use crate::config::Config;
use crate::erase;
use crate::error::ConfigError;
use crate::evidence;
use crate::local::LocalBackend;
use crate::plain::PlainBackend;
use crate::s3::S3Backend;
use crate::template::KeyTemplate;
use async_trait::async_trait;
use erasure_connector_sdk::{BuildError, Connector, Job, KindConfig, Report};
use object_store::ObjectStore;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Erases a person's objects under the configured key templates.
#[derive(Debug, Clone)]
pub struct ObjectStoreConnector {
    store: Arc<dyn Backend>,
    templates: Vec<KeyTemplate>,
}

impl ObjectStoreConnector {
    /// A local directory, `config.root` (relative to `base_dir`), created if missing;
    /// directories left empty by a deletion are removed too, as their names are
    /// identifiers. Or an S3 bucket, `config.s3`, its secret file relative to `base_dir`.
    pub fn new(config: Config, base_dir: &Path) -> Result<Self, ConfigError> {
        let local = !config.root.as_os_str().is_empty();
        match (local, &config.s3) {
            (false, None) => return Err(ConfigError::NoRoot),
            (true, Some(_)) => return Err(ConfigError::RootAndS3),
            _ => {}
        }
        let templates = parse_templates(&config.keys)?;
        let store: Arc<dyn Backend> = match &config.s3 {
            Some(s3) => Arc::new(S3Backend::new(s3, base_dir)?),
            None => Arc::new(LocalBackend::new(&base_dir.join(&config.root))?),
        };
        Ok(Self { store, templates })
    }

    /// Any `object_store` implementation (in-memory for tests), as plain objects.
    pub fn with_store(store: Arc<dyn ObjectStore>, keys: &[String]) -> Result<Self, ConfigError> {
        Ok(Self {
            store: Arc::new(PlainBackend::new(store)),
            templates: parse_templates(keys)?,
        })
    }
}

fn parse_templates(keys: &[String]) -> Result<Vec<KeyTemplate>, ConfigError> {
    if keys.is_empty() {
        return Err(ConfigError::NoKeys);
    }
    keys.iter().map(|k| KeyTemplate::parse(k)).collect()
}

#[async_trait]
impl Connector for ObjectStoreConnector {
    fn kind(&self) -> &'static str {
        "object-store"
    }

    async fn check(&self) -> Vec<String> {
        match self.store.probe().await {
            Ok(()) => Vec::new(),
            Err(e) => vec![format!("connector: the store: {e}")],
        }
    }

    async fn erase(&self, job: &Job) -> Report {
        if !job.holds.is_empty() {
            return Report::failed_permanent(cannot_restrict(job));
        }
        match erase::run(
            self.store.as_ref(),
            &self.templates,
            &job.identifiers,
            job.controller.as_deref(),
        )
        .await
        {
            Ok(outcomes) => evidence::report(job, &outcomes),
            Err(failure) if failure.is_permanent() => Report::failed_permanent(failure.to_string()),
            Err(failure) => Report::failed_retryable(failure.to_string()),
        }
    }
}

/// Objects cannot be marked restricted (GDPR Art. 18) here, and deleting what a rule holds
/// would break the law the rule cites: refuse, and say what to change.
fn cannot_restrict(job: &Job) -> String {
    let rules: Vec<&str> = job.holds.iter().map(|r| r.id.as_str()).collect();
    format!(
        "the object-store connector cannot restrict data kept under a legal hold (rules {}), so it erased nothing: this system must not declare a held category",
        rules.join(", ")
    )
}

/// The `object-store` entry of the runtime's registry of kinds.
impl KindConfig for Config {
    fn build(&self, base: &Path) -> Result<Arc<dyn Connector>, BuildError> {
        Ok(Arc::new(ObjectStoreConnector::new(self.clone(), base)?))
    }

    /// The local paths only: the root directory, the S3 secret key file.
    fn paths(&self) -> Vec<(&'static str, PathBuf)> {
        let mut paths = Vec::new();
        if !self.root.as_os_str().is_empty() {
            paths.push(("root", self.root.clone()));
        }
        if let Some(file) = self
            .s3
            .as_ref()
            .and_then(|s| s.secret_access_key_file.clone())
        {
            paths.push(("s3.secret_access_key_file", file));
        }
        paths
    }

    /// Every placeholder of the key templates names one path segment.
    fn path_segments(&self) -> Vec<erasure_core::IdentifierKind> {
        let mut kinds: Vec<_> = self
            .keys
            .iter()
            .filter_map(|k| KeyTemplate::parse(k).ok())
            .flat_map(|t| t.kinds())
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}
