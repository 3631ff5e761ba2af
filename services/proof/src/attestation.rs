//! The "attestation of <system>" check. A manual task (a recipient with no API) is closed
//! by an operator, not by a connector: the certificate carries the operator's attestation
//! instead of a signed acknowledgment, and only the coordinator's signature covers it. The
//! check makes sure such an entry is complete and says so plainly; it never passes it as
//! signed by a connector.

use crate::view::outcome_name;
use erasure_proto::v1::{OperatorAttestation, Outcome, SystemResult};

/// An attestation is acceptable when its outcome is erased or nothing-found, it names the
/// operator, gives evidence and a time, and an attachment's digest is a SHA-256. Failures
/// name the field, never its text (evidence is free text).
pub(crate) fn attested(s: &SystemResult, a: &OperatorAttestation) -> Result<String, String> {
    if !matches!(
        Outcome::try_from(s.outcome),
        Ok(Outcome::Erased | Outcome::NothingFound)
    ) {
        return Err(format!(
            "outcome {} cannot be attested: an operator attests erased or nothing-found only",
            outcome_name(s.outcome)
        ));
    }
    if a.operator.trim().is_empty() {
        return Err("names no operator".into());
    }
    if a.evidence.trim().is_empty() {
        return Err("gives no evidence".into());
    }
    if a.attested_at_ms <= 0 {
        return Err("has no attested_at_ms".into());
    }
    if let Some(file) = &a.attachment
        && file.sha256.len() != 32
    {
        return Err(format!(
            "the attachment's sha256 is {} bytes, not 32",
            file.sha256.len()
        ));
    }
    Ok(format!(
        "{} attested by operator {}, not signed by a connector",
        outcome_name(s.outcome),
        a.operator
    ))
}
