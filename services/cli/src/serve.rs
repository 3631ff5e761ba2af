//! `erasure serve`: opens the data directory, keys, store and connectors the configuration
//! names, and serves the gRPC API until Ctrl-C or SIGTERM.

use crate::config::{BusConfig, Config, DEFAULT_LISTEN, KafkaBusConfig, StoreConfig, SystemConfig};
use anyhow::{Context, Result};
use erasure_bus::embedded::EmbeddedTransport;
use erasure_bus::kafka::{KafkaConfig, KafkaTransport};
use erasure_bus::{Subscription, Transport};
use erasure_connector_sdk::{Runner, RunnerConfig, load_or_generate};
use erasure_coordinator::node::Node;
use erasure_coordinator::vault::Vault;
use erasure_coordinator::{Clock, Coordinator, OffsetClock, Storage, SystemClock};
use erasure_core::SystemId;
use erasure_core::decide::Policy;
use erasure_core::inventory::{Inventory, SystemSpec};
use erasure_proof::TrustStore;
use erasure_store::postgres::PostgresStore;
use erasure_store::sqlite::SqliteStore;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Configuration file (TOML). Without it: the built-in example inventory.
    #[arg(long, env = "ERASURE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where events, keys and connector state live.
    #[arg(long, env = "ERASURE_DATA_DIR", default_value = "erasure-data")]
    pub data_dir: PathBuf,
    /// gRPC listen address [default: from the configuration, else 127.0.0.1:50051].
    #[arg(long, env = "ERASURE_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Create the example systems' data even with --config (to try a changed example).
    #[arg(long)]
    pub with_example_data: bool,
}

/// The wall clock, or (for exercising timers that run for years, never in production) the
/// wall clock moved by `ERASURE_CLOCK_OFFSET`, e.g. `3660d`, `-2h`.
fn clock() -> Result<Arc<dyn Clock>> {
    let Ok(offset) = std::env::var("ERASURE_CLOCK_OFFSET") else {
        return Ok(Arc::new(SystemClock));
    };
    let offset = parse_offset(offset.trim())
        .with_context(|| format!("ERASURE_CLOCK_OFFSET {offset:?}: use e.g. 3660d, 12h, -30m"))?;
    eprintln!(
        "erasure: WARNING: the clock is moved by {offset} (ERASURE_CLOCK_OFFSET): for tests only"
    );
    tracing::warn!(%offset, "clock offset in effect (ERASURE_CLOCK_OFFSET); for tests only");
    Ok(Arc::new(OffsetClock { offset }))
}

fn parse_offset(s: &str) -> Option<chrono::Duration> {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let (n, unit) = rest.split_at(rest.len().checked_sub(1)?);
    let n: i64 = n.parse().ok()?;
    let d = match unit {
        "d" => chrono::Duration::try_days(n)?,
        "h" => chrono::Duration::try_hours(n)?,
        "m" => chrono::Duration::try_minutes(n)?,
        "s" => chrono::Duration::try_seconds(n)?,
        _ => return None,
    };
    Some(d * sign)
}

pub async fn run(args: ServeArgs) -> Result<()> {
    let config = Config::load(args.config.as_deref())?.with_env();
    let data_dir = prepare_data_dir(&args.data_dir)?;
    // One server per data directory; `erasure keys rotate` waits for it to stop.
    let _lock = crate::keys::lock_data_dir(&data_dir)?;
    let listen = args
        .listen
        .or(config.server.listen)
        .unwrap_or(DEFAULT_LISTEN.parse()?);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let example = args.config.is_none() || args.with_example_data;
    if example && crate::example::seed(&data_dir)? {
        println!(
            "example data created in {}",
            data_dir.join("example").display()
        );
    }

    let storage = open_store(&config.store, &data_dir).await?;
    let vault = Vault::load_or_create(&data_dir.join("keys/master.key"))?;
    let signer = load_or_generate(&data_dir.join("keys/coordinator.json"))?;
    let mut trust = load_trust(config.keys.trusted_connectors.as_deref(), &data_dir)?;
    let (transport, _runners) = match &config.bus {
        BusConfig::Embedded => {
            let transport: Arc<dyn Transport> = Arc::new(EmbeddedTransport::new());
            let mut runners = Vec::new();
            for system in &config.systems {
                let (runner, public) =
                    start_connector(system, &data_dir, Arc::clone(&transport)).await?;
                trust.add_connector(&system.id, &public);
                runners.push(runner);
            }
            (transport, runners)
        }
        BusConfig::Kafka(bus) => {
            let kafka = kafka_transport(bus, "erasure-coordinator")?;
            let mut topics = vec![erasure_bus::topics::ACKS.to_owned()];
            topics.extend(
                config
                    .systems
                    .iter()
                    .map(|s| erasure_bus::topics::work(&s.id)),
            );
            kafka.ensure_topics(&topics).await?;
            for s in config
                .systems
                .iter()
                .filter(|s| !trust.connectors.contains_key(&s.id))
            {
                tracing::warn!(system = %s.id, "no trusted key for this system's connector: its acknowledgments will be rejected");
            }
            (Arc::new(kafka) as Arc<dyn Transport>, Vec::new())
        }
    };
    merge_rotations(&mut trust, &data_dir)?;
    let inventory = Inventory::new(config.systems.iter().map(|s| SystemSpec {
        id: SystemId::new(&s.id),
        categories: s.categories.clone(),
    }));
    let (rules, financial_year_end) = config.retention.load(&data_dir)?;
    let options = config.log.options()?;
    let policy = Policy {
        retry: config.retries.policy()?,
        rules,
        financial_year_end,
        warn_before_days: config.deadlines.warn_before_days.clone(),
    };
    let coordinator = Arc::new(
        Coordinator::new(storage, vault, inventory, signer, trust, clock()?).with_policy(policy),
    );
    let trust_file = data_dir.join("trust.json");
    std::fs::write(
        &trust_file,
        serde_json::to_string_pretty(&coordinator.public_keys())?,
    )
    .with_context(|| format!("cannot write {}", trust_file.display()))?;

    println!("erasure: listening on {} (gRPC)", listener.local_addr()?);
    println!("data: {}", data_dir.display());
    println!(
        "trust file (public keys, for `erasure verify --trust`): {}",
        trust_file.display()
    );
    for s in &config.systems {
        match &s.connector {
            Some(c) => println!(
                "system {}: {} connector, in-process ({})",
                s.id,
                c.kind(),
                s.description
            ),
            None => println!(
                "system {}: connector runs elsewhere ({})",
                s.id, s.description
            ),
        }
    }
    let (mut node, routes) = Node::start(coordinator, transport, options)
        .await
        .map_err(|e| anyhow::anyhow!("server failed: {e}"))?;
    let grpc = tonic::transport::Server::builder()
        .add_routes(routes)
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::TcpListenerStream::new(listener),
            shutdown_signal(),
        );
    tokio::select! {
        served = grpc => served.map_err(|e| anyhow::anyhow!("server failed: {e}"))?,
        why = node.failed() => anyhow::bail!("server failed: {why}"),
    }
    node.stop().await;
    println!("erasure: stopped");
    Ok(())
}

