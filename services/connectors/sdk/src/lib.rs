//! Connector SDK: everything a connector kind needs besides its own erasure logic.
//!
//! A connector kind (sql, object-store, ...) implements one method, [`Connector::erase`]:
//! given a [`Job`] it erases the person's data in its system and returns a [`Report`]. Data
//! that a retention rule of the job still holds ([`Job::holds`]) is restricted (GDPR Art. 18)
//! instead, and reported per rule in [`Report::retained()`]; a kind that cannot restrict data
//! refuses such a job rather than erase it.
//! Everything around that is the same for every kind and lives here:
//!
//! - [`connector`]: the [`Connector`] trait, the [`Job`] it receives, the [`Report`] it returns.
//! - [`runner`]: [`Runner`], the bus handler that turns work orders into jobs and reports
//!   into signed acknowledgments, with an idempotency cache and pacing.
//! - [`keyfile`]: loading a connector's signing key, or creating it on first start.
//! - [`kind`]: [`KindConfig`], what a kind's configuration offers the registry of kinds.
//! - [`wake`]: [`Waker`], a connector's way to have its runner run a task again now (a
//!   third party's callback arrived before the coordinator's follow-up).
//! - `kit` (feature `test-util`): the conformance kit every connector kind passes.
//!
//! The idempotency cache (`cache`), the accepted orders kept for wakes (`accepted`), pacing
//! (`pacer`) and the translation between the wire protocol and [`Job`]/[`Report`] (`wire`)
//! are internal to the runner.

mod accepted;
mod cache;
pub mod connector;
pub mod keyfile;
pub mod kind;
#[cfg(feature = "test-util")]
pub mod kit;
mod pacer;
pub mod runner;
pub mod wake;
mod wire;

pub use connector::{Connector, Job, ProcessorProof, Report, Resolution, ResolutionOutcome};
pub use keyfile::{KeyFileError, load_or_generate};
pub use kind::{BuildError, KindConfig};
pub use runner::{Clock, Runner, RunnerConfig, RunnerError};
pub use wake::{AttachError, Waker};
