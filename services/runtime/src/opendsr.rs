//! This orchestrator as an OpenDSR processor for its controllers (`[opendsr]`, served on
//! `[server] http_listen` under `/opendsr/v1/`; the contract is docs/opendsr.md).
//!
//! - [`request`]: reading a controller's erasure request.
//! - [`routes`]: the endpoints: discovery, the signing certificate, requests, status, and
//!   the completion certificate of a completed request.
//! - [`status`]: a request's OpenDSR status, for the status endpoint and callbacks.
//! - [`callbacks`]: status callbacks to the controller's URLs, signed, when the status
//!   changes (retried until taken).
//! - [`signing`]: the signing certificate and key; every answer and callback is signed.
//! - [`ledger`]: the callback URLs and what each was told (`<data-dir>/opendsr.sqlite`).
//!
//! A controller's request becomes an ordinary erasure request scoped to that controller
//! (the token's controller claim), with idempotency key `opendsr:<controller>:<subject
//! request id>`: the same `subject_request_id` posted twice is one request, and another
//! controller can never reach it (its key gives another request id).

pub mod callbacks;
pub mod ledger;
pub mod request;
pub mod routes;
pub mod signing;
pub mod status;

use crate::config::{Config, OpenDsrConfig};
use anyhow::{Context, Result, bail};
use erasure_coordinator::Coordinator;
use erasure_coordinator::transparency::TransparencyLog;
use ledger::Ledger;
use signing::Signer;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Where a controller posts requests (the OpenGDPR name every processor keeps) and the
/// newer name; both lead to the same requests.
pub const REQUEST_ROUTES: [&str; 2] = ["opengdpr_requests", "opencompliance_requests"];

/// The OpenDSR endpoints' state.
#[derive(Debug)]
pub struct OpenDsr {
    pub coordinator: Arc<Coordinator>,
    pub log: Arc<TransparencyLog>,
    pub signer: Arc<Signer>,
    pub ledger: Ledger,
    /// The deployment's controllers: a token's controller must be one of them.
    pub controllers: Vec<String>,
    /// `public_url` without a trailing slash.
    pub public_url: String,
    pub domain: String,
    pub jurisdiction: Option<String>,
    pub http: reqwest::Client,
    pub callback_interval: Duration,
}

/// What `[opendsr]` needs before anything starts: the signing key (created when missing).
#[derive(Debug)]
pub struct Prepared {
    pub signer: Arc<Signer>,
    pub domain: String,
    config: OpenDsrConfig,
}

impl Prepared {
    /// Checks `[opendsr]` against the rest of the configuration and loads the key.
    pub fn new(config: &Config, data_dir: &Path) -> Result<Option<Self>> {
        let Some((opendsr, domain)) = checked(config)? else {
            return Ok(None);
        };
        Ok(Some(Self {
            signer: Arc::new(Signer::load(opendsr, data_dir, &domain)?),
            domain,
            config: opendsr.clone(),
        }))
    }

    /// The endpoints' state, over the running coordinator and its transparency log.
    pub fn start(
        self,
        config: &Config,
        data_dir: &Path,
        coordinator: Arc<Coordinator>,
        log: Arc<TransparencyLog>,
    ) -> Result<Arc<OpenDsr>> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .context("cannot build the HTTP client for status callbacks")?;
        Ok(Arc::new(OpenDsr {
            coordinator,
            log,
            signer: self.signer,
            ledger: Ledger::open(&data_dir.join("opendsr.sqlite"))?,
            controllers: config.controllers.clone(),
            public_url: self.config.public_url.trim_end_matches('/').to_owned(),
            domain: self.domain,
            jurisdiction: self.config.jurisdiction.clone(),
            http,
            callback_interval: Duration::from_millis(self.config.callback_interval_ms.max(50)),
        }))
    }
}

impl OpenDsr {
    /// The request id of a controller's `subject_request_id`.
    pub fn request_id(&self, controller: &str, subject_request_id: &str) -> String {
        let vault = self.coordinator.sealer().vault();
        vault.request_id_for(&idempotency_key(controller, subject_request_id))
    }

    /// `<public_url>/opengdpr_requests`.
    pub fn requests_url(&self) -> String {
        format!("{}/{}", self.public_url, REQUEST_ROUTES[0])
    }
}

/// `[opendsr]` and its domain, when the rest of the configuration allows it: `[auth]`,
/// `[server] http_listen` and `controllers` are needed. Reads no file.
pub fn checked(config: &Config) -> Result<Option<(&OpenDsrConfig, String)>> {
    let Some(opendsr) = &config.opendsr else {
        return Ok(None);
    };
    if config.auth.is_none() {
        bail!("[opendsr] needs [auth]: a controller is known by its token's controller claim");
    }
    if config.server.http_listen.is_none() {
        bail!("[opendsr] needs [server] http_listen: the endpoints are served over HTTP");
    }
    if config.controllers.is_empty() {
        bail!("[opendsr] needs controllers = [...]: the controllers that may post requests");
    }
    let url = reqwest::Url::parse(&opendsr.public_url).context("opendsr.public_url: not a URL")?;
    let domain = match &opendsr.domain {
        Some(d) => d.clone(),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    if domain.is_empty() {
        bail!("opendsr.domain: required when public_url names no host");
    }
    Ok(Some((opendsr, domain)))
}

/// The idempotency key of a controller's request.
pub fn idempotency_key(controller: &str, subject_request_id: &str) -> String {
    format!("opendsr:{controller}:{subject_request_id}")
}
