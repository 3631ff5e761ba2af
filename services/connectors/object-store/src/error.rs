//! Configuration errors, found when the connector is built. They quote the configuration,
//! never personal data.

use std::path::PathBuf;

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("the object-store connector needs a `root` directory")]
    NoRoot,
    #[error("the object-store connector needs at least one key template in `keys`")]
    NoKeys,
    #[error("key template {template:?}: {reason}")]
    Template { template: String, reason: String },
    #[error("root {}: {reason}", path.display())]
    Root { path: PathBuf, reason: String },
}
