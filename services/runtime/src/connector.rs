//! `erasure connector --config FILE`: one connector as its own process, next to its
//! system. It consumes `erasure.v1.work.<system>`, erases, and publishes acknowledgments
//! signed with its own key on `erasure.v1.acks`.

use crate::config::{KafkaBusConfig, parse_toml};
use crate::keys::read_trust_file;
use crate::registry::ConnectorConfig;
use crate::wiring::kafka_transport;
use anyhow::{Context, Result};
use erasure_bus::Transport;
use erasure_connector_sdk::{Runner, RunnerConfig, load_or_generate};
use erasure_core::SystemId;
use erasure_proof::PublicKey;
use serde::Deserialize;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What `erasure connector` runs with.
#[derive(Debug, Clone)]
pub struct ConnectorOptions {
    /// The connector's configuration (TOML); relative paths in it resolve against its
    /// directory.
    pub config: PathBuf,
}

/// The standalone connector's file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorFile {
    /// The system this connector erases from.
    pub system: String,
    /// Its key: Ed25519 signing and, derived from it, X25519 encryption (created, mode
    /// 0600, on first start).
    pub key_file: PathBuf,
    /// Idempotency cache; in memory when absent.
    pub state: Option<PathBuf>,
    /// Pace erasures (per second).
    pub max_per_second: Option<f64>,
    pub bus: ConnectorBus,
    pub connector: ConnectorConfig,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ConnectorBus {
    Kafka(KafkaBusConfig),
}

impl ConnectorFile {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read connector configuration {}", path.display()))?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses a connector's file; errors name `origin`, the line and the key.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let file: Self = parse_toml(text, origin)?;
        if !SystemId::is_valid(&file.system) {
            anyhow::bail!(
                "{origin}: system {:?} must be lower-case letters, digits, '-' or '_'",
                file.system
            );
        }
        Ok(file)
    }
}

/// Runs the connector until `shutdown` resolves.
pub async fn run(options: ConnectorOptions, shutdown: impl Future<Output = ()>) -> Result<()> {
    let file = ConnectorFile::load(&options.config)?;
    let base = base_dir(&options.config);
    let key = load_or_generate(&base.join(&file.key_file))?;
    let connector = file
        .connector
        .clone()
        .with_env()
        .build(&base)
        .with_context(|| format!("system {}", file.system))?;
    let ConnectorBus::Kafka(bus) = &file.bus;
    let bus = bus.clone().with_env();
    let transport = kafka_transport(&bus, &format!("erasure-connector-{}", file.system))?;
    transport
        .ensure_topics(&[
            erasure_bus::topics::work(&file.system),
            erasure_bus::topics::ACKS.to_owned(),
            erasure_bus::topics::RESOLUTIONS.to_owned(),
        ])
        .await?;
    let state = file.state.as_ref().map(|s| base.join(s));
    if let Some(dir) = state.as_ref().and_then(|s| s.parent()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let config = RunnerConfig {
        system_id: SystemId::new(&file.system),
        state_path: state,
        max_per_second: file.max_per_second,
    };
    let transport: Arc<dyn Transport> = Arc::new(transport);
    let key_id = key.key_id().to_owned();
    let runner = Arc::new(Runner::new(config, connector, key, transport).await?);
    let subscription = runner.start().await?;
    println!(
        "erasure connector: system {} ({}), key {key_id}, consuming {} on {}",
        file.system,
        file.connector.kind(),
        erasure_bus::topics::work(&file.system),
        bus.brokers
    );
    shutdown.await;
    subscription.close();
    println!("erasure connector: stopped");
    Ok(())
}

/// A connector that was registered: its system and key.
#[derive(Debug, Clone)]
pub struct Registered {
    pub system: String,
    pub key_id: String,
}

/// Adds the connector's public key (its key file is created on first use) to the trust
/// file at `trust` (created if missing).
pub fn register(options: &ConnectorOptions, trust: &Path) -> Result<Registered> {
    let file = ConnectorFile::load(&options.config)?;
    let key = load_or_generate(&base_dir(&options.config).join(&file.key_file))?;
    add_to_trust(trust, &file.system, &key.public())?;
    Ok(Registered {
        system: file.system,
        key_id: key.key_id().to_owned(),
    })
}

/// The directory relative paths of a connector's file resolve against.
fn base_dir(config: &Path) -> PathBuf {
    config.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn add_to_trust(path: &Path, system: &str, key: &PublicKey) -> Result<()> {
    let mut trust = read_trust_file(path)?;
    trust.add_connector(system, key);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, serde_json::to_string_pretty(&trust)?)
        .with_context(|| format!("cannot write {}", path.display()))
}
