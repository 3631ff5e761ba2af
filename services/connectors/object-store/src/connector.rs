//! [`ObjectStoreConnector`]: templates parsed once, a store to erase from.

use crate::config::Config;
use crate::erase;
use crate::error::ConfigError;
use crate::evidence;
use crate::template::KeyTemplate;
use async_trait::async_trait;
use erasure_connector_sdk::{BuildError, Connector, Job, KindConfig, Report};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Erases a person's objects under the configured key templates.
#[derive(Debug, Clone)]
pub struct ObjectStoreConnector {
    store: Arc<dyn ObjectStore>,
    templates: Vec<KeyTemplate>,
}

impl ObjectStoreConnector {
    /// A local directory: `config.root` (relative to `base_dir`), created if missing.
    /// Directories left empty by a deletion are removed too: their names are identifiers.
    pub fn new(config: Config, base_dir: &Path) -> Result<Self, ConfigError> {
        if config.root.as_os_str().is_empty() {
            return Err(ConfigError::NoRoot);
        }
        let templates = parse_templates(&config.keys)?;
        let root = base_dir.join(&config.root);
        let root_error = |reason: String| ConfigError::Root {
            path: root.clone(),
            reason,
        };
        std::fs::create_dir_all(&root).map_err(|e| root_error(e.to_string()))?;
        let store = LocalFileSystem::new_with_prefix(&root)
            .map_err(|e| root_error(e.to_string()))?
            .with_automatic_cleanup(true);
        Ok(Self {
            store: Arc::new(store),
            templates,
        })
    }

    /// Any `object_store` implementation (in-memory for tests; S3 later).
    pub fn with_store(store: Arc<dyn ObjectStore>, keys: &[String]) -> Result<Self, ConfigError> {
        Ok(Self {
            store,
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

    fn paths(&self) -> Vec<(&'static str, PathBuf)> {
        vec![("root", self.root.clone())]
    }
}
