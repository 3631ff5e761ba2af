//! Configuration of `erasure serve`: defaults, then the TOML file (or the built-in
//! example), then environment variables and flags (applied by the caller). Unknown keys
//! are errors that name the key and its line.
//!
//! The sections that make the coordinator's policy are in [`crate::policy`]; a
//! connector's own section is its kind's typed struct ([`crate::registry`]).

use crate::policy::{DeadlinesConfig, LogConfig, RetentionConfig, RetriesConfig};
use crate::registry::ConnectorConfig;
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
    /// Where the operator processes data for several controllers (a processor under GDPR
    /// Art. 28): their ids. Every request then names one, and tables or key templates
    /// pinned to a controller erase only its copy. Empty: the operator acts for itself.
    #[serde(default)]
    pub controllers: Vec<String>,
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub store: StoreConfig,
    #[serde(default)]
    pub bus: BusConfig,
    #[serde(default)]
    pub keys: KeysConfig,
    #[serde(default)]
    pub retention: RetentionConfig,
    #[serde(default)]
    pub deadlines: DeadlinesConfig,
    #[serde(default)]
    pub retries: RetriesConfig,
    #[serde(default)]
    pub log: LogConfig,
    /// The inventory: every system that holds personal data (with its connector, when
    /// connectors run in-process).
    pub systems: Vec<SystemConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysConfig {
    /// Trust file with the public keys of connectors that run elsewhere (relative to the
    /// data directory). `erasure connector --config X --register FILE` adds one.
    pub trusted_connectors: Option<PathBuf>,
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
    /// PostgreSQL; `ERASURE_STORE_URL` overrides the URL.
    Postgres {
        url: String,
        pool_size: Option<usize>,
    },
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
    /// A Kafka-compatible broker; connectors run as their own processes.
    Kafka(KafkaBusConfig),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaBusConfig {
    /// Bootstrap servers, `host:port[,host:port]`; `ERASURE_KAFKA_BROKERS` overrides it.
    pub brokers: String,
    /// Consumer group; processes sharing it share the work.
    pub group_id: Option<String>,
    /// Partitions of the topics this process creates when they are missing.
    pub partitions: Option<i32>,
    pub replication_factor: Option<i32>,
    /// Idempotent producer (default true). Set false only for Tansu 0.6, which cannot
    /// keep an idempotent producer's state across its own restart.
    pub idempotent_producer: Option<bool>,
}

impl KafkaBusConfig {
    /// Applies `ERASURE_KAFKA_BROKERS`.
    pub fn with_env(mut self) -> Self {
        if let Ok(b) = std::env::var("ERASURE_KAFKA_BROKERS")
            && !b.trim().is_empty()
        {
            self.brokers = b;
        }
        self
    }
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
    /// The system maps identifiers to others (a CRM: an e-mail to customer numbers and
    /// devices). It is asked first, and every system then erases with every identifier
    /// found, so a request made with an e-mail reaches data filed under a customer number.
    #[serde(default)]
    pub resolves: bool,
    /// The connector, when it runs in-process (embedded bus only).
    pub connector: Option<ConnectorConfig>,
}

impl Config {
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let config: Self = parse_toml(text, origin)?;
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

    /// Applies `ERASURE_STORE_URL` (selects PostgreSQL at that URL) and
    /// `ERASURE_KAFKA_BROKERS`.
    pub fn with_env(mut self) -> Self {
        if let Ok(url) = std::env::var("ERASURE_STORE_URL")
            && !url.trim().is_empty()
        {
            let pool_size = match &self.store {
                StoreConfig::Postgres { pool_size, .. } => *pool_size,
                StoreConfig::Sqlite { .. } => None,
            };
            self.store = StoreConfig::Postgres { url, pool_size };
        }
        if let BusConfig::Kafka(k) = self.bus {
            self.bus = BusConfig::Kafka(k.with_env());
        }
        self
    }

    fn check(&self, origin: &str) -> Result<()> {
        let mut controllers = std::collections::HashSet::new();
        for c in &self.controllers {
            if !erasure_core::SystemId::is_valid(c) {
                anyhow::bail!(
                    "{origin}: controller {c:?} must be lower-case letters, digits, '-' or '_'"
                );
            }
            if !controllers.insert(c) {
                anyhow::bail!("{origin}: controller {c} is declared twice");
            }
        }
        if self.systems.is_empty() {
            anyhow::bail!("{origin}: no [[systems]]: the inventory must name at least one system");
        }
        let mut seen = std::collections::HashSet::new();
        let embedded = matches!(self.bus, BusConfig::Embedded);
        for s in &self.systems {
            match (&s.connector, embedded) {
                (None, true) => anyhow::bail!(
                    "{origin}: system {} has no [systems.connector]: with the embedded bus, connectors run in-process",
                    s.id
                ),
                (Some(_), false) => anyhow::bail!(
                    "{origin}: system {} has a [systems.connector], but with the kafka bus connectors run as their own processes (erasure connector --config FILE)",
                    s.id
                ),
                _ => {}
            }
            if !erasure_core::SystemId::is_valid(&s.id) {
                anyhow::bail!(
                    "{origin}: system id {:?} must be lower-case letters, digits, '-' or '_'",
                    s.id
                );
            }
            if s.resolves
                && let Some(c) = &s.connector
                && !c.resolves()
            {
                anyhow::bail!(
                    "{origin}: system {} resolves identifiers, but the {} connector cannot",
                    s.id,
                    c.kind()
                );
            }
            if !seen.insert(&s.id) {
                anyhow::bail!("{origin}: system {} is declared twice", s.id);
            }
        }
        Ok(())
    }
}

/// Parses TOML into `T`, with errors on one line naming the place and the key.
pub fn parse_toml<T: serde::de::DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| one_line(&e, text, origin))
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
mod tests;
