//! The `request` protocol: any HTTP API, as `[request]`, `[success]`, `[nothing_found]`,
//! `[job]` and `[callback]` describe it.
//!
//! - [`request`]: the templates, and how a job becomes calls.
//! - [`judge`]: what an answer means.
//!
//! A call sent before without an answer (a timeout, a crash) is sent again: give the API an
//! idempotency key (`headers = { "Idempotency-Key" = "{task_id}" }`) if it takes one.

pub mod judge;
pub mod request;

use crate::auth::Signer;
use crate::config::Config;
use crate::error::ConfigError;
use crate::http::{Client, Failure, Outgoing};
use crate::protocol::{Plan, Planned, Progress, Protocol, Refusal, Submitted};
use crate::task::{CallResult, Status, TaskState};
use crate::template::url::UrlTemplate;
use crate::template::{Allowed, Bindings};
use async_trait::async_trait;
use erasure_connector_sdk::Job;
use judge::{Judge, Verdict};
use request::Request;
use reqwest::header::HeaderMap;
use std::path::Path;
use std::sync::Arc;
use tokio::time::Instant;

#[derive(Debug)]
pub struct Generic {
    client: Arc<Client>,
    request: Request,
    judge: Judge,
    poll_url: Option<UrlTemplate>,
    /// How callbacks are signed, with `[callback]`.
    callback_signer: Option<Signer>,
    check_url: Option<reqwest::Url>,
}

impl Generic {
    pub fn new(
        config: &Config,
        client: Arc<Client>,
        base: &Path,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let Some(request) = &config.request else {
            return Err(ConfigError::new("request", "missing"));
        };
        let callbacks = config.callback.is_some();
        let request = Request::new(request, config.allow_http, callbacks)?;
        let judge = Judge::new(
            &config.success,
            config.nothing_found.as_ref(),
            config.job.as_ref(),
        )?;
        let poll_url = (config.job.as_ref())
            .and_then(|j| j.poll_url.as_deref())
            .map(|url| {
                let allowed = Allowed {
                    identifiers: false,
                    callback_url: false,
                    job_id: true,
                };
                UrlTemplate::parse(url, "job.poll_url", allowed, config.allow_http)
            })
            .transpose()?;
        if config.job.is_some() && poll_url.is_none() && !callbacks {
            return Err(ConfigError::new(
                "job",
                "a job is followed by polling (job.poll_url) or by callbacks ([callback]): give one",
            ));
        }
        let callback_signer = match config.callback.as_ref() {
            None => None,
            Some(c) => Some(match &c.signature {
                Some(hmac) => Signer::new(hmac, "callback.signature", base, var)?,
                None => {
                    return Err(ConfigError::new(
                        "callback.signature",
                        "callbacks must be signed: say how (header, secret)",
                    ));
                }
            }),
        };
        let check_url = (config.check_url.as_deref())
            .map(|u| checked_url(u, config.allow_http))
            .transpose()?;
        Ok(Self {
            client,
            request,
            judge,
            poll_url,
            callback_signer,
            check_url,
        })
    }
}

fn checked_url(url: &str, allow_http: bool) -> Result<reqwest::Url, ConfigError> {
    let invalid = |reason: String| ConfigError::new("check_url", reason);
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if allow_http => Ok(parsed),
        _ => Err(invalid("use https:// (http:// needs allow_http)".into())),
    }
}

#[async_trait]
impl Protocol for Generic {
    fn name(&self) -> &'static str {
        "request"
    }

    async fn plan(
        &self,
        job: &Job,
        _state: &TaskState,
        callbacks: Option<&str>,
    ) -> Result<Plan, Failure> {
        self.request.plan(job, callbacks)
    }

    async fn submit(
        &self,
        _job: &Job,
        _state: &TaskState,
        _index: usize,
        planned: &Planned,
        _callbacks: Option<&str>,
        deadline: Instant,
    ) -> Result<Submitted, Failure> {
        let Some(request) = &planned.request else {
            return Err(Failure::Permanent("submit: nothing to send".into()));
        };
        let answer = self.client.send("submit", request, deadline).await?;
        let (reference, result) = match self.judge.submission(&answer)? {
            Verdict::Erased(count) => (None, Some(CallResult::Erased { count })),
            Verdict::NothingFound => (None, Some(CallResult::NothingFound)),
            Verdict::Job(id) => (Some(id), None),
        };
        Ok(Submitted {
            answer,
            reference,
            result,
        })
    }

    async fn poll(
        &self,
        job: &Job,
        state: &TaskState,
        index: usize,
        deadline: Instant,
    ) -> Option<Result<Status, Failure>> {
        let template = self.poll_url.as_ref()?;
        let reference = state.calls.get(index)?.reference.as_deref()?;
        let bindings = Bindings {
            request_id: &job.request_id,
            task_id: &job.task_id,
            controller: job.controller.as_deref(),
            callback_url: None,
            job_id: Some(reference),
            values: &[],
            person: &job.identifiers,
        };
        let Ok(url) = template.render(&bindings) else {
            let why = "job.poll_url: cannot render it for this job (no controller?)";
            return Some(Err(Failure::Permanent(why.into())));
        };
        let answer = self
            .client
            .send("status", &Outgoing::get(url), deadline)
            .await;
        Some(answer.and_then(Status::polled))
    }

    fn progress(&self, _state: &TaskState, status: &Status) -> Result<Progress, Failure> {
        self.judge.progress(&status.answer)
    }

    async fn check_callback(
        &self,
        _state: &TaskState,
        _index: usize,
        _callback_url: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), Refusal> {
        let signer = self.callback_signer.as_ref().ok_or(Refusal::Forbidden)?;
        let signature = headers
            .get(signer.header_name())
            .and_then(|v| v.to_str().ok())
            .ok_or(Refusal::Forbidden)?;
        if !signer.verify(body, signature) {
            return Err(Refusal::Forbidden);
        }
        serde_json::from_slice::<serde_json::Value>(body).map_err(|_| Refusal::BadRequest)?;
        Ok(())
    }

    async fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(problem) = self.client.auth().check(self.client.http()).await {
            problems.push(format!("connector.auth.oauth2: {problem}"));
        }
        if let Some(url) = &self.check_url {
            let deadline = Instant::now() + std::time::Duration::from_secs(30);
            let request = Outgoing::get(url.clone());
            match self.client.send("check_url", &request, deadline).await {
                Ok(answer) if answer.is_success() => {}
                Ok(answer) => problems.push(format!(
                    "connector.{}",
                    answer.failure("check_url").detail()
                )),
                Err(failure) => problems.push(format!("connector.{}", failure.detail())),
            }
        }
        problems
    }
}
