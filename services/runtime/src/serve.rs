//! `erasure serve`: opens the data directory, keys, store and connectors the configuration
//! names, and serves the gRPC API (and on the HTTP listener the web console, `GET
//! /metrics` and, with `[opendsr]`, the OpenDSR endpoints) until the caller's shutdown
//! signal.

use crate::config::{BusConfig, Config, DEFAULT_LISTEN, KafkaBusConfig, SystemConfig};
use crate::server::Server;
use crate::wiring::{clock, kafka_transport, load_trust, open_store, prepare_data_dir};
use crate::{access, example, keys, opendsr, secrets};
use anyhow::{Context, Result};
use erasure_bus::embedded::EmbeddedTransport;
use erasure_bus::{Subscription, Transport};
use erasure_connector_sdk::{Runner, RunnerConfig, load_or_generate};
use erasure_coordinator::Coordinator;
use erasure_coordinator::node::Node;
use erasure_core::SystemId;
use erasure_core::decide::Policy;
use erasure_core::inventory::Inventory;
use erasure_proof::TrustStore;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::TcpListener;

/// What `erasure serve` runs with, after flags and environment.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Configuration file (TOML). Without it: the built-in example inventory.
    pub config: Option<PathBuf>,
    /// Where events, keys and connector state live.
    pub data_dir: PathBuf,
    /// gRPC listen address; the configuration's, else 127.0.0.1:50051.
    pub listen: Option<SocketAddr>,
    /// HTTP listen address (the console, `/metrics`); the configuration's, else none.
    pub http_listen: Option<SocketAddr>,
    /// Create the example systems' data even with a configuration.
    pub with_example_data: bool,
}

/// The coordinator and the bus it runs on; with the embedded bus, also the in-process
/// connectors (running while their subscriptions are held).
struct Assembled {
    coordinator: Arc<Coordinator>,
    transport: Arc<dyn Transport>,
    _runners: Vec<Subscription>,
}

/// Serves until `shutdown` resolves.
pub async fn run(
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let mut config = Config::load(options.config.as_deref())?.with_env();
    if let Some(addr) = options.http_listen {
        config.server.http_listen = Some(addr);
    }
    let data_dir = prepare_data_dir(&options.data_dir)?;
    // One server per data directory; `erasure keys rotate` waits for it to stop.
    let _lock = keys::lock_data_dir(&data_dir)?;
    let listen = match options.listen.or(config.server.listen) {
        Some(addr) => addr,
        None => DEFAULT_LISTEN.parse()?,
    };
    let open = access::check_listen(&config, listen)?;
    let security = access::Security::from_config(&config)?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let opendsr = opendsr::Prepared::new(&config, &data_dir)?;
    let http = http_listener(&config).await?;
    let metrics = Arc::new(erasure_telemetry::metrics::install(http.is_some())?);
    if (options.config.is_none() || options.with_example_data) && example::seed(&data_dir)? {
        let example = data_dir.join("example");
        println!("example data created in {}", example.display());
    }
    let node_options = config.log.options()?;
    let assembled = assemble(&config, &data_dir).await?;
    let fingerprint = opendsr.as_ref().map(|o| o.signer.fingerprint.clone());
    let trust_file = write_trust_file(&assembled.coordinator, &data_dir, fingerprint)?;
    let coordinator = Arc::clone(&assembled.coordinator);
    // The state is rebuilt from the whole history before "listening" is said: a client
    // that waits for it gets answers that count every event recorded.
    let (mut node, routes) = Node::start(assembled.coordinator, assembled.transport, node_options)
        .await
        .map_err(|e| anyhow::anyhow!("server failed: {e}"))?;
    announce(&listener, &data_dir, &trust_file, &config.systems)?;
    if let Some(http) = &http {
        println!("metrics: http://{}/metrics", http.local_addr()?);
    }
    if let (Some(http), Some(o)) = (&http, &config.opendsr) {
        println!(
            "OpenDSR: listening on {} (HTTP), for controllers at {}",
            http.local_addr()?,
            o.public_url
        );
    }
    if open {
        println!("open mode: no authentication, loopback only");
    }
    let mut server = Server::new(listener, routes);
    let mut callbacks = None;
    if let Some(http) = http {
        println!("console: http://{}/", http.local_addr()?);
        let mut router = crate::metrics::router(Arc::clone(&metrics))
            .merge(crate::console::router(node.api(), open));
        if let Some(prepared) = opendsr {
            let service = prepared.start(&config, &data_dir, coordinator, node.log())?;
            router = router.merge(opendsr::routes::router(Arc::clone(&service)));
            let run = opendsr::callbacks::run(service, std::future::pending());
            callbacks = Some(tokio::spawn(run));
        }
        server = server.listener(http, router);
    }
    let served = tokio::select! {
        served = security.apply(server).serve(shutdown) => {
            served.map_err(|e| anyhow::anyhow!("server failed: {e}"))
        }
        why = node.failed() => Err(anyhow::anyhow!("server failed: {why}")),
    };
    if let Some(callbacks) = callbacks {
        callbacks.abort();
    }
    node.stop().await;
    // The last export (blocking: the exporter's thread sends it over the runtime).
    let _ = tokio::task::spawn_blocking(move || metrics.shutdown()).await;
    served?;
    println!("erasure: stopped");
    Ok(())
}

