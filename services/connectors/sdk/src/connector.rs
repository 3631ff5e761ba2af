//! What a connector kind implements ([`Connector`]), what it is given ([`Job`]) and what it
//! answers ([`Report`]).

use crate::wake::{AttachError, Waker};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use erasure_core::events::{BackupCopy, Outcome, Retained};
use erasure_core::retention::{FinancialYearEnd, Rule};
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
    /// Retention rules that may hold some of this system's data (checked, unique ids). An
    /// item of a held category is restricted (GDPR Art. 18), not erased, while one of these
    /// still holds it on `as_of` ([`erasure_core::retention::hold_for_item`]), and reported
    /// in [`Report::retained()`]. Empty: nothing is held, erase everything.
    pub holds: Vec<Rule>,
    /// The coordinator's date when it sent the order: holds are judged on this day, not on
    /// the connector's clock, so that the coordinator can check the dates reported.
    pub as_of: NaiveDate,
    /// The last day of the controller's financial year; some rules run from it.
    pub financial_year_end: FinancialYearEnd,
    /// The controller the request is for, where the operator acts for several. Data pinned
    /// to a controller (a tenant column, a `{controller}` key segment) is touched only for
    /// that controller, and never when the job names none.
    pub controller: Option<String>,
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
    /// With [`Outcome::Retained`], and only then: what was kept, one entry per rule.
    pub retained: Vec<Retained>,
    /// The recipient's own reference for the request (a third party's job id), if any.
    pub reference: String,
    /// With [`Outcome::Accepted`], and only then: when to ask again.
    pub follow_up_at: Option<DateTime<Utc>>,
    /// With [`Outcome::InBackups`], and only then: the sets that may still hold the person.
    pub backups: Vec<BackupCopy>,
    /// From a processor that is itself an erasure orchestrator, with a final outcome: its
    /// signed answer and completion certificate, nested in the acknowledgment.
    pub processor_proof: Option<ProcessorProof>,
}

/// A processor's proof (OpenDSR federation): its signed status answer, the certificate that
/// signed it and its own completion certificate file, each byte for byte
/// (docs/proof-format.md, "Nested processor proofs").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessorProof {
    pub status_body: Vec<u8>,
    /// The signature from `X-OpenDSR-Signature`, base64-decoded.
    pub status_signature: Vec<u8>,
    /// The processor's OpenDSR signing certificate (DER).
    pub signing_certificate: Vec<u8>,
    /// The processor's certificate file (JSON) as it served it.
    pub certificate_file: Vec<u8>,
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
            retained: Vec::new(),
            reference: String::new(),
            follow_up_at: None,
            backups: Vec::new(),
            processor_proof: None,
        }
    }

    /// Some items were kept under legal holds (restricted, not erased): outcome
    /// [`Outcome::Retained`], whatever else was erased. `items_affected` counts everything
    /// erased, anonymised or restricted. `retained` must not be empty (the coordinator
    /// refuses a retained outcome that names no rule); when nothing is held, use
    /// [`Report::from_counts`].
    pub fn retained(
        retained: Vec<Retained>,
        items_affected: u64,
        evidence_summary: impl Into<String>,
        evidence: Vec<u8>,
    ) -> Self {
        Self {
            retained,
            ..Self::success(
                Outcome::Retained,
                items_affected,
                evidence_summary,
                evidence,
            )
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
            retained: Vec::new(),
            reference: String::new(),
            follow_up_at: None,
            backups: Vec::new(),
            processor_proof: None,
        }
    }

    /// Not final: the system (a third party's asynchronous API) took the request as
    /// `reference` and answers later. The runner does not cache it; the coordinator sends
    /// a new attempt at `follow_up_at` (within its bounds), and the connector carries on
    /// following the same job rather than starting another.
    pub fn accepted(
        reference: impl Into<String>,
        follow_up_at: DateTime<Utc>,
        evidence_summary: impl Into<String>,
        evidence: Vec<u8>,
    ) -> Self {
        Self {
            reference: reference.into(),
            follow_up_at: Some(follow_up_at),
            ..Self::success(Outcome::Accepted, 0, evidence_summary, evidence)
        }
    }

    /// Nothing can be erased now: the person may be in `backups` (not empty), sets that
    /// cannot be edited and age out on their own. When no set may hold the person, use
    /// [`Report::from_counts`] (nothing found).
    pub fn in_backups(
        backups: Vec<BackupCopy>,
        evidence_summary: impl Into<String>,
        evidence: Vec<u8>,
    ) -> Self {
        Self {
            backups,
            processor_proof: None,
            ..Self::success(Outcome::InBackups, 0, evidence_summary, evidence)
        }
    }

    /// A federated processor's nested proof, kept in the acknowledgment.
    pub fn with_processor_proof(mut self, proof: Option<ProcessorProof>) -> Self {
        self.processor_proof = proof;
        self
    }

    /// The recipient's own reference for the request, kept in the acknowledgment.
    pub fn with_reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = reference.into();
        self
    }

    /// Whether the runner may remember this report's acknowledgment and answer a duplicate
    /// work order with it. Everything but a retryable failure or an interim "accepted" is
    /// final: a retained report too, since the coordinator sends a new attempt once the
    /// holds end.
    pub fn is_final(&self) -> bool {
        self.outcome.is_final()
    }
}

