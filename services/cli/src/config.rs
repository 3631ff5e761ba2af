//! Configuration of `erasure serve`: defaults, then the TOML file (or the built-in
//! example), then environment variables and flags (applied by the caller). Unknown keys
//! are errors that name the key.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The built-in example: three systems of a small smart-home operator.
pub const EXAMPLE: &str = include_str!("../../../deploy/examples/embedded.toml");

/// The shipped retention rules, used unless `[retention] rules` names another file.
pub const DEFAULT_RULES: &str = include_str!("../../../deploy/rules/retention.toml");

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

/// Legal holds: which rules, and the controller's financial year.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Rules file (erasure-retention-rules/v1), relative to the data directory. Default:
    /// the shipped rules (deploy/rules/retention.toml, built in).
    pub rules: Option<PathBuf>,
    /// Last day of the financial year, "MM-DD". Default "12-31".
    pub financial_year_end: Option<String>,
}

impl RetentionConfig {
    /// The rule book and financial year end this configuration names.
    pub fn load(
        &self,
        data_dir: &Path,
    ) -> Result<(
        erasure_core::retention::RuleBook,
        erasure_core::retention::FinancialYearEnd,
    )> {
        let rules = load_rules(self.rules.as_ref().map(|p| data_dir.join(p)).as_deref())?;
        let fy = match &self.financial_year_end {
            None => erasure_core::retention::FinancialYearEnd::default(),
            Some(s) => erasure_core::retention::FinancialYearEnd::parse(s).with_context(|| {
                format!("[retention] financial_year_end {s:?} must be a day of the year, \"MM-DD\"")
            })?,
        };
        Ok((rules, fy))
    }
}

/// The rules file at `path`, or the built-in rules.
pub fn load_rules(path: Option<&Path>) -> Result<erasure_core::retention::RuleBook> {
    use erasure_core::retention::RuleBook;
    match path {
        None => RuleBook::from_toml(DEFAULT_RULES).context("the built-in retention rules"),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read retention rules {}", path.display()))?;
            RuleBook::from_toml(&text).with_context(|| path.display().to_string())
        }
    }
}

/// Art. 12(3) deadline warnings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlinesConfig {
    /// Warn this many days before a request's deadline (each once). Default [7, 1].
    #[serde(default = "default_warnings")]
    pub warn_before_days: Vec<u32>,
}

impl Default for DeadlinesConfig {
    fn default() -> Self {
        Self {
            warn_before_days: default_warnings(),
        }
    }
}

fn default_warnings() -> Vec<u32> {
    vec![7, 1]
}

/// The transparency log of certificates.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// Sign a tree head this often when the log grew (seconds). Default 60. Heads are also
    /// signed on demand: `erasure log head --publish`, and when a certificate is fetched
    /// that no head covers yet.
    pub tree_head_interval_secs: Option<u64>,
}

impl LogConfig {
    pub fn options(&self) -> anyhow::Result<erasure_coordinator::node::Options> {
        let mut options = erasure_coordinator::node::Options::default();
        if let Some(secs) = self.tree_head_interval_secs {
            anyhow::ensure!(
                secs > 0,
                "[log] tree_head_interval_secs: must be at least 1"
            );
            options.tree_head_interval = std::time::Duration::from_secs(secs);
        }
        Ok(options)
    }
}

/// Re-dispatching attempts that get no answer, or a retryable failure.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetriesConfig {
    /// Attempts before a task is marked failed. Default 5.
    pub max_attempts: Option<u32>,
    /// How long an attempt may go unanswered. Default 3600.
    pub answer_timeout_secs: Option<u64>,
    /// First backoff (doubling, with jitter). Default 2000.
    pub base_delay_ms: Option<u64>,
    /// Longest backoff. Default 600.
    pub max_delay_secs: Option<u64>,
}

impl RetriesConfig {
    pub fn policy(&self) -> Result<erasure_core::decide::RetryPolicy> {
        let d = erasure_core::decide::RetryPolicy::default();
        let secs = |s: u64| {
            chrono::Duration::try_seconds(s as i64).context("[retries]: a duration is too long")
        };
        let policy = erasure_core::decide::RetryPolicy {
            max_attempts: self.max_attempts.unwrap_or(d.max_attempts),
            answer_timeout: self
                .answer_timeout_secs
                .map(secs)
                .transpose()?
                .unwrap_or(d.answer_timeout),
            base_delay: self
                .base_delay_ms
                .map(|ms| chrono::Duration::milliseconds(ms.min(86_400_000) as i64))
                .unwrap_or(d.base_delay),
            max_delay: self
                .max_delay_secs
                .map(secs)
                .transpose()?
                .unwrap_or(d.max_delay),
        };
        if policy.max_attempts == 0 || policy.answer_timeout <= chrono::Duration::zero() {
            anyhow::bail!("[retries]: max_attempts and answer_timeout_secs must be at least 1");
        }
        Ok(policy)
    }
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
    /// The connector, when it runs in-process (embedded bus only).
    pub connector: Option<ConnectorConfig>,
}

#[derive(Debug, Clone, Deserialize)]
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
mod tests {
    use super::*;

    #[test]
    fn the_built_in_example_parses() {
        let c = Config::parse(EXAMPLE, "example").expect("example");
        let ids: Vec<_> = c.systems.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["crm", "cameras", "telemetry", "billing"]);
        let (rules, _) = c.retention.load(Path::new(".")).expect("built-in rules");
        assert!(rules.get("fi-kpl-vouchers").is_some());
        assert!(c.retries.policy().is_ok());
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
    fn the_distributed_example_parses_and_runs_no_connector_in_process() {
        let text = include_str!("../../../deploy/examples/distributed/coordinator.toml");
        let c = Config::parse(text, "distributed").expect("distributed example");
        assert!(matches!(c.bus, BusConfig::Kafka(_)));
        assert!(matches!(c.store, StoreConfig::Postgres { .. }));
        assert_eq!(c.systems.len(), 5);
        assert!(c.systems.iter().all(|s| s.connector.is_none()));
    }

    #[test]
    fn connectors_must_match_the_bus() {
        let text = EXAMPLE.replace(
            "[bus]\nkind = \"embedded\"",
            "[bus]\nkind = \"kafka\"\nbrokers = \"127.0.0.1:9092\"",
        );
        let err = Config::parse(&text, "f")
            .expect_err("kafka with in-process connectors")
            .to_string();
        assert!(err.contains("run as their own processes"), "{err}");
        let err = Config::parse("[[systems]]\nid = \"crm\"\n", "f")
            .expect_err("embedded without connectors")
            .to_string();
        assert!(err.contains("has no [systems.connector]"), "{err}");
    }

    #[test]
    fn bad_retention_and_retry_settings_are_named() {
        let text = format!("[retention]\nfinancial_year_end = \"06-31\"\n{EXAMPLE}");
        let c = Config::parse(&text, "f").expect("shape is fine");
        let err = format!(
            "{:#}",
            c.retention.load(Path::new(".")).expect_err("no 31 June")
        );
        assert!(err.contains("financial_year_end"), "{err}");
        let text = format!("[retention]\nrules = \"missing.toml\"\n{EXAMPLE}");
        let c = Config::parse(&text, "f").expect("shape is fine");
        let err = format!(
            "{:#}",
            c.retention
                .load(Path::new("/nonexistent"))
                .expect_err("missing")
        );
        assert!(err.contains("cannot read retention rules"), "{err}");
        let text = format!("[retries]\nmax_attempts = 0\n{EXAMPLE}");
        let c = Config::parse(&text, "f").expect("shape is fine");
        assert!(c.retries.policy().is_err());
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
