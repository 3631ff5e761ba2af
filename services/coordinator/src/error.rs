//! Errors of the use cases: what the caller got wrong, conflicts, and infrastructure.

use erasure_core::{IdentifierError, Rejection};
use erasure_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoordinatorError {
    /// The request is malformed (bad identifier, unknown system, ...).
    #[error("{0}")]
    Invalid(String),
    #[error("request {0} not found")]
    NotFound(String),
    #[error("replay {0} not found")]
    UnknownReplay(String),
    /// The request cannot be served in its current state.
    #[error("{0}")]
    FailedPrecondition(String),
    /// The idempotency key was used for a different request.
    #[error("the idempotency key was already used for a different request ({0})")]
    IdempotencyMismatch(String),
    /// Not ready yet; the same call may succeed shortly.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Keys, sealing, signing: the coordinator's own material failed.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<IdentifierError> for CoordinatorError {
    fn from(e: IdentifierError) -> Self {
        Self::Invalid(e.to_string())
    }
}

impl From<Rejection> for CoordinatorError {
    fn from(e: Rejection) -> Self {
        match e {
            Rejection::NotCompleted
            | Rejection::CertificateAlreadyIssued
            | Rejection::AlreadyExists
            | Rejection::NothingToSupplement
            | Rejection::RequestFinal(_)
            | Rejection::AlreadyExtended(_)
            | Rejection::ExtensionTooLate(_)
            | Rejection::TaskNotFailed(_)
            | Rejection::NothingToRetry
            | Rejection::Shredded(_)
            | Rejection::NoRetentionRule { .. } => Self::FailedPrecondition(e.to_string()),
            _ => Self::Invalid(e.to_string()),
        }
    }
}
