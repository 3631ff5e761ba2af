//! Why a command or an acknowledgment was refused: the caller's mistakes and conflicts,
//! never infrastructure.

use crate::ids::SystemId;

/// Why a command was refused. Caller errors and conflicts, never infrastructure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the request already exists")]
    AlreadyExists,
    #[error("unknown system in scope: {0}")]
    UnknownSystem(SystemId),
    #[error("nothing to erase: the inventory has no system in this scope")]
    NothingToErase,
    #[error("the jurisdiction must be an ISO 3166-1 alpha-2 code such as FI")]
    InvalidJurisdiction,
    #[error(
        "no retention rule for {categories} in {jurisdiction}: another jurisdiction's rules keep it. Add the rules of {jurisdiction}, or state in the rules file that it has none ([[no_retention]])"
    )]
    NoRetentionRule {
        jurisdiction: String,
        categories: String,
    },
    #[error(
        "the {kind} cannot be used by system {system}, which files data under it as one path segment: it is '.', '..', or holds '/', '\\' or a control character"
    )]
    UnsafeIdentifier {
        kind: crate::IdentifierKind,
        system: SystemId,
    },
    #[error("unknown controller {0}: the deployment declares {1}")]
    UnknownController(String, String),
    #[error("the request must name its controller: the deployment acts for {0}")]
    ControllerRequired(String),
    #[error("the deployment declares no controllers: a request cannot name one")]
    NoControllers,
    #[error("the request is not completed")]
    NotCompleted,
    #[error("a certificate was already issued for this request")]
    CertificateAlreadyIssued,
    #[error("the request has no certificate to supplement")]
    NothingToSupplement,
    #[error("the request is already {0}")]
    RequestFinal(&'static str),
    #[error("an extension is 1 or 2 months (GDPR Art. 12(3)), not {0}")]
    InvalidExtension(u32),
    #[error("an extension needs a reason: the person must be told why (GDPR Art. 12(3))")]
    ExtensionReasonMissing,
    #[error("the deadline was already extended, to {0}; it can be extended only once")]
    AlreadyExtended(chrono::NaiveDate),
    #[error("the first month ended on {0}: an extension must be decided within it")]
    ExtensionTooLate(chrono::NaiveDate),
    #[error("the task of system {0} has not failed; only failed tasks can be retried")]
    TaskNotFailed(SystemId),
    #[error("no task of this request has failed; nothing to retry")]
    NothingToRetry,
    #[error("the task of system {0} is not manual: its connector answers it")]
    NotManual(SystemId),
    #[error("the manual task of system {0} is not open: {1}")]
    TaskNotOpen(SystemId, &'static str),
    #[error("an attestation needs {0}")]
    AttestationIncomplete(&'static str),
    #[error("an operator attests {0} only as erased or nothing found")]
    InvalidAttestation(&'static str),
    #[error("a rejection needs a reason: the person must be told why (GDPR Art. 12(5))")]
    RejectionReasonMissing,
    #[error(
        "system {0} has already answered the erasure: a request can be rejected only before any system has erased anything"
    )]
    ErasureStarted(SystemId),
    #[error("nothing to replay: no system named has a finished erasure since that time")]
    NothingToReplay,
    #[error("the request's identifiers were shredded on {0}: nothing can be sent for it again")]
    Shredded(chrono::NaiveDate),
}

/// Why an acknowledgment is not counted (it is recorded as `AckRejected`, or ignored when
/// it is an exact duplicate).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AckRejection {
    #[error("no task for system {0} in this request")]
    UnknownTask(SystemId),
    #[error("the task id does not match the request's task")]
    TaskMismatch,
    #[error("the system is resolving identifiers, not erasing: an erasure answer is out of turn")]
    NotErasing,
    #[error("the system is not resolving identifiers: a resolution answer is out of turn")]
    NotResolving,
    #[error("stale attempt {got}, the task is at attempt {current}")]
    StaleAttempt { got: u32, current: u32 },
    #[error("retention claim refused: {0}")]
    BadRetention(String),
    #[error("backup claim refused: {0}")]
    BadBackups(String),
    #[error("the task of system {0} is manual: an operator closes it, no connector answers it")]
    ManualTask(SystemId),
}
