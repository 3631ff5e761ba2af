//! The access key: `access_key_id` with `secret_access_key_file` from the configuration,
//! or else the standard AWS environment variables. Read once, when the connector is built;
//! the secret never appears in a message or in `Debug` output.

use crate::config::S3Config;
use crate::error::ConfigError;
use std::path::Path;

/// An access key id, its secret, and a session token for temporary credentials.
#[derive(Clone)]
pub struct Keys {
    pub id: String,
    pub secret: String,
    pub token: Option<String>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The keys `config` names, or those of the environment (`var` reads a variable).
pub fn resolve(
    config: &S3Config,
    base: &Path,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Keys, ConfigError> {
    match (&config.access_key_id, &config.secret_access_key_file) {
        (Some(id), Some(file)) => Ok(Keys {
            id: id.clone(),
            secret: read_secret(&base.join(file))?,
            token: None,
        }),
        (None, None) => from_environment(var),
        _ => Err(ConfigError::s3(
            "access_key_id",
            "access_key_id and secret_access_key_file go together",
        )),
    }
}

fn read_secret(path: &Path) -> Result<String, ConfigError> {
    let unreadable = |reason: String| {
        ConfigError::s3(
            "secret_access_key_file",
            format!("{}: {reason}", path.display()),
        )
    };
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(e.to_string()))?;
    let secret = text.trim();
    if secret.is_empty() {
        return Err(unreadable("the file is empty".to_owned()));
    }
    Ok(secret.to_owned())
}

fn from_environment(var: impl Fn(&str) -> Option<String>) -> Result<Keys, ConfigError> {
    let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    match (set("AWS_ACCESS_KEY_ID"), set("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => Ok(Keys {
            id,
            secret,
            token: set("AWS_SESSION_TOKEN"),
        }),
        _ => Err(ConfigError::s3(
            "access_key_id",
            "no credentials: set access_key_id and secret_access_key_file, or the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(id: Option<&str>, file: Option<&str>) -> S3Config {
        let mut text = "bucket = \"b\"\n".to_owned();
        if let Some(id) = id {
            text.push_str(&format!("access_key_id = \"{id}\"\n"));
        }
        if let Some(file) = file {
            text.push_str(&format!("secret_access_key_file = \"{file}\"\n"));
        }
        toml::from_str(&text).expect("config")
    }

    #[test]
    fn the_secret_file_is_read_relative_to_the_base_and_never_shown() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("s3.key"), "s3cr3t-value\n").expect("write");
        let keys =
            resolve(&config(Some("AKIA1"), Some("s3.key")), dir.path(), |_| None).expect("keys");
        assert_eq!(
            (keys.id.as_str(), keys.secret.as_str()),
            ("AKIA1", "s3cr3t-value")
        );
        assert!(!format!("{keys:?}").contains("s3cr3t"));
        let err = resolve(
            &config(Some("AKIA1"), Some("missing.key")),
            dir.path(),
            |_| None,
        )
        .expect_err("missing file");
        assert!(err.to_string().contains("secret_access_key_file"), "{err}");
    }

    #[test]
    fn without_keys_in_the_config_the_environment_gives_them() {
        let env = |name: &str| match name {
            "AWS_ACCESS_KEY_ID" => Some("AKIA2".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("from-env".to_owned()),
            "AWS_SESSION_TOKEN" => Some("tok".to_owned()),
            _ => None,
        };
        let keys = resolve(&config(None, None), Path::new("."), env).expect("keys");
        assert_eq!(
            (keys.secret.as_str(), keys.token.as_deref()),
            ("from-env", Some("tok"))
        );
        let err = resolve(&config(None, None), Path::new("."), |_| None).expect_err("none");
        assert!(err.to_string().contains("AWS_ACCESS_KEY_ID"), "{err}");
        let err = resolve(&config(Some("AKIA3"), None), Path::new("."), env).expect_err("half");
        assert!(err.to_string().contains("go together"), "{err}");
    }
}
