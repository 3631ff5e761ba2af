//! What went wrong with an S3 request, by kind only: S3's messages name keys, and keys
//! hold identifiers.
//!
//! `AccessDenied` (HTTP 403) is the one permanent failure: the bucket's policy or the
//! credentials' do not allow what the erasure cannot do without. Other 403s (a wrong or
//! expired key, a clock off) and everything else are retryable, as for a local directory.
//! `NotImplemented` (HTTP 501) on listing versions means a store without versions.

use super::xml;
use crate::backend::StepError;

/// Why an S3 request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum S3Error {
    /// `AccessDenied`: the permission is missing.
    Denied,
    /// The store does not implement the request (no object versions there).
    NotImplemented,
    /// No such key or version (deleted meanwhile).
    Gone,
    /// Anything else, by kind ("unreachable", "storage error"): retryable.
    Failed(&'static str),
}

impl S3Error {
    /// A request that got no answer.
    pub fn transport(error: &reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Failed("timed out")
        } else if error.is_connect() {
            Self::Failed("unreachable")
        } else {
            Self::Failed("storage error")
        }
    }

    /// An answer with an error status, or an error `code` (S3's XML error, or one entry
    /// of a `DeleteObjects` result).
    pub fn answer(status: u16, code: Option<&str>) -> Self {
        match (status, code) {
            (_, Some("AccessDenied")) => Self::Denied,
            (501, _) | (_, Some("NotImplemented")) => Self::NotImplemented,
            (_, Some("NoSuchKey" | "NoSuchVersion")) => Self::Gone,
            (401 | 403, _) => Self::Failed("unauthenticated"),
            (404, Some("NoSuchBucket")) => Self::Failed("no such bucket"),
            (429 | 503, _) | (_, Some("SlowDown")) => Self::Failed("throttled"),
            _ => Self::Failed("storage error"),
        }
    }

    /// An HTTP answer with an error status and its body.
    pub fn from_body(status: u16, body: &str) -> Self {
        Self::answer(status, xml::error_code(body).as_deref())
    }

    /// The failure of `step`, which needs `permission`.
    pub fn at(self, step: &'static str, permission: &'static str) -> StepError {
        match self {
            Self::Denied => StepError::denied(step, permission),
            Self::NotImplemented => StepError::failed(step, "not implemented by the store"),
            Self::Gone => StepError::failed(step, "not found"),
            Self::Failed(kind) => StepError::failed(step, kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Cause;

    /// As AWS answers a request that a policy denies.
    const ACCESS_DENIED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/erasure is not authorized to perform: s3:ListBucketVersions on resource: "arn:aws:s3:::cameras" because no identity-based policy allows the s3:ListBucketVersions action</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>"#;

    #[test]
    fn access_denied_is_permanent_and_names_the_permission() {
        let error =
            S3Error::from_body(403, ACCESS_DENIED).at("listing versions", "s3:ListBucketVersions");
        assert_eq!(error.cause, Cause::Denied("s3:ListBucketVersions"));
        assert!(
            error.to_string().contains("s3:ListBucketVersions"),
            "{error}"
        );
    }

    #[test]
    fn other_failures_are_retryable_kinds() {
        let bad_key = ACCESS_DENIED.replace("AccessDenied", "InvalidAccessKeyId");
        assert_eq!(
            S3Error::from_body(403, &bad_key),
            S3Error::Failed("unauthenticated")
        );
        assert_eq!(
            S3Error::from_body(503, "<Error><Code>SlowDown</Code></Error>"),
            S3Error::Failed("throttled")
        );
        assert_eq!(
            S3Error::from_body(500, "oops"),
            S3Error::Failed("storage error")
        );
        assert_eq!(S3Error::from_body(501, ""), S3Error::NotImplemented);
        let missing = S3Error::from_body(404, "<Error><Code>NoSuchBucket</Code></Error>");
        assert_eq!(
            missing.at("listing versions", "-").to_string(),
            "listing versions failed: no such bucket"
        );
    }
}
