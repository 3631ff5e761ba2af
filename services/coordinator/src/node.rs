//! The coordinator's background work and its gRPC services, started together: the
//! acknowledgment subscription, the projection, the outbox relay, the transparency log and
//! the timers, and the `erasure.v1` API with the standard health and reflection services.
//! Serving those services (listeners, layers, shutdown) is the caller's.

use crate::coordinator::Coordinator;
use crate::grpc::Api;
use crate::ingest::Ingest;
use crate::projection::Projection;
use crate::relay::{Relay, RelayConfig};
use erasure_bus::{Handler, HandlerError, Message, Subscription, Transport, topics};
use erasure_proto::v1::erasure_service_server::ErasureServiceServer;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tonic::service::Routes;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The coordinator's handler of the acknowledgment topic.
#[derive(Debug)]
pub struct AckIngest(pub Ingest);

#[async_trait::async_trait]
impl Handler for AckIngest {
    async fn handle(&self, message: Message) -> Result<(), HandlerError> {
        self.0.ingest(&message).await.map_err(|e| {
            tracing::warn!(error = %e, "acknowledgment not recorded; it will be delivered again");
            HandlerError::Transient(e.to_string())
        })
    }
}

/// The coordinator's handler of the resolutions topic.
#[derive(Debug)]
pub struct ResolutionIngest(pub Ingest);

#[async_trait::async_trait]
impl Handler for ResolutionIngest {
    async fn handle(&self, message: Message) -> Result<(), HandlerError> {
        self.0.ingest_resolution(&message).await.map_err(|e| {
            tracing::warn!(error = %e, "resolution not recorded; it will be delivered again");
            HandlerError::Transient(e.to_string())
        })
    }
}

/// How the node runs its background work.
#[derive(Debug, Clone)]
pub struct Options {
    /// How often a tree head is signed when the transparency log grew.
    pub tree_head_interval: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            tree_head_interval: Duration::from_secs(60),
        }
    }
}

/// The background work, running.
#[derive(Debug)]
pub struct Node {
    stop: watch::Sender<bool>,
    guards: Vec<JoinHandle<()>>,
    fatal: mpsc::Receiver<String>,
    _acks: Subscription,
    _resolutions: Subscription,
    /// The transparency log the API proves certificates with.
    log: Arc<crate::transparency::TransparencyLog>,
    /// The API the gRPC services serve, for other edges that call it in process.
    api: Arc<Api>,
}

impl Node {
    /// Starts the background work; returns it with the gRPC services to serve.
    pub async fn start(
        coordinator: Arc<Coordinator>,
        transport: Arc<dyn Transport>,
        options: Options,
    ) -> Result<(Self, Routes), BoxError> {
        let (stop, stop_rx) = watch::channel(false);
        let stopped = move || {
            let mut rx = stop_rx.clone();
            async move {
                let _ = rx.wait_for(|s| *s).await;
            }
        };
        let acks = Arc::new(AckIngest(coordinator.acks().clone()));
        let _acks = transport.subscribe(topics::ACKS, acks).await?;
        let resolutions = Arc::new(ResolutionIngest(coordinator.acks().clone()));
        let _resolutions = transport
            .subscribe(topics::RESOLUTIONS, resolutions)
            .await?;

        let streams = coordinator.streams();
        let projection = Projection::new(streams.clone(), Arc::clone(coordinator.policy()));
        let log = coordinator.transparency_log();
        projection.share_with(Arc::clone(&log));
        // The whole history, read once for both, before anything is served.
        projection.catch_up().await?;
        log.advance().await?;
        let relay = Relay::new(
            streams.clone(),
            coordinator.sealer().clone(),
            Arc::clone(coordinator.notary()),
            coordinator.policy().clone(),
            Arc::clone(&transport),
            RelayConfig::default(),
        );
        let tasks = [
            ("the outbox relay", tokio::spawn(relay.run(stopped()))),
            (
                "the projection",
                tokio::spawn(Arc::clone(&projection).run(stopped())),
            ),
            (
                "the timer loop",
                tokio::spawn(crate::timers::run(
                    coordinator.commands().clone(),
                    Arc::clone(&projection),
                    crate::timers::DEFAULT_INTERVAL,
                    stopped(),
                )),
            ),
            (
                "the metrics",
                tokio::spawn(crate::metrics::observe(
                    Arc::clone(&projection),
                    streams.store().clone(),
                    Arc::clone(&transport),
                    streams.clock().clone(),
                    stopped(),
                )),
            ),
            (
                "the transparency log",
                tokio::spawn(Arc::clone(&log).run(
                    options.tree_head_interval,
                    projection.changes(),
                    stopped(),
                )),
            ),
        ];
        let (fatal_tx, fatal) = mpsc::channel(tasks.len());
        let guards = tasks
            .into_iter()
            .map(|(what, task)| guard(what, task, fatal_tx.clone(), stop.subscribe()))
            .collect();
        let replays = crate::replays::Replays::new(
            coordinator.commands().clone(),
            Arc::clone(&projection),
            Arc::new(coordinator.inventory().clone()),
            stop.subscribe(),
        );
        replays.resume();
        let api = Arc::new(Api::new(coordinator, projection, Arc::clone(&log), replays));
        let routes = services(Arc::clone(&api)).await?;
        let node = Self {
            stop,
            guards,
            fatal,
            _acks,
            _resolutions,
            log,
            api,
        };
        Ok((node, routes))
    }

    /// The transparency log certificates are proven with (other endpoints that serve
    /// certificate files use it too).
    pub fn log(&self) -> Arc<crate::transparency::TransparencyLog> {
        Arc::clone(&self.log)
    }

    /// The API the gRPC services serve, to call in process (the console's JSON gateway): the
    /// same checks and limits, without the network.
    pub fn api(&self) -> Arc<Api> {
        Arc::clone(&self.api)
    }

    /// Resolves when a background task ended before [`Node::stop`] (a panic, or a loop
    /// that returned), saying which. A server that answers but never delivers must stop
    /// instead, so that a supervisor restarts it.
    pub async fn failed(&mut self) -> String {
        match self.fatal.recv().await {
            Some(why) => why,
            None => std::future::pending().await,
        }
    }

    /// Stops the background work; the relay finishes what it is delivering.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for g in self.guards {
            let _ = g.await;
        }
    }
}

/// The API with the standard health and reflection services.
async fn services(api: Arc<Api>) -> Result<Routes, BoxError> {
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter
        .set_serving::<ErasureServiceServer<Api>>()
        .await;
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(erasure_proto::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    Ok(Routes::new(health)
        .add_service(reflection)
        .add_service(ErasureServiceServer::from_arc(api)))
}

/// Awaits `task`; reports on `fatal` when it ends while the node is not stopping.
fn guard(
    what: &'static str,
    task: JoinHandle<()>,
    fatal: mpsc::Sender<String>,
    stopping: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let ended = task.await;
        if !*stopping.borrow() {
            let why = match ended {
                Ok(()) => "returned".to_owned(),
                Err(e) => format!("failed: {e}"),
            };
            let _ = fatal
                .send(format!("{what} stopped unexpectedly ({why})"))
                .await;
        }
    })
}
