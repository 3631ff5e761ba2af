//! `[opendsr]`: this orchestrator as an OpenDSR processor for its controllers (served on
//! `[server] http_listen`; see docs/opendsr.md).

use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenDsrConfig {
    /// The base URL controllers reach the endpoints at, up to and including `/opendsr/v1`
    /// (e.g. "https://erasure.example.com/opendsr/v1"): the discovery document's
    /// `processor_certificate` and each status's `results_url` are built from it.
    pub public_url: String,
    /// This processor's OpenDSR domain: sent as `X-OpenDSR-Processor-Domain`, and the key
    /// of this processor's entry in a status's `extensions`. The signing certificate
    /// should be issued for it. Default: the host of `public_url`.
    pub domain: Option<String>,
    /// The signing certificate (PEM, the leaf first), relative to the data directory.
    /// With `key_file`; both absent: a self-signed P-256 certificate for `domain` is
    /// created in `<data-dir>/keys/opendsr/` on first start (controllers then pin it;
    /// the specification wants one issued by a CA, so use one in production).
    pub certificate_file: Option<PathBuf>,
    /// The signing key (PKCS #8 PEM; ECDSA P-256 or P-384, or RSA), relative to the data
    /// directory.
    pub key_file: Option<PathBuf>,
    /// The jurisdiction of the requests controllers post (ISO 3166-1 alpha-2). Default:
    /// `[retention] default_jurisdiction`.
    pub jurisdiction: Option<String>,
    /// How often open requests are looked at for status callbacks, in milliseconds.
    /// Default 1000.
    #[serde(default = "default_callback_interval")]
    pub callback_interval_ms: u64,
}

fn default_callback_interval() -> u64 {
    1000
}
