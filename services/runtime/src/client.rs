//! Connecting to a running `erasure serve` over gRPC, with errors a person can act on:
//! the server's address, a bearer token sent with every call, and TLS (the CA that
//! issued the server's certificate; a client certificate for mutual TLS).

use anyhow::{Context, Result, bail};
use erasure_proto::v1::erasure_service_client::ErasureServiceClient;
use std::path::PathBuf;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

/// A client of the `erasure.v1` API.
pub type Client = ErasureServiceClient<InterceptedService<Channel, Bearer>>;

/// Where the client commands look for a server by default.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// A server and the credentials to call it with.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// `http://host:port`, or `https://host:port` for a server that speaks TLS.
    pub server: String,
    /// A bearer token (JWT) sent with every call.
    pub token: Option<String>,
    /// The CA certificate (PEM) that issued the server's certificate.
    pub ca_cert: Option<PathBuf>,
    /// This client's certificate and key (PEM), for a server that requires them.
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
}

impl Target {
    /// The server at `server`, without credentials.
    pub fn new(server: impl Into<String>) -> Self {
        Self {
            server: server.into(),
            ..Self::default()
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.server)
    }
}

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Debug, Clone)]
pub struct Bearer(Option<MetadataValue<Ascii>>);

impl Interceptor for Bearer {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(value) = &self.0 {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        Ok(request)
    }
}

/// Connects to `target`, or says that nothing answers there and how to start a server.
pub async fn connect(target: &Target) -> Result<Client> {
    let server = &target.server;
    let mut endpoint = Channel::from_shared(server.clone())
        .with_context(|| format!("invalid server address {server:?}"))?;
    if let Some(tls) = tls(target)? {
        endpoint = endpoint
            .tls_config(tls)
            .context("cannot set up TLS to the server")?;
    }
    let bearer = match &target.token {
        Some(t) => Some(
            format!("Bearer {}", t.trim())
                .parse()
                .context("the token has characters a header cannot carry")?,
        ),
        None => None,
    };
    let channel = endpoint.connect_timeout(std::time::Duration::from_secs(5)).connect().await.map_err(|_| {
        anyhow::anyhow!("no erasure server answers at {server} (start one with `erasure serve`, or set --server / ERASURE_SERVER; for TLS: https:// and --ca-cert)")
    })?;
    Ok(ErasureServiceClient::with_interceptor(
        channel,
        Bearer(bearer),
    ))
}

fn tls(target: &Target) -> Result<Option<ClientTlsConfig>> {
    let read = |flag: &str, p: &PathBuf| {
        std::fs::read(p).with_context(|| format!("{flag}: cannot read {}", p.display()))
    };
    let https = target.server.starts_with("https://");
    let Some(ca) = &target.ca_cert else {
        if https || target.client_cert.is_some() {
            bail!("TLS needs --ca-cert FILE: the CA certificate that issued the server's");
        }
        return Ok(None);
    };
    if !https {
        bail!("--ca-cert is for TLS servers: use an https:// server address");
    }
    let mut tls =
        ClientTlsConfig::new().ca_certificate(Certificate::from_pem(read("--ca-cert", ca)?));
    match (&target.client_cert, &target.client_key) {
        (Some(cert), Some(key)) => {
            let identity =
                Identity::from_pem(read("--client-cert", cert)?, read("--client-key", key)?);
            tls = tls.identity(identity);
        }
        (None, None) => {}
        _ => bail!("--client-cert and --client-key go together"),
    }
    Ok(Some(tls))
}

/// A gRPC error as one line: its message, which the server keeps free of personal data.
pub fn rpc(e: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{}", e.message())
}
