//! Configuration errors, found when the connector is built. They quote the configuration,
//! never personal data, and never a secret.

use std::path::PathBuf;

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("the object-store connector needs a `root` directory or an `[s3]` bucket")]
    NoRoot,
    #[error("the object-store connector takes a `root` directory or an `[s3]` bucket, not both")]
    RootAndS3,
    #[error("the object-store connector needs at least one key template in `keys`")]
    NoKeys,
    #[error("key template {template:?}: {reason}")]
    Template { template: String, reason: String },
    #[error("root {}: {reason}", path.display())]
    Root { path: PathBuf, reason: String },
    #[error("[s3] {setting}: {reason}")]
    S3 {
        setting: &'static str,
        reason: String,
    },
}

impl ConfigError {
    /// An `[s3]` setting that does not work.
    pub(crate) fn s3(setting: &'static str, reason: impl Into<String>) -> Self {
        Self::S3 {
            setting,
            reason: reason.into(),
        }
    }
}
