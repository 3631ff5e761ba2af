//! Driver errors as [`StoreError`]s.
//!
//! A server error's DETAIL may quote row values (`Key (request_id)=(...) already
//! exists`), so messages keep only its SQLSTATE and primary text; other errors show the
//! driver's kind and cause (I/O, timeout). Neither ever holds bound parameters, so no
//! payload or key bytes reach a message. The server never echoes a password; connection
//! errors are scrubbed anyway, by [`Target`](super::target::Target).

use std::error::Error as _;

use tokio_postgres::error::SqlState;

use crate::StoreError;

/// Maps driver errors to [`StoreError`] with what was being done.
pub(super) trait Context<T> {
    fn ctx(self, doing: &str) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, tokio_postgres::Error> {
    fn ctx(self, doing: &str) -> Result<T, StoreError> {
        self.map_err(|e| to_store_error(doing, &e))
    }
}

/// Data exceptions (SQLSTATE class 22, e.g. a NUL character in a text column) are input
/// the store cannot take; everything else is the database failing.
fn to_store_error(doing: &str, e: &tokio_postgres::Error) -> StoreError {
    let message = format!("{doing}: {}", describe(e));
    match e.code() {
        Some(code) if code.code().starts_with("22") => StoreError::Invalid(message),
        _ => StoreError::Unavailable(message),
    }
}

/// `SQLSTATE severity: message` for a server error; `kind: cause` otherwise.
pub(super) fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} {}: {}", db.code().code(), db.severity(), db.message());
    }
    match e.source() {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// `unique(stream_id, stream_version)` refused a row: another append won the race.
pub(super) fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}
