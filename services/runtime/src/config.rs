//! Configuration of `erasure serve`: defaults, then the TOML file (or the built-in
//! example), then environment variables and flags (applied by the caller). Unknown keys
//! are errors that name the key and its line.
//!
//! The sections that make the coordinator's policy are in [`crate::policy`]; a
//! connector's own section is its kind's typed struct ([`crate::registry`]).

mod access;
mod opendsr;

pub use access::{AuthConfig, RateLimitConfig, TlsConfig};
pub use opendsr::OpenDsrConfig;

use crate::policy::{DeadlinesConfig, LogConfig, RetentionConfig, RetriesConfig};
use crate::registry::ConnectorConfig;
use anyhow::{Context, Result};
use erasure_core::inventory::{Notice, Recipient, RecipientRole, SystemSpec};
use erasure_core::{IdentifierKind, SystemId};
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
    /// Authentication; without it, open mode (loopback only).
    pub auth: Option<AuthConfig>,
    /// Calls per principal; unlimited without it.
    pub rate_limit: Option<RateLimitConfig>,
    /// TLS (and mutual TLS) on the gRPC listener; plain HTTP/2 without it.
    pub tls: Option<TlsConfig>,
    /// The OpenDSR endpoints for controllers (needs `[server] http_listen` and `[auth]`).
    pub opendsr: Option<OpenDsrConfig>,
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
    /// The coordinator's master key (64 hex digits), e.g. a mounted Kubernetes Secret;
    /// relative to the data directory. It must exist: it is never created. Absent:
    /// `<data-dir>/keys/master.key`, created on first start. `ERASURE_MASTER_KEY` (the key
    /// itself) overrides both. See [`crate::secrets`].
    pub master_key_file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// gRPC listen address.
    pub listen: Option<SocketAddr>,
    /// HTTP listen address (HTTP/1.1 and HTTP/2, plain: put TLS in front of it) for the
    /// HTTP endpoints: `GET /metrics` (Prometheus), and the OpenDSR ones with `[opendsr]`.
    /// Served with the same authentication and limits as the gRPC listener (`/metrics`
    /// needs the platform or auditor role). Absent: no HTTP listener, no `/metrics`.
    pub http_listen: Option<SocketAddr>,
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
        /// `[store.tls]`: TLS to the server; absent: plain TCP.
        tls: Option<StoreTlsConfig>,
    },
}

/// `[store.tls]`: how the event store reaches PostgreSQL.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreTlsConfig {
    /// `verify-full` (TLS required; the server's certificate chains to `ca_file` or the
    /// system's roots and names the host) or `disable`. There is no mode that encrypts
    /// without verifying (libpq's `require`): it protects from no one in the middle.
    pub mode: StoreTlsMode,
    /// PEM file of the CA certificates the server's certificate must chain to.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreTlsMode {
    Disable,
    VerifyFull,
}

impl StoreTlsConfig {
    /// What the store takes.
    pub fn tls(config: Option<&Self>) -> erasure_store::postgres::PostgresTls {
        use erasure_store::postgres::PostgresTls;
        match config {
            Some(Self {
                mode: StoreTlsMode::VerifyFull,
                ca_file,
            }) => PostgresTls::VerifyFull {
                ca_file: ca_file.clone(),
            },
            _ => PostgresTls::Disabled,
        }
    }
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
    /// TLS to the broker; absent: plaintext (a trusted network only).
    pub tls: Option<BusTlsConfig>,
    /// SASL/SCRAM authentication to the broker; needs `[bus.tls]`.
    pub sasl: Option<BusSaslConfig>,
}

/// `[bus.tls]`: the broker's certificate is verified, host name included.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusTlsConfig {
    /// PEM file of the CA certificates the broker's certificate must chain to; absent:
    /// the system's roots.
    pub ca_file: Option<PathBuf>,
}

