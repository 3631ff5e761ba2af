//! Every limit of the gRPC API in one place (also stated in `proto/erasure/v1/api.proto`,
//! next to each field, for client authors).
//!
//! Strings are counted in characters (Unicode scalar values) after the byte length was
//! checked against four times the limit, so a huge value is refused without being scanned.
//! A value past its limit is refused with `INVALID_ARGUMENT` naming the field and the
//! limit, never echoing the value: a long value in an error would break the client on its
//! metadata size limit, and an identifier value is personal data.

use tonic::Status;

/// `request_id`, `replay_id`: the coordinator's own ids (UUIDs or derived from a key).
pub const MAX_ID: usize = 100;
/// `idempotency_key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;
/// `channel`: how the request arrived ("phone", "email", ...).
pub const MAX_CHANNEL: usize = 64;
/// `verified_by`: how or by whom the person's identity was verified.
pub const MAX_VERIFIED_BY: usize = 200;
/// `reason` of Extend and Retry.
pub const MAX_REASON: usize = 2000;
/// `operator`: who did it.
pub const MAX_OPERATOR: usize = 200;
/// `evidence` of CompleteTask (the core's rule, as it goes into the certificate).
pub const MAX_EVIDENCE: usize = erasure_core::decide::MAX_EVIDENCE_CHARS;
/// `attachment.name`.
pub const MAX_ATTACHMENT_NAME: usize = 255;
/// A system id, `controller` (lower-case letters, digits, '-', '_').
pub const MAX_SYSTEM_ID: usize = 64;
/// Entries of `scope` and `system_ids`.
pub const MAX_SYSTEMS: usize = 256;
/// One identifier value, before it is normalised (an e-mail address is at most 254).
pub const MAX_IDENTIFIER: usize = 254;
/// Values of one identifier kind in a request, as sent (before duplicates collapse).
pub const MAX_IDENTIFIER_VALUES: usize = erasure_core::identifiers::MAX_VALUES_PER_KIND;
/// `jurisdiction`, as sent (an ISO 3166-1 alpha-2 code, surrounding blanks allowed).
pub const MAX_JURISDICTION: usize = 8;
/// `from`, `to`, `since`: a date or an RFC 3339 time.
pub const MAX_TIME: usize = 64;
/// `page_token`.
pub const MAX_PAGE_TOKEN: usize = 200;
/// Bytes of one page of a list (List, ListTasks): under the 4 MiB a default gRPC client
/// accepts, whatever was stored. A page ends early, with a next-page token, when the next
/// item would pass it.
pub const MAX_PAGE_BYTES: usize = 3 * 1024 * 1024;

/// `value` when it is at most `max` characters; otherwise `INVALID_ARGUMENT` naming
/// `field` and the limit.
pub fn bounded<'a>(field: &str, value: &'a str, max: usize) -> Result<&'a str, Status> {
    if value.len() > max && (value.len() > 4 * max || value.chars().count() > max) {
        return Err(too_long(field, max));
    }
    Ok(value)
}

/// `INVALID_ARGUMENT`: `field` is longer than `max` characters.
pub fn too_long(field: &str, max: usize) -> Status {
    Status::invalid_argument(format!("{field}: at most {max} characters"))
}

/// At most `max` entries in a repeated field.
pub fn at_most<T>(field: &str, values: &[T], max: usize) -> Result<(), Status> {
    if values.len() > max {
        return Err(Status::invalid_argument(format!(
            "{field}: at most {max} entries"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_at_the_limit_passes_and_one_past_is_refused_naming_the_field() {
        assert!(bounded("channel", &"é".repeat(64), 64).is_ok());
        let e = bounded("channel", &"é".repeat(65), 64).expect_err("too long");
        assert_eq!(e.code(), tonic::Code::InvalidArgument);
        assert_eq!(e.message(), "channel: at most 64 characters");
        let huge = "x".repeat(3_000_000);
        let e = bounded("channel", &huge, 64).expect_err("too long");
        assert!(e.message().len() < 100);
    }
}