/// The store, keys, trust, bus and policy the configuration names, as one coordinator.
async fn assemble(config: &Config, data_dir: &Path) -> Result<Assembled> {
    let storage = open_store(&config.store, data_dir).await?;
    let vault = secrets::open_vault(config.keys.master_key_file.as_deref(), data_dir)?;
    let signer = load_or_generate(&data_dir.join("keys/coordinator.json"))?;
    let mut trust = load_trust(config.keys.trusted_connectors.as_deref(), data_dir)?;
    let (transport, runners) = match &config.bus {
        BusConfig::Embedded => in_process(&config.systems, data_dir, &mut trust).await?,
        BusConfig::Kafka(bus) => (kafka(bus, &config.systems, &trust).await?, Vec::new()),
    };
    keys::merge_rotations(&mut trust, data_dir)?;
    let specs = config.systems.iter().map(SystemConfig::spec);
    let inventory = Inventory::new(specs.collect::<Result<Vec<_>>>()?)
        .with_controllers(config.controllers.iter().cloned());
    let (rules, financial_year_end) = config.retention.load(data_dir)?;
    let policy = Policy {
        retry: config.retries.policy()?,
        rules,
        financial_year_end,
        warn_before_days: config.deadlines.warn_before_days.clone(),
        shred_identifiers_after: Some(config.retention.shred_after()?),
        default_jurisdiction: config.retention.default_jurisdiction()?,
    };
    let coordinator = Coordinator::new(storage, vault, inventory, signer, trust, clock()?);
    Ok(Assembled {
        coordinator: Arc::new(coordinator.with_policy(policy)),
        transport,
        _runners: runners,
    })
}

/// The embedded bus with every system's connector running on it; their keys are trusted.
async fn in_process(
    systems: &[SystemConfig],
    data_dir: &Path,
    trust: &mut TrustStore,
) -> Result<(Arc<dyn Transport>, Vec<Subscription>)> {
    let transport: Arc<dyn Transport> = Arc::new(EmbeddedTransport::new());
    let mut runners = Vec::new();
    for system in systems.iter().filter(|s| s.manual.is_none()) {
        let (runner, public) = start_connector(system, data_dir, Arc::clone(&transport)).await?;
        trust.add_connector(&system.id, &public);
        runners.push(runner);
    }
    Ok((transport, runners))
}

/// The Kafka bus, with the acknowledgment topic and every system's work topic.
async fn kafka(
    bus: &KafkaBusConfig,
    systems: &[SystemConfig],
    trust: &TrustStore,
) -> Result<Arc<dyn Transport>> {
    let kafka = kafka_transport(bus, "erasure-coordinator")?;
    let mut topics = vec![
        erasure_bus::topics::ACKS.to_owned(),
        erasure_bus::topics::RESOLUTIONS.to_owned(),
    ];
    let connected = || systems.iter().filter(|s| s.manual.is_none());
    topics.extend(connected().map(|s| erasure_bus::topics::work(&s.id)));
    kafka.ensure_topics(&topics).await?;
    for s in connected().filter(|s| !trust.connectors.contains_key(&s.id)) {
        tracing::warn!(system = %s.id, "no trusted key for this system's connector: its acknowledgments will be rejected");
    }
    Ok(Arc::new(kafka))
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
    let connector = connector.build(data_dir).with_context(what)?;
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

/// The HTTP listener (`[server] http_listen`), which serves `/metrics` and, with
/// `[opendsr]`, the OpenDSR endpoints.
async fn http_listener(config: &Config) -> Result<Option<TcpListener>> {
    let Some(addr) = config.server.http_listen else {
        return Ok(None);
    };
    access::check_listen(config, addr)?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    Ok(Some(listener))
}

/// `trust.json`: the public keys `erasure verify --trust` takes, with the fingerprint of
/// the OpenDSR signing certificate when the endpoints are served (a controller's verifier
/// takes this file as `--processor-trust`).
fn write_trust_file(
    coordinator: &Coordinator,
    data_dir: &Path,
    opendsr_fingerprint: Option<String>,
) -> Result<PathBuf> {
    let trust_file = data_dir.join("trust.json");
    let mut keys = coordinator.public_keys();
    keys.opendsr_certificates.extend(opendsr_fingerprint);
    let json = serde_json::to_string_pretty(&keys)?;
    std::fs::write(&trust_file, json)
        .with_context(|| format!("cannot write {}", trust_file.display()))?;
    Ok(trust_file)
}

fn announce(
    listener: &TcpListener,
    data_dir: &Path,
    trust_file: &Path,
    systems: &[SystemConfig],
) -> Result<()> {
    println!("erasure: listening on {} (gRPC)", listener.local_addr()?);
    println!("data: {}", data_dir.display());
    println!(
        "trust file (public keys, for `erasure verify --trust`): {}",
        trust_file.display()
    );
    for s in systems {
        match &s.connector {
            None if s.manual.is_some() => println!(
                "system {}: manual, closed by an operator ({})",
                s.id, s.description
            ),
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
    Ok(())
}
