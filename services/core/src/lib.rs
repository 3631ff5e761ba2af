//! The pure domain of the erasure orchestrator. No I/O, no clock, no async.
//!
//! - [`access`]: the roles of the API and who did an action.
//! - [`sensitive`]: a wrapper that redacts personal data in `Debug`/`Display`.
//! - [`identifiers`]: the person's identifiers, validated and normalised.
//! - [`ids`]: request, system and task ids.
//! - [`jurisdiction`]: ISO 3166-1 alpha-2 codes.
//! - [`deadline`]: the Art. 12(3) one-calendar-month deadline.
//! - [`retention`]: legal holds: retention rules and the dates they give.
//! - [`inventory`]: which systems exist and what they hold; planning a request over them.
//! - [`events`]: the event vocabulary (the source of truth).
//! - [`state`]: a request's state as a fold of its events.
//! - [`decide`]: commands in, events and effects out (`decide(&state, command, now)`).
//! - [`rejection`]: why a command or an acknowledgment was refused.
//! - [`report`]: the period report for regulators, from request states.

pub mod access;
pub mod deadline;
pub mod decide;
pub mod events;
pub mod identifiers;
pub mod ids;
pub mod inventory;
pub mod jurisdiction;
pub mod rejection;
pub mod report;
pub mod retention;
pub mod sensitive;
pub mod state;

pub use decide::{Decision, Effect, Rejection};
pub use events::Event;
pub use identifiers::{IdentifierError, IdentifierKind, Identifiers};
pub use ids::{RequestId, SystemId, TaskId};
pub use sensitive::Sensitive;
pub use state::{RequestState, RequestStatus, TaskStatus};
