//! The `processor` connector kind: third parties that hold the person's data for the
//! controller (payment, SMS, e-mail marketing, analytics, hosting, error reporting; GDPR
//! Art. 28) are told to erase it through their HTTP APIs (Art. 17, Art. 19), declared in
//! configuration rather than coded per vendor, or through the OpenDSR profile.
//!
//! A processor often answers later. A work order submits once per task (the job's
//! reference is kept in the connector's own state file), follows the job for a short
//! while (`max_wait`), and answers either finally or "accepted" with a follow-up time; the
//! coordinator's follow-up work order carries on with the same job, never submitting it
//! again, and a callback from the processor wakes the task at once. A task already
//! answered is answered again from what was kept: the processor is never asked twice.
//! Processors cannot restrict data (Art. 18): a job carrying legal holds is refused.
//!
//! - [`config`]: [`Config`], as it appears in the inventory (every field documented).
//! - [`template`]: URL, header and body templates, each escaping values for where they go.
//! - [`secret`], [`auth`]: secrets from files or the environment; bearer tokens, HMAC
//!   signatures, OAuth2 client credentials with a token cache.
//! - [`http`]: the HTTP client, answers and failures (transient or permanent), the
//!   Retry-After gate.
//! - [`protocol`]: what a way of telling a processor implements: [`generic`] (`[request]`)
//!   and [`opendsr`].
//! - [`driver`]: one task's steps: submit once, follow, finish or answer "accepted".
//! - [`task`], [`state`]: what is kept of each task, in a SQLite file.
//! - [`evidence`]: the evidence document and its summary.
//! - [`callback`]: the listener for the processor's status callbacks.
//! - [`connector`]: [`ProcessorConnector`], the [`erasure_connector_sdk::Connector`].

pub mod auth;
pub mod callback;
pub mod config;
pub mod connector;
pub mod driver;
mod error;
pub mod evidence;
pub mod generic;
pub mod http;
pub mod opendsr;
pub mod protocol;
pub mod secret;
pub mod state;
pub mod task;
pub mod template;

pub use config::Config;
pub use connector::ProcessorConnector;
pub use error::ConfigError;
