//! The `processor` connector's configuration, as written in the inventory under
//! `[systems.connector]` (or a connector's own file under `[connector]`) with
//! `kind = "processor"`. Exactly one of `[request]` (any HTTP API, described here) or
//! `[opendsr]` (a processor that speaks OpenDSR) says how the processor is told:
//!
//! ```toml
//! state = "state/payments.sqlite"
//! [request]
//! method = "DELETE"
//! url = "https://api.payments.example/v2/customers/{customer_id}?reason=gdpr"
//! headers = { "Idempotency-Key" = "{task_id}" }
//! [auth.bearer]
//! token = { file = "secrets/payments-token" }
//! [success]
//! status = [200, 204]
//! [nothing_found]
//! status = [404]
//! ```
//!
//! `docs/processors.md` has the complete examples (an asynchronous job followed by polling
//! and callbacks, HMAC and OAuth2, the OpenDSR profile). Deserialising checks the shape;
//! [`crate::ProcessorConnector::new`] checks the meaning (templates, URLs, secrets).

mod auth;
mod opendsr;

pub use auth::{
    AuthConfig, BearerConfig, ClientAuth, Encoding, HmacConfig, OAuth2Config, SecretSource,
};
pub use opendsr::OpenDsrConfig;

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One processor and how to tell it to erase a person.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The connector's own state, a SQLite file (relative to the configuration's
    /// directory; created if missing): per task, the processor's job reference, the
    /// processor's answers kept as evidence, and the final answer. With it a follow-up, a
    /// retry or a restart carries on with the job already submitted instead of asking the
    /// processor twice. It holds no identifier of the person.
    pub state: PathBuf,
    /// Any HTTP API: the call that tells the processor. Not with `opendsr`.
    #[serde(default)]
    pub request: Option<RequestConfig>,
    /// A processor that speaks OpenDSR (formerly OpenGDPR). Not with `request`.
    #[serde(default)]
    pub opendsr: Option<OpenDsrConfig>,
    /// How the connector authenticates to the processor's API (and its token endpoint).
    #[serde(default)]
    pub auth: AuthConfig,
    /// `[request]` only: which answers mean the processor erased (or accepted the job).
    #[serde(default)]
    pub success: SuccessConfig,
    /// `[request]` only: which answers mean the processor holds nothing of the person (a
    /// success). Absent: no answer means that, and a 404 is a permanent failure.
    #[serde(default)]
    pub nothing_found: Option<NothingFoundConfig>,
    /// `[request]` only: the API answers with a job to follow instead of erasing at once.
    #[serde(default)]
    pub job: Option<JobConfig>,
    /// An HTTP listener for the processor's status callbacks: a callback wakes the task at
    /// once instead of waiting for the coordinator's follow-up. Required by a `[job]`
    /// without `poll_url`; optional otherwise.
    #[serde(default)]
    pub callback: Option<CallbackConfig>,
    /// `[request]` only: a URL that `erasure config check --connect` reads with GET
    /// (changing nothing) to see that the API answers with 2xx to the configured
    /// authentication. The OpenDSR profile checks its discovery document instead.
    #[serde(default)]
    pub check_url: Option<String>,
    /// How long one HTTP request may take, in seconds, before it counts as a transient
    /// failure.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// How long one work order may wait for an asynchronous job, polling it, before the
    /// connector answers "accepted" and lets the coordinator follow up: short, so that a
    /// slow processor never blocks the connector's work queue.
    #[serde(default = "default_max_wait_secs")]
    pub max_wait_secs: u64,
    /// The first pause between two polls of a job, in milliseconds; it doubles after
    /// each poll up to `poll_interval_max_secs`.
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// The longest pause between two polls, in seconds.
    #[serde(default = "default_poll_interval_max_secs")]
    pub poll_interval_max_secs: u64,
    /// When the coordinator should follow up after the first "accepted" answer, in
    /// seconds; it doubles with each further "accepted" answer of the same task up to
    /// `follow_up_max_secs` (the coordinator clamps it between 1 s and 24 h).
    #[serde(default = "default_follow_up_secs")]
    pub follow_up_secs: u64,
    /// The longest follow-up interval, in seconds.
    #[serde(default = "default_follow_up_max_secs")]
    pub follow_up_max_secs: u64,
    /// Response headers kept in the evidence besides `content-type`, `date` and the
    /// OpenDSR signature headers, e.g. `["x-request-id"]` (names, case-insensitive).
    #[serde(default)]
    pub evidence_headers: Vec<String>,
    /// Allows `http://` URLs (a test processor on loopback); otherwise only `https://`.
    #[serde(default)]
    pub allow_http: bool,
}

