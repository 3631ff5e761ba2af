//! The `[auth]`, `[rate_limit]` and `[tls]` sections: who may call the API, how often,
//! and over what. Secrets are named by a file path or an environment variable, never
//! written in the configuration itself.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Bearer tokens (JWTs) every call must carry. Without this section the server runs in
/// open mode: no authentication, and only on loopback addresses.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// The `iss` every token must carry, e.g. "https://login.example.com/".
    pub issuer: String,
    /// The `aud` every token must carry (one of its values when it is a list), e.g.
    /// "erasure".
    pub audience: String,
    /// HS256: a file whose content (trimmed) is the shared secret. At least 32 bytes.
    pub hs256_secret_file: Option<PathBuf>,
    /// HS256: the environment variable holding the shared secret. At least 32 bytes.
    pub hs256_secret_env: Option<String>,
    /// RS256/RS384/RS512/PS256/ES256/ES384/EdDSA: a JWKS file (`{"keys": [...]}`) with
    /// the issuer's public keys. A token names its key by `kid` when there are several.
    pub jwks_file: Option<PathBuf>,
    /// The claim that holds the caller's roles: a string or an array of strings among
    /// "operator", "supervisor", "platform", "auditor", "controller". A dotted name reaches into an
    /// object ("realm_access.roles"). Default "roles".
    #[serde(default = "default_roles_claim")]
    pub roles_claim: String,
    /// The claim that names the controller a token with the "controller" role acts for
    /// (one of the top-level `controllers`), for the OpenDSR endpoints. Default
    /// "controller".
    #[serde(default = "default_controller_claim")]
    pub controller_claim: String,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds. Default 30, at most 300.
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
    /// Client certificates (with `[tls] client_ca_file`): the roles of each certificate
    /// name (subject CN, or a DNS/e-mail SAN), e.g. `"etl.example.com" = ["operator"]`.
    /// A verified certificate with no entry here has no role.
    #[serde(default)]
    pub client_certificates: BTreeMap<String, Vec<String>>,
}

fn default_roles_claim() -> String {
    "roles".to_owned()
}

fn default_controller_claim() -> String {
    "controller".to_owned()
}

fn default_leeway() -> u64 {
    30
}

/// Calls per principal (the token's subject; "unauthenticated" in open mode), refused
/// with RESOURCE_EXHAUSTED past the limit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Sustained calls per second each principal may make.
    pub per_second: u32,
    /// Calls a principal may make at once above the sustained rate. Default: per_second.
    pub burst: Option<u32>,
}

/// TLS on the gRPC listener (rustls). With `client_ca_file`, mutual TLS: every client
/// must present a certificate issued by that CA.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// The server's certificate chain (PEM).
    pub cert_file: PathBuf,
    /// The server's private key (PEM). Keep it readable by the server's user only.
    pub key_file: PathBuf,
    /// CA certificates (PEM) that issue client certificates; requires them when set.
    pub client_ca_file: Option<PathBuf>,
}
