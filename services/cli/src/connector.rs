//! `erasure connector --config FILE`: one connector as its own process, next to its
//! system. It consumes `erasure.v1.work.<system>`, erases, and publishes acknowledgments
//! signed with its own key on `erasure.v1.acks`.

use crate::config::{ConnectorConfig, KafkaBusConfig};
use anyhow::{Context, Result};
use erasure_bus::Transport;
use erasure_connector_sdk::{Connector, Runner, RunnerConfig, load_or_generate};
use erasure_core::SystemId;
use erasure_proof::TrustStore;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct ConnectorArgs {
    /// The connector's configuration (TOML); relative paths in it resolve against its directory.
    #[arg(long, env = "ERASURE_CONNECTOR_CONFIG")]
    pub config: PathBuf,
    /// Add this connector's public key to a trust file (created if missing) and exit.
    #[arg(long, value_name = "TRUST_FILE")]
    pub register: Option<PathBuf>,
}

/// The standalone connector's file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorFile {
    /// The system this connector erases from.
    pub system: String,
    /// Its Ed25519 key (created, mode 0600, on first start).
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
        let file: Self = crate::config::parse_toml(&text, &path.display().to_string())?;
        if !SystemId::is_valid(&file.system) {
            anyhow::bail!(
                "{}: system {:?} must be lower-case letters, digits, '-' or '_'",
                path.display(),
                file.system
            );
        }
        Ok(file)
    }
}

pub async fn run(args: ConnectorArgs) -> Result<()> {
    let file = ConnectorFile::load(&args.config)?;
    let base = args
        .config
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let key = load_or_generate(&base.join(&file.key_file))?;
    if let Some(trust) = args.register {
        return register(&trust, &file.system, &key.public());
    }
    let connector = build_connector(&file.connector, &base)
        .with_context(|| format!("system {}", file.system))?;
    let ConnectorBus::Kafka(bus) = &file.bus;
    let bus = bus.clone().with_env();
    let transport =
        crate::serve::kafka_transport(&bus, &format!("erasure-connector-{}", file.system))?;
    transport
        .ensure_topics(&[
            erasure_bus::topics::work(&file.system),
            erasure_bus::topics::ACKS.to_owned(),
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
    crate::serve::shutdown_signal().await;
    subscription.close();
    println!("erasure connector: stopped");
    Ok(())
}

/// The connector a configuration names, with relative paths resolved against `base`.
pub fn build_connector(config: &ConnectorConfig, base: &Path) -> Result<Arc<dyn Connector>> {
    Ok(match config {
        ConnectorConfig::Sql(c) => {
            Arc::new(erasure_connector_sql::SqlConnector::new(c.clone(), base)?)
        }
        ConnectorConfig::ObjectStore(c) => Arc::new(
            erasure_connector_object_store::ObjectStoreConnector::new(c.clone(), base)?,
        ),
    })
}

fn register(path: &Path, system: &str, key: &erasure_proof::PublicKey) -> Result<()> {
    let mut trust: TrustStore = match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{} is not a trust file", path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => TrustStore::default(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    trust.add_connector(system, key);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, serde_json::to_string_pretty(&trust)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "registered connector {system} key {} in {}",
        key.key_id(),
        path.display()
    );
    Ok(())
}
