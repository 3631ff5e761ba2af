//! What a connector kind implements ([`Connector`]), what it is given ([`Job`]) and what it
//! answers ([`Report`]).

use async_trait::async_trait;
use erasure_core::events::Outcome;
use erasure_core::{Identifiers, SystemId};

/// One system's share of an erasure request, as the connector sees it.
///
/// `Debug` is safe to log: the identifiers print as `**REDACTED**`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub request_id: String,
    /// `<request_id>/<system_id>`, stable across attempts.
    pub task_id: String,
    pub system_id: SystemId,
    /// 1 for the first dispatch; a retry carries a higher number.
    pub attempt: u32,
    /// Validated and normalised; at least one is present.
    pub identifiers: Identifiers,
    /// Data categories of this system in scope of the request.
    pub categories: Vec<String>,
}

/// What a connector did for one job. None of its strings may hold personal data: they
/// travel in the signed acknowledgment, into events, logs and certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub outcome: Outcome,
    /// Rows, objects or records erased, anonymised or restricted.
    pub items_affected: u64,
    /// Human-readable evidence, e.g. `customers: 1 deleted; 0 remain`.
    pub evidence_summary: String,
    /// The evidence document (JSON). The runner keeps it and signs its SHA-256 digest.
    pub evidence: Vec<u8>,
    /// For failures: why.
    pub detail: String,
}

impl Report {
    /// A success with its evidence. Use [`Report::from_counts`] when the outcome follows
    /// from what was deleted and anonymised.
    pub fn success(
        outcome: Outcome,
        items_affected: u64,
        evidence_summary: impl Into<String>,
        evidence: Vec<u8>,
    ) -> Self {
        Self {
            outcome,
            items_affected,
            evidence_summary: evidence_summary.into(),
            evidence,
            detail: String::new(),
        }
    }

    /// The outcome every connector derives the same way: `Erased` if anything was deleted,
    /// else `Anonymised` if anything was anonymised, else `NothingFound`.
    pub fn from_counts(
        deleted: u64,
        anonymised: u64,
        evidence_summary: impl Into<String>,
        evidence: Vec<u8>,
    ) -> Self {
        let outcome = match (deleted, anonymised) {
            (0, 0) => Outcome::NothingFound,
            (0, _) => Outcome::Anonymised,
            _ => Outcome::Erased,
        };
        Self::success(outcome, deleted + anonymised, evidence_summary, evidence)
    }

    /// The system could not be reached or was busy: the coordinator retries later.
    pub fn failed_retryable(detail: impl Into<String>) -> Self {
        Self::failure(Outcome::FailedRetryable, detail.into())
    }

    /// Retrying cannot help (the configuration does not match the system): a person must look.
    pub fn failed_permanent(detail: impl Into<String>) -> Self {
        Self::failure(Outcome::FailedPermanent, detail.into())
    }

    fn failure(outcome: Outcome, detail: String) -> Self {
        Self {
            outcome,
            items_affected: 0,
            evidence_summary: String::new(),
            evidence: Vec::new(),
            detail,
        }
    }

    /// Whether the runner may remember this report's acknowledgment and answer a duplicate
    /// work order with it. Everything but a retryable failure is final.
    pub fn is_final(&self) -> bool {
        self.outcome != Outcome::FailedRetryable
    }
}

/// A connector kind's erasure logic. Implementations must be idempotent: erasing the same
/// person twice is harmless and the second time reports [`Outcome::NothingFound`].
#[async_trait]
pub trait Connector: Send + Sync + 'static {
    /// The connector kind, e.g. `"sql"`; for logs.
    fn kind(&self) -> &'static str;

    /// Erases the person's data. Never panics on system errors: reports them as
    /// [`Report::failed_retryable`] or [`Report::failed_permanent`].
    async fn erase(&self, job: &Job) -> Report;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_follows_from_counts() {
        let outcome = |d, a| Report::from_counts(d, a, "", Vec::new()).outcome;
        assert_eq!(outcome(2, 1), Outcome::Erased);
        assert_eq!(outcome(0, 1), Outcome::Anonymised);
        assert_eq!(outcome(0, 0), Outcome::NothingFound);
        assert_eq!(Report::from_counts(2, 1, "", Vec::new()).items_affected, 3);
    }

    #[test]
    fn only_retryable_failures_are_not_final() {
        assert!(!Report::failed_retryable("busy").is_final());
        assert!(Report::failed_permanent("no such table").is_final());
        assert!(Report::from_counts(0, 0, "", Vec::new()).is_final());
    }
}
