//! Errors to `tonic::Status`, the only place they are built. Status messages never carry
//! identifiers; infrastructure failures are logged here and answered in general terms.

use crate::error::CoordinatorError;
use tonic::Status;

pub fn status(e: CoordinatorError) -> Status {
    match e {
        CoordinatorError::Invalid(m) => Status::invalid_argument(m),
        e @ (CoordinatorError::NotFound(_) | CoordinatorError::UnknownReplay(_)) => {
            Status::not_found(e.to_string())
        }
        CoordinatorError::FailedPrecondition(m) => Status::failed_precondition(m),
        CoordinatorError::Unavailable(m) => Status::unavailable(m),
        e @ CoordinatorError::IdempotencyMismatch(_) => Status::already_exists(e.to_string()),
        CoordinatorError::Store(e) => {
            tracing::error!(error = %e, "store failure");
            Status::unavailable("the event store is unavailable; nothing was recorded, try again")
        }
        CoordinatorError::Internal(m) => {
            tracing::error!(error = %m, "internal failure");
            Status::internal("internal error; see the server log")
        }
    }
}

/// A document as the JSON the API returns.
pub fn to_json(value: &impl serde::Serialize) -> Result<String, Status> {
    serde_json::to_string_pretty(value)
        .map_err(|e| status(CoordinatorError::Internal(e.to_string())))
}