/// What a connector found when asked which identifiers it files the job's person under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    pub outcome: ResolutionOutcome,
    /// With [`ResolutionOutcome::Found`]: every identifier found (the job's own included
    /// or not: the coordinator merges).
    pub found: Identifiers,
    /// For failures: why, with no personal data.
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolutionOutcome {
    Found,
    NothingFound,
    FailedRetryable,
    FailedPermanent,
}

impl Resolution {
    /// What was found; [`ResolutionOutcome::NothingFound`] when `found` is empty.
    pub fn found(found: Identifiers) -> Self {
        let outcome = if found.is_empty() {
            ResolutionOutcome::NothingFound
        } else {
            ResolutionOutcome::Found
        };
        Self {
            outcome,
            found,
            detail: String::new(),
        }
    }

    pub fn failed_retryable(detail: impl Into<String>) -> Self {
        Self::failure(ResolutionOutcome::FailedRetryable, detail.into())
    }

    pub fn failed_permanent(detail: impl Into<String>) -> Self {
        Self::failure(ResolutionOutcome::FailedPermanent, detail.into())
    }

    fn failure(outcome: ResolutionOutcome, detail: String) -> Self {
        Self {
            outcome,
            found: Identifiers::default(),
            detail,
        }
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

    /// Checks that the system is reachable and holds what the configuration names (tables
    /// and columns, a bucket), changing nothing: one line per problem, naming the setting,
    /// never a value of a person. Default: nothing to check.
    async fn check(&self) -> Vec<String> {
        Vec::new()
    }

    /// Called once by each [`Runner`](crate::Runner) that runs this connector, when the
    /// runner is built, with the [`Waker`] of its tasks. A kind that learns of a third
    /// party's progress by itself (a callback listener) starts listening here and keeps the
    /// waker to run a task again as soon as its answer is there (see [`crate::wake`]). An
    /// error stops the runner from being built. Default: nothing to start.
    async fn attach(&self, waker: Waker) -> Result<(), AttachError> {
        let _ = waker;
        Ok(())
    }

    /// Identity resolution: every identifier the system files the job's person under,
    /// changing nothing. A kind that cannot resolve answers with a permanent failure (the
    /// inventory should not declare its systems as resolving).
    async fn resolve(&self, job: &Job) -> Resolution {
        let _ = job;
        Resolution::failed_permanent(format!(
            "the {} connector does not resolve identifiers",
            self.kind()
        ))
    }
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

    fn kept() -> Retained {
        let date = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        Retained {
            rule_id: "fi-kpl-vouchers".into(),
            category: "accounting-voucher".into(),
            items: 2,
            latest_reference_date: date("2026-02-10"),
            retained_until: date("2032-12-31"),
        }
    }

    #[test]
    fn a_retained_report_carries_its_rules() {
        let report = Report::retained(vec![kept()], 3, "invoices: 2 restricted", b"{}".to_vec());
        assert_eq!(report.outcome, Outcome::Retained);
        assert_eq!(report.items_affected, 3);
        assert_eq!(report.retained, [kept()]);
        assert!(report.outcome.is_success());
        assert!(
            Report::from_counts(1, 0, "", Vec::new())
                .retained
                .is_empty()
        );
        assert!(Report::failed_permanent("x").retained.is_empty());
    }

    #[test]
    fn only_retryable_failures_are_not_final() {
        assert!(!Report::failed_retryable("busy").is_final());
        assert!(Report::failed_permanent("no such table").is_final());
        assert!(Report::from_counts(0, 0, "", Vec::new()).is_final());
        assert!(Report::retained(vec![kept()], 2, "", Vec::new()).is_final());
    }
}