/// `[bus.sasl]`: SCRAM credentials. The password comes from a file (a mounted Secret) or
/// an environment variable, exactly one of them, never from this file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusSaslConfig {
    /// `SCRAM-SHA-256` or `SCRAM-SHA-512`.
    pub mechanism: erasure_bus::kafka::ScramMechanism,
    pub username: String,
    /// File holding the password (a trailing newline is dropped).
    pub password_file: Option<PathBuf>,
    /// Environment variable holding the password.
    pub password_env: Option<String>,
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
    /// No connector: an operator does the work (a vendor who only takes e-mail, paper
    /// records) and closes each task with evidence (`erasure task complete`). Such a
    /// system has no `[systems.connector]`, in any mode.
    pub manual: Option<ManualConfig>,
    /// The system stands for a recipient the person's data was disclosed to (GDPR Art.
    /// 19): a processor or another controller. Certificates list every recipient with how
    /// and when it was told.
    pub recipient: Option<RecipientConfig>,
    /// Ask this system only once every other system's task is final. Default: true for a
    /// `backup` connector running in-process (a set taken while another system was still
    /// erasing may hold the person too), false otherwise; set it for a backups system
    /// whose connector runs elsewhere.
    pub asked_last: Option<bool>,
    /// Identifier kinds ("email", "customer_id", ...) the system files data under as one
    /// path segment (an object store's key templates): a request whose value of such a
    /// kind is ".", "..", or holds '/', '\\' or a control character is refused at submit.
    /// Derived from the connector when it runs in-process; declare it for a connector
    /// that runs elsewhere.
    #[serde(default)]
    pub path_segments: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualConfig {
    /// What the operator must do, shown by `erasure task list`.
    pub instructions: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientConfig {
    /// As the person would recognise it, e.g. "Maksu Oy (card payments)".
    pub name: String,
    /// "processor" (processes the data for you, Art. 28) or "controller" (another
    /// controller you disclosed the data to).
    pub role: String,
    /// How it is told: "api", "opendsr", "manual" or "connector". Derived when the system
    /// is manual ("manual") or its connector runs in-process (a `processor` connector:
    /// "api", or "opendsr" with that profile; another kind: "connector"); required
    /// otherwise.
    pub via: Option<String>,
}

impl SystemConfig {
    /// The recipient the system stands for, with how it is told (see
    /// [`RecipientConfig::via`]); `Err` names the setting.
    pub fn recipient(&self) -> Result<Option<Recipient>> {
        let Some(r) = &self.recipient else {
            return Ok(None);
        };
        let id = &self.id;
        let name = r.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            anyhow::bail!("system {id}: recipient.name: 1 to 200 characters");
        }
        let role = RecipientRole::parse(&r.role).with_context(|| {
            format!(
                "system {id}: recipient.role: \"processor\" or \"controller\", not {:?}",
                r.role
            )
        })?;
        let derived = match (&self.manual, &self.connector) {
            (Some(_), _) => Some(Notice::Manual),
            (None, Some(c)) => Some(c.notice()),
            (None, None) => None,
        };
        let via = match (r.via.as_deref(), derived) {
            (Some(v), derived) => {
                let via = Notice::parse(v).with_context(|| {
                    format!(
                        "system {id}: recipient.via: api, opendsr, manual or connector, not {v:?}"
                    )
                })?;
                if derived.is_some_and(|d| d != via) {
                    anyhow::bail!(
                        "system {id}: recipient.via is {v}, but the system is told by {}",
                        derived.map_or("", Notice::name)
                    );
                }
                via
            }
            (None, Some(d)) => d,
            (None, None) => anyhow::bail!(
                "system {id}: recipient.via: say how the recipient is told (api, opendsr, manual or connector): its connector runs elsewhere"
            ),
        };
        Ok(Some(Recipient {
            name: name.to_owned(),
            role,
            via,
        }))
    }

    /// The system as the inventory knows it.
    pub fn spec(&self) -> Result<SystemSpec> {
        Ok(SystemSpec {
            id: SystemId::new(&self.id),
            categories: self.categories.clone(),
            resolves: self.resolves,
            manual: self.manual.is_some(),
            recipient: self.recipient()?,
            description: self.description.clone(),
            instructions: self
                .manual
                .as_ref()
                .map(|m| m.instructions.trim().to_owned())
                .unwrap_or_default(),
            asked_last: self.asked_last.unwrap_or_else(|| {
                self.connector
                    .as_ref()
                    .is_some_and(|c| c.kind() == "backup")
            }),
            path_segments: self.path_segments()?,
        })
    }

    /// The kinds declared in `path_segments` and those the in-process connector uses.
    pub fn path_segments(&self) -> Result<std::collections::BTreeSet<IdentifierKind>> {
        let mut kinds = std::collections::BTreeSet::new();
        for name in &self.path_segments {
            let kind = IdentifierKind::parse(name).with_context(|| {
                format!(
                    "system {}: path_segments: {name:?} is not an identifier kind (email, phone, customer_id, national_id, device_id, account_id, ip_address)",
                    self.id
                )
            })?;
            kinds.insert(kind);
        }
        kinds.extend(self.connector.iter().flat_map(|c| c.path_segments()));
        Ok(kinds)
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
            let (pool_size, tls) = match &self.store {
                StoreConfig::Postgres { pool_size, tls, .. } => (*pool_size, tls.clone()),
                StoreConfig::Sqlite { .. } => (None, None),
            };
            self.store = StoreConfig::Postgres {
                url,
                pool_size,
                tls,
            };
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
            check_manual(s, origin)?;
            s.path_segments().with_context(|| origin.to_owned())?;
            s.recipient().with_context(|| origin.to_owned())?;
            match (&s.connector, embedded) {
                (None, _) if s.manual.is_some() => {}
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

/// A manual system has instructions, no connector, and resolves nothing.
fn check_manual(s: &SystemConfig, origin: &str) -> Result<()> {
    let Some(m) = &s.manual else {
        return Ok(());
    };
    let id = &s.id;
    if s.connector.is_some() {
        anyhow::bail!(
            "{origin}: system {id} is manual and has a [systems.connector]: an operator does a manual system's work; remove one of them"
        );
    }
    if s.resolves {
        anyhow::bail!("{origin}: system {id} is manual: it cannot resolve identifiers");
    }
    if m.instructions.trim().is_empty() {
        anyhow::bail!("{origin}: system {id}: manual.instructions: say what the operator must do");
    }
    Ok(())
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
