//! The coordinator: use cases over the pure core, in rooms by responsibility, with the
//! adapters the caller picks.
//!
//! - [`coordinator`]: [`Coordinator`], the rooms assembled; the use cases the gRPC edge calls.
//! - [`streams`]: reading and folding request streams, appending decisions, the command loop.
//! - [`effects`]: what a decision leads to besides its events (outbox messages, log lines).
//! - [`submit`]: requests coming in.
//! - [`ingest`]: acknowledgments: verified and counted, or rejected and recorded.
//! - [`resolutions`]: answers to identity resolution, merged into the request's sealed
//!   identifiers.
//! - [`commands`]: timers firing, deadlines extended, failed tasks retried, manual tasks
//!   closed with an operator's evidence (checked by [`evidence`] to name nobody), erasures
//!   replayed.
//! - [`replays`]: replay jobs after a backup was restored, run in the background and
//!   resumed after a restart.
//! - [`certify`]: certificates and supplements, signed with the coordinator's key.
//! - [`export`]: certificate and supplement files with their log proofs.
//! - [`vault`] and [`sealing`]: identifiers sealed under per-request data keys; blind indexes.
//! - [`codec`]: the store's rows for domain events (the conversion is `erasure-proto`'s).
//! - [`relay`]: delivers outbox messages to the transport, opening sealed work orders.
//! - [`projection`]: the in-memory query view (list, watch), kept in step with the events.
//! - [`timers`]: fires the timers recorded in events (retries, holds, deadlines).
//! - [`transparency`]: the Merkle log of certificates and supplements, signed tree heads.
//! - [`report`]: the period report file for regulators.
//! - [`metrics`]: the counters, histogram and gauges exported over OTLP and `/metrics`.
//! - [`grpc`]: the `erasure.v1.ErasureService` gRPC edge; the only place that builds
//!   `tonic::Status`.
//! - [`node`]: starts the background work and hands out the gRPC services to serve.
//!
//! Background workers receive what they use (streams, sealer, policy, notary), never the
//! whole coordinator.

pub mod certify;
pub mod clock;
pub mod codec;
pub mod commands;
pub mod coordinator;
pub mod effects;
pub mod error;
pub mod evidence;
pub mod export;
pub mod grpc;
pub mod ingest;
pub mod metrics;
pub mod node;
pub mod projection;
pub mod relay;
pub mod replays;
pub mod report;
pub mod resolutions;
pub mod sealing;
pub mod streams;
pub mod submit;
pub mod timers;
pub mod transparency;
pub mod vault;

pub use clock::{Clock, ManualClock, OffsetClock, SystemClock};
pub use coordinator::Coordinator;
pub use error::CoordinatorError;
pub use streams::Storage;