/// The call that tells the processor, one per value of the person's identifiers.
///
/// Placeholders, in the URL, the headers and the body's strings: `{request_id}`,
/// `{task_id}` (`<request id>/<system id>`, stable across attempts: a good idempotency
/// key), `{controller}`, `{callback_url}` (with `[callback]`), and, in the URL and the body
/// only, the identifier kinds `{email}`, `{phone}`, `{customer_id}`, `{national_id}`,
/// `{device_id}`, `{account_id}`, `{ip_address}`. Values are escaped for where they go:
/// percent-encoded in the URL (every character but letters, digits, `-`, `.`, `_`, `~`),
/// JSON-escaped in the body (the body is built as JSON, never pasted as text).
///
/// Several values: an identifier placeholder means one call per value (per combination,
/// when the templates name two kinds); a body string that is exactly `"{email[]}"` becomes
/// a JSON array of every e-mail address of the person (empty when there is none), in one
/// call. When the person has no value of a kind a placeholder names, nothing is sent and
/// the answer is "nothing found", saying why in the evidence; likewise when the templates
/// name kinds only as arrays and every array would be empty, and when a template names
/// `{controller}` and the request names none.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestConfig {
    /// `DELETE`, `POST`, `PUT`, `PATCH` or `GET`.
    pub method: String,
    /// The URL template; its scheme and host are fixed text (no placeholder before the path).
    pub url: String,
    /// Extra request headers (values may hold `{request_id}`, `{task_id}`, `{controller}`;
    /// never an identifier). Authentication headers come from `[auth]`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The JSON body template (a TOML table, array or string), sent with
    /// `content-type: application/json`. Absent: no body.
    #[serde(default)]
    pub body: Option<Value>,
}

/// Answers that mean success. A 2xx answer that fails the `field` test is a permanent
/// failure (the API answered, but not what the configuration expects).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuccessConfig {
    /// Status codes of success. Empty: any 2xx.
    #[serde(default)]
    pub status: Vec<u16>,
    /// A JSON pointer (RFC 6901, e.g. `/result/state`) into the answer's body whose value
    /// must be one of `values`.
    #[serde(default)]
    pub field: Option<String>,
    /// The accepted values of `field` (strings, numbers or booleans).
    #[serde(default)]
    pub values: Vec<Value>,
    /// A JSON pointer to the number of records the processor erased; absent: each
    /// successful call counts as one.
    #[serde(default)]
    pub count: Option<String>,
}

/// Answers that mean "nothing of the person there": a status code, or a field value in an
/// answer whose status is a success.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NothingFoundConfig {
    /// e.g. `[404]`.
    #[serde(default)]
    pub status: Vec<u16>,
    /// A JSON pointer into the answer's body.
    #[serde(default)]
    pub field: Option<String>,
    /// The values of `field` that mean nothing found.
    #[serde(default)]
    pub values: Vec<Value>,
}

/// An asynchronous API: a successful answer to the call names a job, whose status is then
/// read by polling `poll_url`, or brought by a callback, until it is done or failed.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobConfig {
    /// A JSON pointer to the job's id in the call's answer (a string or a number). The id
    /// is the acknowledgment's reference.
    pub id: String,
    /// The status URL template: `{job_id}`, `{request_id}`, `{task_id}`, `{controller}`
    /// (no identifier). Read with GET, with the same authentication. Absent: callbacks only.
    #[serde(default)]
    pub poll_url: Option<String>,
    /// A JSON pointer to the job's status in a status answer (or a callback's body).
    pub status: String,
    /// Status values that mean the job is done: the processor erased.
    pub done: Vec<Value>,
    /// Status values that mean the processor held nothing of the person.
    #[serde(default)]
    pub nothing_found: Vec<Value>,
    /// Status values that mean the job failed: a permanent failure, for a person to look at.
    #[serde(default)]
    pub failed: Vec<Value>,
    /// A JSON pointer to the number of records erased in the done answer; absent: one.
    #[serde(default)]
    pub count: Option<String>,
}

/// The callback listener. Each call is given its own callback URL,
/// `<public_url>/<token>/<n>`, with a random token kept in the state: a callback names its
/// task by its path, and a callback to an unknown path is refused (404).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackConfig {
    /// The address the listener binds, e.g. `0.0.0.0:8081`. It runs in the process that
    /// runs the connector (the coordinator, embedded; the connector's own process,
    /// distributed), one listener per processor system.
    pub listen: String,
    /// The listener's URL as the processor reaches it (through a proxy or ingress), e.g.
    /// `https://erasure.example.com/callbacks/payments`.
    pub public_url: String,
    /// `[request]` only: how the processor signs its callbacks (an HMAC over the body). A
    /// callback without a valid signature is refused (403). The OpenDSR profile checks
    /// the processor's certificate signature instead.
    #[serde(default)]
    pub signature: Option<HmacConfig>,
}

fn default_timeout_secs() -> u64 {
    30
}

fn default_max_wait_secs() -> u64 {
    20
}

fn default_poll_interval_ms() -> u64 {
    1_000
}

fn default_poll_interval_max_secs() -> u64 {
    10
}

fn default_follow_up_secs() -> u64 {
    60
}

fn default_follow_up_max_secs() -> u64 {
    3_600
}
