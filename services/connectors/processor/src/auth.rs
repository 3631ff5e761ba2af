//! Authentication to the processor's API, built from `[auth]`: a bearer token or an OAuth2
//! client-credentials token ([`oauth2`]), and an HMAC signature header over the body
//! ([`Signer`], which also checks the signature of a generic callback).

pub mod oauth2;

use crate::config::{AuthConfig, Encoding, HmacConfig};
use crate::error::ConfigError;
use crate::http::Failure;
use crate::secret::Secret;
use base64::Engine;
use hmac::{Hmac, Mac};
use oauth2::OAuth2;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use sha2::Sha256;
use std::path::Path;

/// The authentication of every request to the processor.
#[derive(Debug, Default)]
pub struct Auth {
    bearer: Option<Secret>,
    oauth2: Option<OAuth2>,
    signer: Option<Signer>,
}

impl Auth {
    /// Reads the secrets `config` names (files relative to `base`, variables through `var`).
    pub fn new(
        config: &AuthConfig,
        base: &Path,
        var: &dyn Fn(&str) -> Option<String>,
        allow_http: bool,
    ) -> Result<Self, ConfigError> {
        if config.bearer.is_some() && config.oauth2.is_some() {
            return Err(ConfigError::new(
                "auth",
                "bearer and oauth2 both set Authorization: choose one",
            ));
        }
        let bearer = config.bearer.as_ref().map(|b| {
            let token = Secret::load(&b.token, "auth.bearer.token", base, var)?;
            header_value(&format!("Bearer {}", token.expose()), "auth.bearer.token")?;
            Ok::<_, ConfigError>(token)
        });
        Ok(Self {
            bearer: bearer.transpose()?,
            oauth2: (config.oauth2.as_ref())
                .map(|o| OAuth2::new(o, base, var, allow_http))
                .transpose()?,
            signer: (config.hmac.as_ref())
                .map(|h| Signer::new(h, "auth.hmac", base, var))
                .transpose()?,
        })
    }

    /// The headers that authenticate a request carrying `body` (empty when none).
    pub async fn headers(
        &self,
        http: &reqwest::Client,
        body: &[u8],
        step: &str,
    ) -> Result<Vec<(HeaderName, HeaderValue)>, Failure> {
        let mut headers = Vec::new();
        let token = match (&self.bearer, &self.oauth2) {
            (Some(secret), _) => Some(secret.expose().to_owned()),
            (None, Some(oauth2)) => Some(oauth2.token(http, step).await?),
            (None, None) => None,
        };
        if let Some(token) = token {
            let value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                Failure::Permanent(format!("{step}: the access token is not a valid header"))
            })?;
            headers.push((AUTHORIZATION, sensitive(value)));
        }
        if let Some(signer) = &self.signer {
            headers.push(signer.header(body));
        }
        Ok(headers)
    }

    /// Whether a 401 may be cured by a new token.
    pub fn renews(&self) -> bool {
        self.oauth2.is_some()
    }

    /// Drops the cached OAuth2 token (the API refused it).
    pub async fn forget_token(&self) {
        if let Some(oauth2) = &self.oauth2 {
            oauth2.forget().await;
        }
    }

    /// For `config check --connect`: a token from the token endpoint, if OAuth2 is used.
    pub async fn check(&self, http: &reqwest::Client) -> Option<String> {
        let oauth2 = self.oauth2.as_ref()?;
        oauth2
            .token(http, "auth.oauth2")
            .await
            .err()
            .map(|f| f.detail().to_owned())
    }
}

/// HMAC-SHA-256 over a body, written into (or read from) a header.
#[derive(Debug)]
pub struct Signer {
    header: HeaderName,
    key: Secret,
    encoding: Encoding,
    prefix: String,
}

impl Signer {
    pub fn new(
        config: &HmacConfig,
        setting: &str,
        base: &Path,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let header = HeaderName::from_bytes(config.header.as_bytes())
            .map_err(|_| ConfigError::new(format!("{setting}.header"), "not a header name"))?;
        let key = Secret::load(&config.secret, &format!("{setting}.secret"), base, var)?;
        Ok(Self {
            header,
            key,
            encoding: config.encoding,
            prefix: config.prefix.clone(),
        })
    }

    pub fn header_name(&self) -> &HeaderName {
        &self.header
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes a key of any length.
        Hmac::<Sha256>::new_from_slice(self.key.expose().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"))
    }

    /// The signature header for `body`.
    pub fn header(&self, body: &[u8]) -> (HeaderName, HeaderValue) {
        let mut mac = self.mac();
        mac.update(body);
        let bytes = mac.finalize().into_bytes();
        let encoded = match self.encoding {
            Encoding::Hex => hex::encode(bytes),
            Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
        };
        let value = HeaderValue::from_str(&format!("{}{encoded}", self.prefix))
            .unwrap_or_else(|_| HeaderValue::from_static(""));
        (self.header.clone(), value)
    }

    /// Whether `value` (the header as received) signs `body`; compared in constant time.
    pub fn verify(&self, body: &[u8], value: &str) -> bool {
        let Some(encoded) = value.trim().strip_prefix(self.prefix.as_str()) else {
            return false;
        };
        let decoded = match self.encoding {
            Encoding::Hex => hex::decode(encoded.to_ascii_lowercase()).ok(),
            Encoding::Base64 => base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok(),
        };
        let Some(tag) = decoded else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(body);
        mac.verify_slice(&tag).is_ok()
    }
}

/// A header value holding a credential: never logged by the HTTP stack.
fn sensitive(mut value: HeaderValue) -> HeaderValue {
    value.set_sensitive(true);
    value
}

fn header_value(text: &str, setting: &str) -> Result<HeaderValue, ConfigError> {
    HeaderValue::from_str(text)
        .map_err(|_| ConfigError::new(setting, "the secret cannot be sent in a header"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SecretSource;

    fn signer(encoding: Encoding, prefix: &str) -> Signer {
        let config = HmacConfig {
            header: "X-Signature".into(),
            secret: SecretSource::Env("KEY".into()),
            encoding,
            prefix: prefix.into(),
        };
        let var = |_: &str| Some("key".to_owned());
        Signer::new(&config, "auth.hmac", Path::new("."), &var).expect("signer")
    }

    #[test]
    fn an_hmac_header_is_the_sha256_mac_of_the_body() {
        // RFC 4231 has no 3-byte key; this is HMAC-SHA-256("key", "The quick brown fox
        // jumps over the lazy dog"), the widely published value.
        let body = b"The quick brown fox jumps over the lazy dog";
        let (name, value) = signer(Encoding::Hex, "sha256=").header(body);
        assert_eq!(name.as_str(), "x-signature");
        assert_eq!(
            value.to_str().expect("ascii"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        let b64 = signer(Encoding::Base64, "");
        let (_, value) = b64.header(body);
        assert_eq!(
            value.to_str().expect("ascii"),
            "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="
        );
        assert!(b64.verify(body, value.to_str().expect("ascii")));
        assert!(!b64.verify(b"another body", value.to_str().expect("ascii")));
        assert!(!b64.verify(body, "garbage"));
    }
}
