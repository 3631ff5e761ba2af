//! PostgreSQL itself: parameters sent as text, and classifying PostgreSQL's errors by
//! SQLSTATE (the adapter knows its database's codes). The pool is in [`crate::pg_pool`].
//!
//! Retryable: the connection failing or refused (class 08, I/O errors), serialization
//! failures and deadlocks (40001, 40P01), a lock not had within `lock_timeout` (55P03),
//! the server shutting down or cancelling (57P01-57P03, 57014), insufficient resources
//! (class 53). Permanent: everything else, above all a configuration that does not fit
//! the database (42P01 undefined table, 42703 undefined column, 42501 permission) or a
//! wrong password (28P01, 28000): a person must look. Details name the server, table and
//! SQLSTATE; the server's own message only for undefined tables and columns (it names
//! the object), never a DETAIL (which may quote row values), never the password.

use crate::builder::Statement;
use crate::result::Failure;
use bytes::BytesMut;
use std::error::Error as _;
use std::fmt;
use tokio_postgres::error::DbError;
use tokio_postgres::types::{Format, IsNull, ToSql, Type, to_sql_checked};

/// A parameter sent as text: the server converts it to whatever type the statement needs
/// there (`text`, an integer, `uuid`, `tid`...). `Debug` shows nothing of it.
pub struct Text<'a>(pub Option<&'a str>);

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**REDACTED**")
    }
}

impl ToSql for Text<'_> {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            Some(text) => {
                out.extend_from_slice(text.as_bytes());
                Ok(IsNull::No)
            }
            None => Ok(IsNull::Yes),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, _: &Type) -> Format {
        Format::Text
    }

    to_sql_checked!();
}

/// A statement's parameters, as text.
pub fn texts(statement: &Statement) -> Vec<Text<'_>> {
    let values = statement.params.iter();
    values.map(|p| Text(Some(p.expose().as_str()))).collect()
}

/// What `query` and `execute` take.
pub fn refs<'a>(texts: &'a [Text<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    texts.iter().map(|t| t as &(dyn ToSql + Sync)).collect()
}

/// Maps a driver error to a failure whose detail holds no personal data.
pub fn classify(error: &tokio_postgres::Error, context: &str) -> Failure {
    if let Some(db) = error.as_db_error() {
        return classify_db(db, context);
    }
    let cause = error.source().map_or(String::new(), |s| format!(": {s}"));
    let detail = format!("{context}: {error}{cause}");
    let io = error.source().is_some_and(|s| s.is::<std::io::Error>());
    match error.is_closed() || io {
        true => Failure::Retryable(detail),
        false => Failure::Permanent(detail),
    }
}

fn classify_db(db: &DbError, context: &str) -> Failure {
    classify_code(db.code().code(), db.message(), context)
}

/// A server error by its SQLSTATE; `message` (the server's primary text) is used only
/// where it names a schema object and nothing else.
pub fn classify_code(code: &str, message: &str, context: &str) -> Failure {
    let detail = match code {
        "42P01" | "42703" => format!("{context}: {message}"),
        _ => format!("{context}: SQLSTATE {code} ({})", reason(code)),
    };
    match is_retryable(code) {
        true => Failure::Retryable(detail),
        false => Failure::Permanent(detail),
    }
}

/// Whether a SQLSTATE names a condition that passes.
pub fn is_retryable(code: &str) -> bool {
    let class = code.get(..2).unwrap_or("");
    matches!(class, "08" | "53")
        || matches!(
            code,
            "40001" | "40P01" | "55P03" | "57P01" | "57P02" | "57P03" | "57014"
        )
}

/// What a SQLSTATE means, in words that hold no value from a row.
fn reason(code: &str) -> &'static str {
    match code {
        "28P01" => "password authentication failed: check `password_file`",
        "28000" => "the server refused this user",
        "3D000" => "the database does not exist",
        "42501" => "permission denied",
        "40001" => "serialization failure",
        "40P01" => "deadlock detected",
        "55P03" => "lock not available within busy_timeout_ms",
        "57014" => "statement cancelled",
        "57P01" | "57P02" | "57P03" => "the server is shutting down or starting",
        _ => class_reason(code.get(..2).unwrap_or("")),
    }
}

fn class_reason(class: &str) -> &'static str {
    match class {
        "08" => "connection failure",
        "22" => "a value does not fit a column's type",
        "23" => "integrity constraint violation",
        "25" => "invalid transaction state",
        "28" => "invalid authorization",
        "42" => "the statement does not fit the database's schema",
        "53" => "insufficient resources",
        _ => "database error",
    }
}

#[cfg(test)]
mod tests;
