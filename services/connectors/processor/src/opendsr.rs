//! The `opendsr` protocol: OpenDSR (formerly OpenGDPR; also published as OpenCompliance).
//!
//! - One erasure request per task: `subject_request_type = "erasure"`, a UUID v4
//!   `subject_request_id` generated once and kept before anything is sent (a retry never
//!   makes a second request), the person's identities as [`identities`] maps them,
//!   `submitted_time` (when this connector first took the task: the work order does not
//!   carry the person's own request time), `regulation`, `api_version`,
//!   `status_callback_urls` (with `[callback]`) and the configured `extensions`.
//! - Every answer and callback must carry a valid signature by the processor's certificate
//!   ([`certificate`]). An unsigned or badly signed answer is a permanent failure: retrying
//!   cannot make it verify, and a person must find out why (a renewed certificate not yet
//!   pinned, or someone in between). The request stays recorded: the next attempt reads
//!   its status rather than posting it again. A bad callback is refused with 403.
//! - The status is read (`GET <requests_url>/<id>`) until `completed` (`results_count` 0:
//!   nothing found); `cancelled` is a permanent failure.
//! - Evidence: the processor's signed status, its body as it came with its signature and
//!   the certificate's fingerprint, so it can be checked again. `encoded_request` (a copy
//!   of what was sent, identities included) is left out of the evidence, as the
//!   specification says a controller must not keep it.
//!
//! The specification's later names are honoured too: signatures and domains are read from
//! `X-OpenDSR-*`, `X-OpenCompliance-*` or `X-OpenGDPR-*` headers.

pub mod certificate;
pub mod discovery;
pub mod identities;
pub mod nested;

use crate::config::{Config, OpenDsrConfig};
use crate::error::ConfigError;
use crate::http::{Answer, Client, Failure, Outgoing};
use crate::protocol::{Plan, Planned, Progress, Protocol, Refusal, Submitted, callback_url};
use crate::task::{CallResult, Status, TaskState};
use async_trait::async_trait;
use certificate::Certificates;
use chrono::SecondsFormat;
use discovery::DiscoveryCache;
use erasure_connector_sdk::Job;
use identities::Mapping;
use reqwest::header::HeaderMap;
use reqwest::{Method, Url};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

/// Where the processor's signature is, newest name first.
pub const SIGNATURE_HEADERS: [&str; 3] = [
    "x-opendsr-signature",
    "x-opencompliance-signature",
    "x-opengdpr-signature",
];

/// Where the processor names its domain.
pub const DOMAIN_HEADERS: [&str; 3] = [
    "x-opendsr-processor-domain",
    "x-opencompliance-processor-domain",
    "x-opengdpr-processor-domain",
];

#[derive(Debug)]
pub struct OpenDsr {
    client: Arc<Client>,
    config: OpenDsrConfig,
    requests_url: Url,
    domain: String,
    discovery: DiscoveryCache,
    certificates: Certificates,
    mapping: Mapping,
    /// The fingerprint of the certificate that verified the latest answer.
    fingerprint: Mutex<Option<String>>,
}

impl OpenDsr {
    pub fn new(config: &Config, client: Arc<Client>, base: &Path) -> Result<Self, ConfigError> {
        let Some(opendsr) = &config.opendsr else {
            return Err(ConfigError::new("opendsr", "missing"));
        };
        let url = |setting: &str, text: &str| parse_url(setting, text, config.allow_http);
        let base_url = url("opendsr.base_url", opendsr.base_url.trim_end_matches('/'))?;
        let root = base_url.as_str().trim_end_matches('/').to_owned();
        let discovery_url = match &opendsr.discovery_url {
            Some(u) => url("opendsr.discovery_url", u)?,
            None => url("opendsr.base_url", &format!("{root}/discovery"))?,
        };
        let requests_url = match &opendsr.requests_url {
            Some(u) => url("opendsr.requests_url", u.trim_end_matches('/'))?,
            None => url("opendsr.base_url", &format!("{root}/opengdpr_requests"))?,
        };
        let domain = match &opendsr.processor_domain {
            Some(domain) => domain.clone(),
            None => base_url.host_str().unwrap_or_default().to_owned(),
        };
        let certificates = Certificates::new(
            opendsr
                .certificate_file
                .as_ref()
                .map(|f| base.join(f))
                .as_deref(),
            opendsr.ca_file.as_ref().map(|f| base.join(f)).as_deref(),
            &domain,
            config.allow_http,
        )?;
        Ok(Self {
            client,
            mapping: Mapping::new(&opendsr.identities, &opendsr.formats)?,
            config: opendsr.clone(),
            requests_url,
            domain,
            discovery: DiscoveryCache::new(discovery_url),
            certificates,
            fingerprint: Mutex::new(None),
        })
    }

