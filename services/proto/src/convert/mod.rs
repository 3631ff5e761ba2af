//! The one conversion layer between the generated messages and the domain types of
//! `erasure-core`, one module per message family. Everything that turns a protobuf message
//! into a domain value, or back, is here, as `From`/`TryFrom` where Rust allows it:
//!
//! - [`time`]: the wire's times (milliseconds since the epoch) and dates (`YYYY-MM-DD`).
//! - `common`: identifiers and outcomes (`common.proto`).
//! - `work`: retention rules, retained items, signed acknowledgments (`work.proto`).
//! - [`events`]: every domain event to and from its stored form (`events.proto`).
//! - `certificate`: the parts of a certificate made from domain state (`certificate.proto`).
//! - `api`: the API's views of a request (`api.proto`).
//!
//! Decoding checks what the domain requires (a known outcome, real dates, valid rules) and
//! names the field that failed, never its value.

mod api;
mod certificate;
mod common;
pub mod events;
pub mod time;
mod work;

pub use api::request_view;
pub use certificate::{
    aged_out_exceptions, backup_exceptions, deadline_extension, recipient_notices,
    retention_exception, system_result,
};
pub use common::{kind_counts, kind_counts_from, outcome, purpose, raw_identifiers};
pub use events::{EncodedEvent, SCHEMA_VERSION, decode_event};
pub use time::{from_ms, ms};
pub use work::accepted_ack;

/// Why a message does not convert to a domain value. Names the message and field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown event type {0}")]
    UnknownType(String),
    #[error("unsupported version {version} of {event_type}")]
    UnsupportedVersion { event_type: String, version: u32 },
    #[error("undecodable {0}")]
    Undecodable(String),
    /// A field whose value the domain does not accept.
    #[error("{0}")]
    Field(String),
}
