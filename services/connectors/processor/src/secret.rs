//! Secrets (tokens, client secrets, HMAC keys): read once from a file or an environment
//! variable when the connector is built. `Debug` never shows them, and no message names
//! their value.

use crate::config::SecretSource;
use crate::error::ConfigError;
use std::path::Path;

/// A secret's text.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// Reads the secret `source` names, for `setting`; a file relative to `base`, a
    /// variable through `var`. Surrounding whitespace is dropped; an empty secret is an
    /// error.
    pub fn load(
        source: &SecretSource,
        setting: &str,
        base: &Path,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let text = match source {
            SecretSource::File(file) => {
                let path = base.join(file);
                std::fs::read_to_string(&path).map_err(|e| {
                    ConfigError::new(setting, format!("cannot read {}: {e}", path.display()))
                })?
            }
            SecretSource::Env(name) => var(name).ok_or_else(|| {
                ConfigError::new(
                    setting,
                    format!("the environment variable {name} is not set"),
                )
            })?,
        };
        let secret = text.trim();
        if secret.is_empty() {
            return Err(ConfigError::new(setting, "the secret is empty"));
        }
        Ok(Self(secret.to_owned()))
    }

    /// A secret that came over the network (an access token).
    pub fn from_token(token: String) -> Self {
        Self(token)
    }

    /// The secret itself; call sites are where to look for leaks.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The process environment, as [`Secret::load`] reads it.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_variables_are_read_and_never_shown() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("token"), "  t0ken-value\n").expect("write");
        let env = |name: &str| (name == "TOKEN").then(|| "from-env".to_owned());
        let file = SecretSource::File("token".into());
        let secret = Secret::load(&file, "auth.bearer.token", dir.path(), &env).expect("file");
        assert_eq!(secret.expose(), "t0ken-value");
        assert!(!format!("{secret:?}").contains("t0ken"));
        let from_env = Secret::load(&SecretSource::Env("TOKEN".into()), "x", dir.path(), &env);
        assert_eq!(from_env.expect("env").expose(), "from-env");

        let unset = Secret::load(
            &SecretSource::Env("NOPE".into()),
            "auth.x",
            dir.path(),
            &env,
        );
        let err = unset.expect_err("unset").to_string();
        assert!(err.starts_with("auth.x: ") && err.contains("NOPE"), "{err}");
        std::fs::write(dir.path().join("empty"), "\n").expect("write");
        let empty = Secret::load(&SecretSource::File("empty".into()), "s", dir.path(), &env);
        assert!(empty.is_err());
    }
}