    fn status_url(&self, id: &str) -> Result<Url, Failure> {
        let text = format!("{}/{id}", self.requests_url.as_str().trim_end_matches('/'));
        Url::parse(&text).map_err(|_| Failure::Permanent("opendsr.requests_url: unusable".into()))
    }

    /// Checks the signature of a signed answer or callback and its domain header.
    async fn verify(&self, step: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), Failure> {
        if let Some(domain) = first(headers, &DOMAIN_HEADERS)
            && !domain.eq_ignore_ascii_case(&self.domain)
        {
            return Err(Failure::Permanent(format!(
                "{step}: the answer names another processor domain"
            )));
        }
        let signature = first(headers, &SIGNATURE_HEADERS);
        let fingerprint = self
            .certificates
            .verify(&self.client, &self.discovery, step, body, signature)
            .await?;
        *self.fingerprint.lock().unwrap_or_else(|p| p.into_inner()) = Some(fingerprint);
        Ok(())
    }

    /// A signed answer: checked, then kept.
    async fn signed(
        &self,
        step: &str,
        request: &Outgoing,
        deadline: Instant,
    ) -> Result<Answer, Failure> {
        let (headers, answer) = self.send(step, request, deadline).await?;
        if answer.is_success() {
            self.verify(step, &headers, answer.body.as_bytes()).await?;
        }
        Ok(answer)
    }

    /// The answer with all its headers (the kept ones drop nothing the signature needs:
    /// it covers the body only).
    async fn send(
        &self,
        step: &str,
        request: &Outgoing,
        deadline: Instant,
    ) -> Result<(HeaderMap, Answer), Failure> {
        let answer = self.client.send(step, request, deadline).await?;
        let mut headers = HeaderMap::new();
        for (name, value) in &answer.headers {
            if let (Ok(name), Ok(value)) = (
                reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                reqwest::header::HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        }
        Ok((headers, answer))
    }

    fn body(
        &self,
        job: &Job,
        state: &TaskState,
        identities: Vec<Value>,
        callback: Option<String>,
    ) -> Value {
        let mut body = json!({
            "subject_request_id": state.subject_request_id,
            "subject_request_type": "erasure",
            "submitted_time": state.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            "subject_identities": identities,
            "regulation": self.config.regulation,
            "api_version": self.config.api_version,
        });
        if let Some(url) = callback {
            body["status_callback_urls"] = json!([url]);
        }
        if let Some(extensions) = &self.config.extensions {
            body["extensions"] = extensions.clone();
        }
        let _ = job;
        body
    }
}

fn first<'a>(headers: &'a HeaderMap, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()))
}

fn parse_url(setting: &str, text: &str, allow_http: bool) -> Result<Url, ConfigError> {
    let url = Url::parse(text).map_err(|e| ConfigError::new(setting, e.to_string()))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_http => Ok(url),
        _ => Err(ConfigError::new(
            setting,
            "use https:// (http:// needs allow_http)",
        )),
    }
}

