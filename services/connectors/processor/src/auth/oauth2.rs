//! OAuth2 client credentials (RFC 6749 § 4.4): a token from the token endpoint, kept until
//! shortly before it expires (a tenth of its life, at most a minute), then asked for again.
//! One request at a time asks for it; the others wait for that token. The token and the
//! client secret are never logged; a failure names the endpoint's status code only.

use crate::config::{ClientAuth, OAuth2Config};
use crate::error::ConfigError;
use crate::http::{Failure, transport};
use crate::secret::Secret;
use base64::Engine;
use reqwest::Url;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How long a token without `expires_in` is kept.
const UNSTATED_LIFETIME: Duration = Duration::from_secs(300);

#[derive(Debug)]
pub struct OAuth2 {
    token_url: Url,
    client_id: String,
    secret: Secret,
    scope: Option<String>,
    client_auth: ClientAuth,
    cached: Mutex<Option<(Secret, Instant)>>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl OAuth2 {
    pub fn new(
        config: &OAuth2Config,
        base: &Path,
        var: &dyn Fn(&str) -> Option<String>,
        allow_http: bool,
    ) -> Result<Self, ConfigError> {
        let invalid = |reason: &str| ConfigError::new("auth.oauth2.token_url", reason);
        let token_url = Url::parse(&config.token_url).map_err(|e| invalid(&e.to_string()))?;
        match token_url.scheme() {
            "https" => {}
            "http" if allow_http => {}
            _ => return Err(invalid("use https:// (http:// needs allow_http)")),
        }
        Ok(Self {
            token_url,
            client_id: config.client_id.clone(),
            secret: Secret::load(
                &config.client_secret,
                "auth.oauth2.client_secret",
                base,
                var,
            )?,
            scope: config.scope.clone(),
            client_auth: config.client_auth,
            cached: Mutex::new(None),
        })
    }

    /// A token that is not about to expire: the cached one, or a new one.
    pub async fn token(&self, http: &reqwest::Client, step: &str) -> Result<String, Failure> {
        let mut cached = self.cached.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.expose().to_owned());
        }
        let (token, lifetime) = self.fetch(http, step).await?;
        let margin = (lifetime / 10).min(Duration::from_secs(60));
        let value = token.expose().to_owned();
        *cached = Some((token, Instant::now() + lifetime - margin));
        Ok(value)
    }

    /// Forgets the cached token.
    pub async fn forget(&self) {
        *self.cached.lock().await = None;
    }

    async fn fetch(
        &self,
        http: &reqwest::Client,
        step: &str,
    ) -> Result<(Secret, Duration), Failure> {
        let step = format!("{step}: oauth2 token");
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope));
        }
        let mut request = http.post(self.token_url.clone());
        match self.client_auth {
            ClientAuth::Basic => {
                let pair = format!(
                    "{}:{}",
                    form_encode(&self.client_id),
                    form_encode(self.secret.expose())
                );
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                let mut value = reqwest::header::HeaderValue::from_str(&format!("Basic {encoded}"))
                    .map_err(|_| Failure::Permanent(format!("{step}: unusable client secret")))?;
                value.set_sensitive(true);
                request = request.header(reqwest::header::AUTHORIZATION, value);
            }
            ClientAuth::Body => {
                form.push(("client_id", &self.client_id));
                form.push(("client_secret", self.secret.expose()));
            }
        }
        let response = request
            .form(&form)
            .send()
            .await
            .map_err(|e| transport(&step, &e))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| transport(&step, &e))?;
        if !(200..300).contains(&status) {
            let detail = format!("{step}: HTTP {status}");
            return Err(match status {
                429 | 500..=599 => Failure::Transient(detail),
                _ => Failure::Permanent(detail),
            });
        }
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|_| Failure::Permanent(format!("{step}: the answer has no access_token")))?;
        let lifetime = answer
            .expires_in
            .map_or(UNSTATED_LIFETIME, Duration::from_secs);
        Ok((Secret::from_token(answer.access_token), lifetime))
    }
}

/// What `application/x-www-form-urlencoded` leaves as it is.
const FORM: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

/// The client id and secret form-encoded for HTTP Basic (RFC 6749 § 2.3.1).
fn form_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, FORM).to_string()
}
