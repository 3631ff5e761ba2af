//! Secrets the deployment gives the processes, from a file (a mounted Kubernetes Secret)
//! or an environment variable, never from the repository or the configuration file:
//!
//! - the coordinator's master key ([`open_vault`]): `ERASURE_MASTER_KEY`, else
//!   `[keys].master_key_file`, else `<data-dir>/keys/master.key` (created on first start);
//! - a password ([`read_secret`]), e.g. the broker's SASL password.
//!
//! Errors name where a secret was looked for, never its value.

use anyhow::{Context, Result};
use erasure_coordinator::CoordinatorError;
use erasure_coordinator::vault::Vault;
use std::path::Path;

/// The environment variable that carries the master key (64 hex digits).
pub const MASTER_KEY_ENV: &str = "ERASURE_MASTER_KEY";

/// The coordinator's master key: from [`MASTER_KEY_ENV`], else the configured file
/// (relative to the data directory; it must exist), else the data directory's own key,
/// created on first start.
pub fn open_vault(master_key_file: Option<&Path>, data_dir: &Path) -> Result<Vault> {
    let env = std::env::var(MASTER_KEY_ENV).ok();
    vault_from(env.as_deref(), master_key_file, data_dir)
}

fn vault_from(env: Option<&str>, file: Option<&Path>, data_dir: &Path) -> Result<Vault> {
    let vault = match (env.filter(|v| !v.trim().is_empty()), file) {
        (Some(hex), _) => Vault::from_hex(hex, MASTER_KEY_ENV),
        (None, Some(file)) => Vault::load(&data_dir.join(file)),
        (None, None) => Vault::load_or_create(&data_dir.join("keys/master.key")),
    };
    // The vault's messages are complete sentences; "internal:" would mislead here.
    vault.map_err(|e| match e {
        CoordinatorError::Internal(message) => anyhow::anyhow!(message),
        other => anyhow::anyhow!("{other}"),
    })
}

/// A secret from exactly one of a file (trailing white space dropped) or an environment
/// variable; `what` names it in errors, e.g. "bus.sasl password".
pub fn read_secret(what: &str, file: Option<&Path>, env: Option<&str>) -> Result<String> {
    let value = match (file, env) {
        (Some(_), Some(_)) => {
            anyhow::bail!("{what}: give either a file or an environment variable, not both")
        }
        (Some(file), None) => std::fs::read_to_string(file)
            .with_context(|| format!("{what}: cannot read {}", file.display()))?,
        (None, Some(var)) => std::env::var(var)
            .map_err(|_| anyhow::anyhow!("{what}: environment variable {var} is not set"))?,
        (None, None) => {
            anyhow::bail!(
                "{what}: name a file (password_file) or an environment variable (password_env)"
            )
        }
    };
    let value = value.trim_end_matches(['\n', '\r']).to_owned();
    if value.is_empty() {
        anyhow::bail!("{what} is empty");
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
