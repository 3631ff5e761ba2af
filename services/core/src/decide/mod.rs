//! Decisions: given the current state, a command and the time, the events to append and
//! the effects for the caller to carry out. Nothing here performs I/O.
//!
//! - [`policy`]: retries, rules and warnings a decision follows; the caller's time and jitter.
//! - `decision`: [`Decision`] and [`Effect`], and the steps commands share.
//! - `receive`, `resolve`, `ack`, `timers`, `operator`, `replay`, `proofs`: one command
//!   family each.

mod ack;
mod decision;
mod operator;
pub mod policy;
mod proofs;
mod receive;
mod replay;
mod resolve;
mod timers;

pub use crate::rejection::{AckRejection, Rejection};
pub use ack::accept_ack;
pub use decision::{Decision, Effect};
pub use operator::{MAX_EVIDENCE_CHARS, attest, extend, reject, retry};
pub use policy::{Now, Policy, RetryPolicy};
pub use proofs::{issue_certificate, issue_supplement, reject_ack};
pub use receive::receive;
pub use replay::replay;
pub use resolve::{ResolutionAnswer, accept_resolution};
pub use timers::{shred_due, shredded, tick};
