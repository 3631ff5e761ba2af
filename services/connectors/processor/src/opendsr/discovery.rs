//! The processor's discovery document (`GET <base_url>/discovery`): the identity types and
//! formats it accepts, whether it takes erasure requests, and where its signing certificate
//! is. Kept for an hour.

use crate::http::{Client, Failure, Outgoing};
use reqwest::Url;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

const KEPT_FOR: Duration = Duration::from_secs(3600);

/// What the connector uses of the discovery document.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Discovery {
    #[serde(default)]
    pub api_version: String,
    pub supported_identities: Vec<SupportedIdentity>,
    pub supported_subject_request_types: Vec<String>,
    pub processor_certificate: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SupportedIdentity {
    pub identity_type: String,
    pub identity_format: String,
}

impl Discovery {
    /// The formats the processor accepts for `identity_type`.
    pub fn formats(&self, identity_type: &str) -> impl Iterator<Item = &str> {
        self.supported_identities
            .iter()
            .filter(move |s| s.identity_type == identity_type)
            .map(|s| s.identity_format.as_str())
    }
}

/// The discovery document, fetched when first needed and again after an hour.
#[derive(Debug)]
pub struct DiscoveryCache {
    url: Url,
    kept: Mutex<Option<(Arc<Discovery>, Instant)>>,
}

impl DiscoveryCache {
    pub fn new(url: Url) -> Self {
        Self {
            url,
            kept: Mutex::new(None),
        }
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The document; `fresh` fetches it again (the certificate may have changed).
    pub async fn get(&self, client: &Client, fresh: bool) -> Result<Arc<Discovery>, Failure> {
        let mut kept = self.kept.lock().await;
        if let Some((discovery, at)) = kept.as_ref()
            && !fresh
            && at.elapsed() < KEPT_FOR
        {
            return Ok(Arc::clone(discovery));
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        let request = Outgoing::get(self.url.clone());
        let answer = client.send("discovery", &request, deadline).await?;
        if !answer.is_success() {
            return Err(answer.failure("discovery"));
        }
        let discovery: Discovery = serde_json::from_str(&answer.body).map_err(|_| {
            Failure::Permanent("discovery: not an OpenDSR discovery document".into())
        })?;
        if !discovery
            .supported_subject_request_types
            .iter()
            .any(|t| t == "erasure")
        {
            return Err(Failure::Permanent(
                "discovery: the processor does not take erasure requests".into(),
            ));
        }
        let discovery = Arc::new(discovery);
        *kept = Some((Arc::clone(&discovery), Instant::now()));
        Ok(discovery)
    }
}
