//! `[opendsr]`: a processor that speaks OpenDSR (the OpenGDPR specification, also published
//! as OpenCompliance): erasure requests posted to its requests endpoint, its status read
//! until `completed`, its status callbacks accepted, and every answer checked against its
//! certificate.
//!
//! ```toml
//! [opendsr]
//! base_url = "https://opendsr.analytics.example/v1"
//! identities = { email = "email", customer_id = "controller_customer_id" }
//! ca_file = "certs/analytics-ca.pem"   # or certificate_file, or the system's roots
//! ```

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One OpenDSR processor.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenDsrConfig {
    /// The processor's OpenDSR URL with the major version, e.g.
    /// `https://opendsr.analytics.example/v1`.
    pub base_url: String,
    /// The discovery document; default `<base_url>/discovery`.
    #[serde(default)]
    pub discovery_url: Option<String>,
    /// Where requests are posted; a request's status is `<requests_url>/<id>`. Default
    /// `<base_url>/opengdpr_requests`, the route every processor must keep honouring
    /// under the specification's migration rule (newer ones also offer
    /// `opencompliance_requests`; some use `requests`).
    #[serde(default)]
    pub requests_url: Option<String>,
    /// The request's `regulation`: `gdpr` or `ccpa`.
    #[serde(default = "default_regulation")]
    pub regulation: String,
    /// The request's `api_version`.
    #[serde(default = "default_api_version")]
    pub api_version: String,
    /// Which of the person's identifiers are sent, as which OpenDSR `identity_type`: our
    /// kind (`email`, `phone`, `customer_id`, `national_id`, `device_id`, `account_id`,
    /// `ip_address`) to the processor's type. Only types the discovery document lists are
    /// sent. Default: `email` as `email`, `customer_id` as `controller_customer_id`.
    #[serde(default = "default_identities")]
    pub identities: BTreeMap<String, String>,
    /// The identity formats the connector may use, most preferred first, among those the
    /// discovery document accepts for a type: `sha256` (hex of SHA-256 of the value as
    /// normalised, e.g. a lower-case e-mail address), `raw`, `md5`.
    #[serde(default = "default_formats")]
    pub formats: Vec<String>,
    /// A PEM file with the processor's signing certificate, trusted as it is (pinned).
    /// Absent: the certificate the discovery document points to, which must chain to
    /// `ca_file` (or the system's roots) and be issued for `processor_domain`.
    #[serde(default)]
    pub certificate_file: Option<PathBuf>,
    /// PEM roots a discovered certificate must chain to; absent: the system's roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The domain the processor's certificate is issued for and that its
    /// `X-OpenDSR-Processor-Domain` header names; default: the host of `base_url`.
    #[serde(default)]
    pub processor_domain: Option<String>,
    /// The request's `extensions`, sent as written (processor-specific settings; never an
    /// identifier, never a credential).
    #[serde(default)]
    pub extensions: Option<Value>,
}

fn default_regulation() -> String {
    "gdpr".to_owned()
}

fn default_api_version() -> String {
    "1.0".to_owned()
}

fn default_identities() -> BTreeMap<String, String> {
    [
        ("email", "email"),
        ("customer_id", "controller_customer_id"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn default_formats() -> Vec<String> {
    ["sha256", "raw", "md5"].map(str::to_owned).to_vec()
}
