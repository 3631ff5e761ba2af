//! Wiring: the ack subscription, the relay, the projection, the timers and the gRPC server, all
//! stopped by one shutdown signal from the caller.

use crate::grpc::Api;
use crate::projection::Projection;
use crate::relay::{Relay, RelayConfig};
use crate::service::Coordinator;
use crate::transparency::TransparencyLog;
use erasure_bus::{Handler, HandlerError, Message, Transport, topics};
use erasure_proto::v1::erasure_service_server::ErasureServiceServer;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_stream::wrappers::TcpListenerStream;

/// The coordinator's handler of the acknowledgment topic.
pub struct AckIngest(pub Arc<Coordinator>);

impl std::fmt::Debug for AckIngest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AckIngest")
    }
}

#[async_trait::async_trait]
impl Handler for AckIngest {
    async fn handle(&self, message: Message) -> Result<(), HandlerError> {
        self.0.ingest(&message).await.map_err(|e| {
            tracing::warn!(error = %e, "acknowledgment not recorded; it will be delivered again");
            HandlerError::Transient(e.to_string())
        })
    }
}

/// How the server runs its background work.
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

/// Serves until `shutdown` resolves, then stops accepting, lets the relay finish what it
/// is delivering, and returns.
pub async fn serve(
    coordinator: Arc<Coordinator>,
    transport: Arc<dyn Transport>,
    listener: TcpListener,
    options: Options,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopping = stop_rx.clone();
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let _acks = transport
        .subscribe(topics::ACKS, Arc::new(AckIngest(Arc::clone(&coordinator))))
        .await?;

    let projection = Projection::new(Arc::clone(&coordinator));
    projection.catch_up().await?;
    let projection_task = tokio::spawn(Arc::clone(&projection).run(stopped()));
    let relay = Relay::new(
        Arc::clone(&coordinator),
        Arc::clone(&transport),
        RelayConfig::default(),
    );
    let relay_task = tokio::spawn(relay.run(stopped()));
    let log = TransparencyLog::new(Arc::clone(&coordinator));
    let log_task = tokio::spawn(Arc::clone(&log).run(options.tree_head_interval, stopped()));
    let timers_task = tokio::spawn(crate::timers::run(
        Arc::clone(&coordinator),
        Arc::clone(&projection),
        crate::timers::DEFAULT_INTERVAL,
        stopped(),
    ));

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_serving::<ErasureServiceServer<Api>>()
        .await;
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(erasure_proto::FILE_DESCRIPTOR_SET)
        .build_v1()?;

    let api = ErasureServiceServer::new(Api::new(Arc::clone(&coordinator), projection, log));
    let server_stop = stopped();
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let grpc = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(reflection)
        .add_service(api)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), server_stop);
    // A background task that ends before shutdown (a panic) would leave a server that
    // answers but never delivers: stop instead, so that a supervisor restarts us.
    let (fatal_tx, mut fatal) = tokio::sync::mpsc::channel::<String>(2);
    let guard = |what: &'static str, task: tokio::task::JoinHandle<()>| {
        let (fatal_tx, stopping) = (fatal_tx.clone(), stopping.clone());
        tokio::spawn(async move {
            let ended = task.await;
            if !*stopping.borrow() {
                let _ = fatal_tx.send(unexpected(what, ended)).await;
            }
        })
    };
    let guards = [
        guard("the outbox relay", relay_task),
        guard("the projection", projection_task),
        guard("the timer loop", timers_task),
        guard("the transparency log", log_task),
    ];
    drop(fatal_tx);
    tokio::select! {
        served = grpc => served?,
        Some(why) = fatal.recv() => return Err(why.into()),
    }
    for g in guards {
        let _ = g.await;
    }
    Ok(())
}

fn unexpected(what: &str, ended: Result<(), tokio::task::JoinError>) -> String {
    let why = match ended {
        Ok(()) => "returned".to_owned(),
        Err(e) => format!("failed: {e}"),
    };
    format!("{what} stopped unexpectedly ({why})")
}
