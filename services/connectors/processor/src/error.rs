//! Configuration errors, found when the connector is built. They name the setting and
//! quote the configuration, never a secret and never personal data.

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    /// The setting, as written in the `[connector]` section, e.g. `request.url`.
    pub setting: String,
    pub reason: String,
}

impl ConfigError {
    pub(crate) fn new(setting: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            setting: setting.into(),
            reason: reason.into(),
        }
    }
}
