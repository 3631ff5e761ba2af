//! Serving: the gRPC services on their listener, further listeners (an HTTP page, say),
//! and layers that wrap every call on every listener (authentication, limits, metrics).
//! Shutdown comes from the caller.
//!
//! Each listener serves an `axum::Router` (the gRPC services become one through
//! `tonic::service::Routes`), so a layer is any tower layer `axum::Router::layer` takes,
//! e.g. `axum::middleware::from_fn(...)`: it sees the HTTP request of every gRPC call and
//! of every page, and can answer it itself.

use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::Route;
use std::convert::Infallible;
use std::future::Future;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tonic::service::Routes;
use tonic::transport::ServerTlsConfig;
use tonic::transport::server::TcpIncoming;
use tower::{Layer, Service};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies one layer to a router.
type Wrap = Box<dyn Fn(Router) -> Router + Send>;

/// The listeners of a server, what each serves, and the layers around every call.
pub struct Server {
    /// The gRPC listener (HTTP/2 only), then further ones (HTTP/1.1 and HTTP/2).
    listeners: Vec<(TcpListener, Router, bool)>,
    /// In the order added: the last one added is the outermost.
    layers: Vec<Wrap>,
    /// TLS on the gRPC listener.
    tls: Option<ServerTlsConfig>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("listeners", &self.listeners.len())
            .field("layers", &self.layers.len())
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl Server {
    /// Serves the gRPC `services` on `listener`.
    pub fn new(listener: TcpListener, services: Routes) -> Self {
        Self {
            listeners: vec![(listener, services.into_axum_router(), false)],
            layers: Vec::new(),
            tls: None,
        }
    }

    /// Speaks TLS on the gRPC listener (with client certificates if `tls` requires them).
    pub fn tls(mut self, tls: ServerTlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Serves `router` on a further listener, for browsers and other HTTP clients.
    pub fn listener(mut self, listener: TcpListener, router: Router) -> Self {
        self.listeners.push((listener, router, true));
        self
    }

    /// Wraps every call on every listener in `layer`.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<Route> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        self.layers
            .push(Box::new(move |router: Router| router.layer(layer.clone())));
        self
    }

    /// Serves until `shutdown` resolves, then stops accepting and lets calls in progress
    /// finish. Fails when a listener fails.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), BoxError> {
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let mut servers = JoinSet::new();
        for (i, (listener, router, http1)) in self.listeners.into_iter().enumerate() {
            let router = self.layers.iter().fold(router, |r, wrap| wrap(r));
            let mut builder = tonic::transport::Server::builder();
            if i == 0
                && let Some(tls) = self.tls.clone()
            {
                builder = builder.tls_config(tls)?;
            }
            let mut stopped = stopped.clone();
            let signal = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            servers.spawn(
                builder
                    .accept_http1(http1)
                    .add_routes(Routes::from(router))
                    // Nagle's algorithm off: a small answer goes out at once instead of
                    // waiting for the client's delayed ACK (about 40 ms per call).
                    .serve_with_incoming_shutdown(
                        TcpIncoming::from(listener).with_nodelay(Some(true)),
                        signal,
                    ),
            );
        }
        while let Some(served) = servers.join_next().await {
            served??;
        }
        Ok(())
    }
}