#[async_trait]
impl Protocol for OpenDsr {
    fn name(&self) -> &'static str {
        "opendsr"
    }

    /// One request; once it was sent, the processor has it, whatever the discovery
    /// document says now.
    async fn plan(
        &self,
        job: &Job,
        state: &TaskState,
        _callbacks: Option<&str>,
    ) -> Result<Plan, Failure> {
        let sent = state.calls.first().is_some_and(|c| c.sent);
        if !sent {
            let discovery = self.discovery.get(&self.client, false).await?;
            if self
                .mapping
                .identities(&job.identifiers, &discovery)
                .is_empty()
            {
                return Ok(Plan::Skip(
                    "the processor accepts none of the request's identifier kinds".into(),
                ));
            }
        }
        Ok(Plan::Calls(vec![Planned {
            about: format!("POST {} (an OpenDSR erasure request)", self.requests_url),
            request: None,
        }]))
    }

    fn prepare(&self, state: &mut TaskState) {
        if state.subject_request_id.is_none() {
            state.subject_request_id = Some(uuid::Uuid::new_v4().to_string());
        }
    }

    async fn submit(
        &self,
        job: &Job,
        state: &TaskState,
        index: usize,
        _planned: &Planned,
        callbacks: Option<&str>,
        deadline: Instant,
    ) -> Result<Submitted, Failure> {
        let id = (state.subject_request_id.clone())
            .ok_or_else(|| Failure::Permanent("submit: no subject_request_id".into()))?;
        if state
            .calls
            .get(index)
            .is_some_and(|c| c.sent && c.submitted.is_none())
        {
            // Sent before without an answer that was taken: does the processor have it?
            let status = self
                .signed("status", &Outgoing::get(self.status_url(&id)?), deadline)
                .await?;
            if status.is_success() {
                return Ok(Submitted {
                    answer: status,
                    reference: Some(id),
                    result: None,
                });
            }
            if status.status != 404 {
                return Err(status.failure("status"));
            }
        }
        let discovery = self.discovery.get(&self.client, false).await?;
        let identities = self.mapping.identities(&job.identifiers, &discovery);
        let callback = callbacks.map(|base| callback_url(base, index));
        let body = self.body(job, state, identities, callback);
        let request = Outgoing {
            method: Method::POST,
            url: self.requests_url.clone(),
            headers: Vec::new(),
            body: Some(serde_json::to_vec(&body).unwrap_or_default()),
        };
        let answer = self.signed("submit", &request, deadline).await?;
        if !answer.is_success() {
            return Err(answer.failure("submit"));
        }
        Ok(Submitted {
            answer,
            reference: Some(id),
            result: None,
        })
    }

    async fn poll(
        &self,
        _job: &Job,
        state: &TaskState,
        _index: usize,
        deadline: Instant,
    ) -> Option<Result<Status, Failure>> {
        let id = state.subject_request_id.as_deref()?;
        let request = match self.status_url(id) {
            Ok(url) => Outgoing::get(url),
            Err(failure) => return Some(Err(failure)),
        };
        let answer = self.signed("status", &request, deadline).await;
        Some(answer.and_then(Status::polled))
    }

    fn progress(&self, state: &TaskState, status: &Status) -> Result<Progress, Failure> {
        let body = status.answer.json().unwrap_or(Value::Null);
        let about = body.get("subject_request_id").and_then(Value::as_str);
        if about.is_some() && about != state.subject_request_id.as_deref() {
            return Err(Failure::Permanent(
                "status: the processor answered about another request".into(),
            ));
        }
        match body.get("request_status").and_then(Value::as_str) {
            Some("completed") => Ok(Progress::Finished(
                match body.get("results_count").and_then(Value::as_u64) {
                    Some(0) => CallResult::NothingFound,
                    Some(count) => CallResult::Erased { count },
                    None => CallResult::Erased { count: 1 },
                },
            )),
            Some("cancelled") => Err(Failure::Permanent(
                "status: the processor cancelled the erasure request".into(),
            )),
            _ => Ok(Progress::Pending),
        }
    }

    async fn check_callback(
        &self,
        state: &TaskState,
        _index: usize,
        callback_url: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), Refusal> {
        self.verify("callback", headers, body)
            .await
            .map_err(|_| Refusal::Forbidden)?;
        let body: Value = serde_json::from_slice(body).map_err(|_| Refusal::BadRequest)?;
        let about = body.get("subject_request_id").and_then(Value::as_str);
        let url = body.get("status_callback_url").and_then(Value::as_str);
        if about.is_none()
            || about != state.subject_request_id.as_deref()
            || url != Some(callback_url)
        {
            return Err(Refusal::BadRequest);
        }
        Ok(())
    }

    /// `encoded_request` copies what was sent, identities included: not kept.
    fn evidence_of(&self, answer: &Answer) -> Value {
        let mut shown = crate::evidence::answer(answer);
        if let Some(mut body) = answer.json()
            && let Some(fields) = body.as_object_mut()
            && fields.remove("encoded_request").is_some()
        {
            shown["body"] = json!(body.to_string());
            shown["left_out"] = json!(["encoded_request"]);
            shown["note"] =
                json!("the body without encoded_request: its signature covered the whole body");
        }
        shown
    }

    fn evidence_notes(&self) -> serde_json::Map<String, Value> {
        let mut notes = serde_json::Map::new();
        notes.insert("processor_domain".into(), json!(self.domain));
        let fingerprint = self
            .fingerprint
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(fingerprint) = fingerprint {
            notes.insert("certificate_sha256".into(), json!(fingerprint));
        }
        notes
    }

    async fn proof(
        &self,
        state: &TaskState,
        deadline: Instant,
    ) -> Result<Option<crate::task::NestedProof>, Failure> {
        self.nested(state, deadline).await
    }

    async fn check(&self) -> Vec<String> {
        let discovery = match self.discovery.get(&self.client, true).await {
            Ok(d) => d,
            Err(failure) => return vec![format!("connector.opendsr: {}", failure.detail())],
        };
        let mut problems: Vec<String> = self
            .mapping
            .unsupported(&discovery)
            .map(|t| format!("connector.opendsr.identities: the processor does not accept identity type {t} in any of opendsr.formats"))
            .collect();
        if let Err(failure) = self
            .certificates
            .trusted(&self.client, &self.discovery, true)
            .await
        {
            problems.push(format!("connector.opendsr: {}", failure.detail()));
        }
        problems
    }
}
