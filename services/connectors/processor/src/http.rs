//! Talking to the processor: one [`Client`] per connector (reqwest, no redirects followed,
//! a timeout per request), the authentication of [`crate::auth`], the Retry-After
//! [`gate`], and what came back as an [`Answer`] or a [`Failure`].
//!
//! Failures say what failed by step and status code or kind ("submit: HTTP 503", "status:
//! timed out"): never the URL (it may hold an identifier) nor the answer's body.

pub mod gate;

use crate::auth::Auth;
use chrono::{DateTime, Utc};
use erasure_connector_sdk::Report;
use gate::Gate;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;

/// The largest answer read; a larger one is a permanent failure.
const MAX_BODY: usize = 1 << 20;

/// A request, ready to send (again, when a token must be renewed).
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// A JSON body.
    pub body: Option<Vec<u8>>,
}

impl Outgoing {
    pub fn get(url: Url) -> Self {
        Self {
            method: Method::GET,
            url,
            headers: Vec::new(),
            body: None,
        }
    }
}

/// An HTTP answer as kept in the state and the evidence: the status, the headers worth
/// keeping, the body as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub status: u16,
    /// Lower-case names.
    pub headers: BTreeMap<String, String>,
    /// The body (UTF-8; other bytes replaced).
    pub body: String,
    pub received_at: DateTime<Utc>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// An answer that is not what the step expects: transient for 429 and 5xx, permanent
    /// otherwise (4xx: the request or the configuration is wrong; 3xx: not followed).
    pub fn failure(&self, step: &str) -> Failure {
        let detail = format!("{step}: HTTP {}", self.status);
        match self.status {
            429 | 500..=599 => Failure::Transient(detail),
            _ => Failure::Permanent(detail),
        }
    }
}

/// Why a step failed, with no personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// May pass: the coordinator retries.
    Transient(String),
    /// A person must look.
    Permanent(String),
}

impl Failure {
    pub fn report(self) -> Report {
        match self {
            Self::Transient(detail) => Report::failed_retryable(detail),
            Self::Permanent(detail) => Report::failed_permanent(detail),
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            Self::Transient(d) | Self::Permanent(d) => d,
        }
    }
}

/// The connector's HTTP client.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    auth: Auth,
    gate: Gate,
    /// Header names kept in answers (lower-case).
    keep: Vec<String>,
}

impl Client {
    pub fn new(
        timeout: Duration,
        auth: Auth,
        evidence_headers: &[String],
    ) -> reqwest::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "erasure-processor-connector/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()?;
        let mut keep: Vec<String> = ["content-type", "date", "retry-after", "location"]
            .map(str::to_owned)
            .to_vec();
        keep.extend(crate::opendsr::SIGNATURE_HEADERS.map(str::to_owned));
        keep.extend(crate::opendsr::DOMAIN_HEADERS.map(str::to_owned));
        keep.extend(evidence_headers.iter().map(|h| h.to_ascii_lowercase()));
        Ok(Self {
            http,
            auth,
            gate: Gate::default(),
            keep,
        })
    }

    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends `request` for `step`, authenticated, once the gate allows it before
    /// `deadline`. Any HTTP answer is an [`Answer`]; a 401 with OAuth2 renews the token
    /// and sends once more. A 429 or 503 with `Retry-After` holds the gate.
    pub async fn send(
        &self,
        step: &str,
        request: &Outgoing,
        deadline: Instant,
    ) -> Result<Answer, Failure> {
        let mut answer = self.send_once(step, request, deadline).await?;
        if answer.status == 401 && self.auth.renews() {
            self.auth.forget_token().await;
            answer = self.send_once(step, request, deadline).await?;
        }
        Ok(answer)
    }

    async fn send_once(
        &self,
        step: &str,
        request: &Outgoing,
        deadline: Instant,
    ) -> Result<Answer, Failure> {
        if let Err(left) = self.gate.wait(deadline).await {
            return Err(Failure::Transient(format!(
                "{step}: the processor asked to wait {} s more (Retry-After)",
                left.as_secs().max(1)
            )));
        }
        let body = request.body.as_deref().unwrap_or_default();
        let mut builder = self
            .http
            .request(request.method.clone(), request.url.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        for (name, value) in self.auth.headers(&self.http, body, step).await? {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = builder.send().await.map_err(|e| transport(step, &e))?;
        self.answer(step, response).await
    }

    /// Reads the answer; holds the gate on 429 or 503 with `Retry-After`.
    pub async fn answer(&self, step: &str, response: reqwest::Response) -> Result<Answer, Failure> {
        let status = response.status();
        let headers = response.headers().clone();
        if matches!(
            status,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
        ) && let Some(wait) = retry_after(&headers, Utc::now())
        {
            self.gate.hold(wait);
        }
        let bytes = response.bytes().await.map_err(|e| transport(step, &e))?;
        if bytes.len() > MAX_BODY {
            return Err(Failure::Permanent(format!(
                "{step}: the answer is larger than {MAX_BODY} bytes"
            )));
        }
        Ok(Answer {
            status: status.as_u16(),
            headers: self.kept(&headers),
            body: String::from_utf8_lossy(&bytes).into_owned(),
            received_at: Utc::now(),
        })
    }

    fn kept(&self, headers: &HeaderMap) -> BTreeMap<String, String> {
        headers
            .iter()
            .filter(|(name, _)| self.keep.iter().any(|k| k == name.as_str()))
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect()
    }
}

/// A request that got no answer, by kind only: reqwest's message names the URL.
pub fn transport(step: &str, error: &reqwest::Error) -> Failure {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "the connection failed"
    };
    Failure::Transient(format!("{step}: {kind}"))
}

/// `Retry-After`: seconds, or an HTTP date (RFC 9110 § 10.2.3).
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let now = DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let headers = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, HeaderValue::from_str(v).expect("value"));
            h
        };
        assert_eq!(
            retry_after(&headers("120"), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(&headers("Fri, 20 Nov 2026 10:01:30 GMT"), now),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            retry_after(&headers("Fri, 20 Nov 2026 09:00:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn statuses_are_transient_or_permanent() {
        let answer = |status| Answer {
            status,
            headers: BTreeMap::new(),
            body: String::new(),
            received_at: Utc::now(),
        };
        for status in [429, 500, 502, 503, 504] {
            assert!(matches!(
                answer(status).failure("submit"),
                Failure::Transient(_)
            ));
        }
        for status in [301, 400, 401, 403, 404, 409, 422] {
            assert!(matches!(
                answer(status).failure("submit"),
                Failure::Permanent(_)
            ));
        }
        assert_eq!(answer(503).failure("status").detail(), "status: HTTP 503");
    }
}
