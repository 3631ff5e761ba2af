//! The coordinator: use cases over the pure core, with the adapters the binary picks.
//!
//! - [`vault`]: sealing identifiers under per-request data keys, blind indexes.
//! - [`codec`]: domain events to and from their stored protobuf form.
//! - [`service`]: submit, ingest acknowledgments, certificates (the use cases).
//! - [`relay`]: delivers outbox messages to the transport, opening sealed work orders.
//! - [`projection`]: the in-memory query view (list, watch), kept in step with the events.
//! - [`report`]: the period report file for regulators.
//! - [`timers`]: fires the timers recorded in events (retries, holds, deadlines).
//! - [`transparency`]: the Merkle log of certificates and supplements, signed tree heads.
//! - [`grpc`]: the `erasure.v1.ErasureService` gRPC edge; the only place that builds
//!   `tonic::Status`.
//! - [`server`]: wires it all and serves until shutdown.

pub mod clock;
pub mod codec;
pub mod error;
pub mod grpc;
pub mod projection;
pub mod relay;
pub mod report;
pub mod server;
pub mod service;
pub mod timers;
pub mod transparency;
pub mod vault;

pub use clock::{Clock, ManualClock, OffsetClock, SystemClock};
pub use error::CoordinatorError;
pub use service::{Coordinator, Storage};
