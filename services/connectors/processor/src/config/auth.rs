//! `[auth]`: how the connector proves itself to the processor's API. Secrets are read from
//! a file or an environment variable when the connector is built, never written in the
//! configuration itself, and never shown in a message or in `Debug` output.
//!
//! ```toml
//! [auth.bearer]                      # Authorization: Bearer <token>
//! token = { env = "PAYMENTS_TOKEN" }
//!
//! [auth.hmac]                        # a signature header over the exact body bytes
//! header = "X-Signature"
//! secret = { file = "secrets/sms-hmac" }
//! encoding = "hex"                   # or "base64"
//! prefix = "sha256="
//!
//! [auth.oauth2]                      # OAuth2 client credentials (RFC 6749 § 4.4)
//! token_url = "https://auth.analytics.example/oauth2/token"
//! client_id = "erasure"
//! client_secret = { file = "secrets/analytics-client-secret" }
//! scope = "gdpr.delete"
//! ```

use serde::Deserialize;
use std::path::PathBuf;

/// Any combination of a bearer token or OAuth2 (not both: each sets `Authorization`) and
/// an HMAC signature. Empty: no authentication.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// A static bearer token.
    #[serde(default)]
    pub bearer: Option<BearerConfig>,
    /// A signature header over the request body (HMAC-SHA-256).
    #[serde(default)]
    pub hmac: Option<HmacConfig>,
    /// OAuth2 client credentials: a token from the token endpoint, kept until shortly
    /// before it expires, sent as a bearer token.
    #[serde(default)]
    pub oauth2: Option<OAuth2Config>,
}

/// A static bearer token: `Authorization: Bearer <token>`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BearerConfig {
    /// Where the token is (surrounding whitespace ignored).
    pub token: SecretSource,
}

/// HMAC-SHA-256 over the exact bytes of the body (an empty body for a request without
/// one), in a header.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HmacConfig {
    /// The header's name, e.g. `X-Signature`.
    pub header: String,
    /// The shared secret's bytes as written in the file or variable (surrounding
    /// whitespace ignored).
    pub secret: SecretSource,
    /// How the 32 bytes of the MAC are written.
    #[serde(default)]
    pub encoding: Encoding,
    /// Text before the encoded MAC, e.g. `sha256=`.
    #[serde(default)]
    pub prefix: String,
}

/// How an HMAC is written in its header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// Lower-case hexadecimal.
    #[default]
    Hex,
    /// Standard base64 with padding.
    Base64,
}

/// OAuth2 client credentials grant.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Config {
    /// The token endpoint (`https://`, or `http://` with `allow_http`).
    pub token_url: String,
    /// The client id the token endpoint knows the connector by.
    pub client_id: String,
    /// Where the client secret is.
    pub client_secret: SecretSource,
    /// The scope asked for, if the endpoint wants one.
    #[serde(default)]
    pub scope: Option<String>,
    /// How the client authenticates to the token endpoint.
    #[serde(default)]
    pub client_auth: ClientAuth,
}

/// How the client proves itself to the token endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    /// HTTP Basic with the client id and secret (RFC 6749 § 2.3.1, what servers must offer).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Body,
}

/// Where a secret is: `{ file = "secrets/x" }` (relative to the configuration's directory)
/// or `{ env = "VARIABLE" }`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretSource {
    File(PathBuf),
    Env(String),
}