/// The Kafka transport for a bus configuration; `default_group` when it names none.
pub fn kafka_transport(bus: &KafkaBusConfig, default_group: &str) -> Result<KafkaTransport> {
    let config = KafkaConfig {
        idempotent: bus.idempotent_producer.unwrap_or(true),
        brokers: bus.brokers.clone(),
        group_id: bus
            .group_id
            .clone()
            .unwrap_or_else(|| default_group.to_owned()),
        partitions: bus.partitions.unwrap_or(6),
        replication_factor: bus.replication_factor.unwrap_or(1),
        client_id: default_group.to_owned(),
    };
    KafkaTransport::new(config)
        .map_err(|e| anyhow::anyhow!("cannot set up the Kafka transport: {e}"))
}

/// Connector keys trusted from a file (relative to the data directory); empty when none.
fn load_trust(path: Option<&Path>, data_dir: &Path) -> Result<TrustStore> {
    let Some(path) = path.map(|p| data_dir.join(p)) else {
        return Ok(TrustStore::default());
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the trusted connector keys {}", path.display()))?;
    let mut trust: TrustStore = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a trust file", path.display()))?;
    trust.coordinator.clear(); // only connector keys are taken from it
    Ok(trust)
}

/// Keys rotated with `erasure keys rotate`: retired keys stay trusted for what they signed
/// while valid; the current ones are valid from their rotation.
fn merge_rotations(trust: &mut TrustStore, data_dir: &Path) -> Result<()> {
    let path = data_dir.join("keys/rotations.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let rotations: TrustStore = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a trust file", path.display()))?;
    for key in rotations.coordinator {
        trust.add_coordinator_entry(key);
    }
    for (system, keys) in rotations.connectors {
        for key in keys {
            trust.add_connector_entry(&system, key);
        }
    }
    Ok(())
}

/// Creates the data directory and checks that it can be written to.
fn prepare_data_dir(dir: &Path) -> Result<PathBuf> {
    let fail = |e: std::io::Error| {
        anyhow::anyhow!("data directory {} is not writable: {e}", dir.display())
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)?;
    dir.canonicalize().map_err(fail)
}

async fn open_store(config: &StoreConfig, data_dir: &Path) -> Result<Arc<dyn Storage>> {
    Ok(match config {
        StoreConfig::Sqlite { path } => {
            let file = path
                .clone()
                .unwrap_or_else(|| PathBuf::from("events.sqlite"));
            Arc::new(SqliteStore::open(&data_dir.join(file))?)
        }
        StoreConfig::Postgres { url, pool_size } => {
            Arc::new(PostgresStore::connect(url, pool_size.unwrap_or(8)).await?)
        }
    })
}

async fn start_connector(
    system: &SystemConfig,
    data_dir: &Path,
    transport: Arc<dyn Transport>,
) -> Result<(Subscription, erasure_proof::PublicKey)> {
    let what = || format!("system {}", system.id);
    let Some(connector) = &system.connector else {
        anyhow::bail!("system {} has no connector to run in-process", system.id);
    };
    let connector = crate::connector::build_connector(connector, data_dir).with_context(what)?;
    let key = load_or_generate(&data_dir.join(format!("keys/connectors/{}.json", system.id)))?;
    std::fs::create_dir_all(data_dir.join("connectors"))
        .context("cannot create the connectors directory")?;
    let public = key.public();
    let config = RunnerConfig {
        system_id: SystemId::new(&system.id),
        state_path: Some(data_dir.join(format!("connectors/{}.sqlite", system.id))),
        max_per_second: system.max_per_second,
    };
    let runner = Arc::new(
        Runner::new(config, connector, key, transport)
            .await
            .with_context(what)?,
    );
    let subscription = runner.start().await.with_context(what)?;
    Ok((subscription, public))
}

pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[cfg(test)]
mod tests {
    use super::parse_offset;

    #[test]
    fn clock_offsets_parse() {
        assert_eq!(parse_offset("3660d"), Some(chrono::Duration::days(3660)));
        assert_eq!(parse_offset("+2h"), Some(chrono::Duration::hours(2)));
        assert_eq!(parse_offset("-30m"), Some(chrono::Duration::minutes(-30)));
        for bad in ["", "d", "10", "10y", "ten d"] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }
}
