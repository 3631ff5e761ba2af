//! Configuration of `erasure serve`: defaults, then the TOML file (or the built-in
//! example), then environment variables and flags (applied by the caller). Unknown keys
//! are errors that name the key.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The built-in example: three systems of a small smart-home operator.
pub const EXAMPLE: &str = include_str!("../../../deploy/examples/embedded.toml");

pub const DEFAULT_LISTEN: &str = "127.0.0.1:50051";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub store: StoreConfig,
    #[serde(default)]
    pub bus: BusConfig,
    /// The inventory: every system that holds personal data, with its connector.
    pub systems: Vec<SystemConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// gRPC listen address.
    pub listen: Option<SocketAddr>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum StoreConfig {
    /// SQLite file, relative to the data directory.
    Sqlite { path: Option<PathBuf> },
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self::Sqlite { path: None }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum BusConfig {
    /// In-process, backed by the outbox: connectors run inside the coordinator.
    #[default]
    Embedded,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemConfig {
    /// Lower-case letters, digits, '-' and '_'; names the topic `erasure.v1.work.<id>`.
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// Data categories the system holds.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Pace erasures in this system (per second); unpaced when absent.
    pub max_per_second: Option<f64>,
    pub connector: ConnectorConfig,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ConnectorConfig {
    Sql(erasure_connector_sql::Config),
    ObjectStore(erasure_connector_object_store::Config),
}

impl ConnectorConfig {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sql(_) => "sql",
            Self::ObjectStore(_) => "object-store",
        }
    }
}

impl Config {
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let config: Self = toml::from_str(text).map_err(|e| one_line(&e, text, origin))?;
        config.check(origin)?;
        Ok(config)
    }

    pub fn load(path: Option<&Path>) -> Result<Self> {
        match path {
            None => Self::parse(EXAMPLE, "built-in example configuration"),
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read configuration {}", p.display()))?;
                Self::parse(&text, &p.display().to_string())
            }
        }
    }

    fn check(&self, origin: &str) -> Result<()> {
        if self.systems.is_empty() {
            anyhow::bail!("{origin}: no [[systems]]: the inventory must name at least one system");
        }
        let mut seen = std::collections::HashSet::new();
        for s in &self.systems {
            if !erasure_core::SystemId::is_valid(&s.id) {
                anyhow::bail!(
                    "{origin}: system id {:?} must be lower-case letters, digits, '-' or '_'",
                    s.id
                );
            }
            if !seen.insert(&s.id) {
                anyhow::bail!("{origin}: system {} is declared twice", s.id);
            }
        }
        Ok(())
    }
}

/// A TOML error as one line: where, and what (the key it names, for unknown keys).
fn one_line(e: &toml::de::Error, text: &str, origin: &str) -> anyhow::Error {
    let message = e.message().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            anyhow::anyhow!("{origin}, line {line}, column {column}: {message}")
        }
        None => anyhow::anyhow!("{origin}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_example_parses() {
        let c = Config::parse(EXAMPLE, "example").expect("example");
        let ids: Vec<_> = c.systems.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["crm", "cameras", "telemetry"]);
    }

    #[test]
    fn an_unknown_key_is_named() {
        let text = EXAMPLE.replace("[server]\n", "[server]\nlisen = \"x\"\n");
        let err = Config::parse(&text, "f.toml")
            .expect_err("unknown key")
            .to_string();
        assert!(err.contains("lisen"), "{err}");
        let text = EXAMPLE.replace(
            "kind = \"object-store\"\n",
            "kind = \"object-store\"\nbucket = \"b\"\n",
        );
        let err = Config::parse(&text, "f.toml")
            .expect_err("unknown key")
            .to_string();
        assert!(err.contains("bucket"), "{err}");
    }

    #[test]
    fn duplicate_or_malformed_systems_are_refused() {
        let twice = format!(
            "{EXAMPLE}\n[[systems]]\nid = \"crm\"\n[systems.connector]\nkind = \"object-store\"\nroot = \"x\"\nkeys = []\n"
        );
        assert!(
            Config::parse(&twice, "f")
                .expect_err("twice")
                .to_string()
                .contains("declared twice")
        );
    }
}
