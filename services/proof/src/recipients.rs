//! The "recipients" check. Each recipient of the data (GDPR Art. 19) stands for a system of
//! the certificate; what the certificate says about how it answered must be what that
//! system's result says: the connector's signed acknowledgment, or the operator's
//! attestation of a manual task (then it was told "manual", and only then).

use crate::ack;
use crate::verification::{Verification, problems_or};
use crate::view::{outcome_name, rfc3339};
use erasure_proto::v1::{RecipientNotice, SystemResult};

/// The roles and ways of telling a verifier accepts, as the format documents them.
pub(crate) const ROLES: [&str; 2] = ["processor", "controller"];
pub(crate) const VIAS: [&str; 4] = ["api", "opendsr", "manual", "connector"];

/// Records "recipients" when the certificate lists any.
pub(crate) fn verify(
    v: &mut Verification,
    systems: &[SystemResult],
    recipients: &[RecipientNotice],
) {
    if recipients.is_empty() {
        return;
    }
    let problems: Vec<String> = recipients
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let twice = recipients[..i].iter().any(|e| e.system_id == n.system_id);
            let result = if twice {
                Err("listed twice".to_owned())
            } else {
                notice(n, systems)
            };
            result
                .err()
                .map(|e| format!("recipient {}: {e}", n.system_id))
        })
        .collect();
    let summary = format!(
        "{} recipient(s), each as its system's result says",
        recipients.len()
    );
    v.record("recipients", problems_or(problems, summary));
}

/// One notice against its system's result.
fn notice(n: &RecipientNotice, systems: &[SystemResult]) -> Result<(), String> {
    if n.name.trim().is_empty() {
        return Err("has no name".into());
    }
    if !ROLES.contains(&n.role.as_str()) {
        return Err(format!(
            "role {:?} is not one of {}",
            n.role,
            ROLES.join(", ")
        ));
    }
    if !VIAS.contains(&n.via.as_str()) {
        return Err(format!("via {:?} is not one of {}", n.via, VIAS.join(", ")));
    }
    let s = systems
        .iter()
        .find(|s| s.system_id == n.system_id)
        .ok_or_else(|| "not a system of the certificate".to_owned())?;
    if n.outcome != s.outcome {
        return Err(format!(
            "outcome {}, but the system's result says {}",
            outcome_name(n.outcome),
            outcome_name(s.outcome)
        ));
    }
    let (answered_at_ms, reference) = answer(n, s)?;
    if n.answered_at_ms != answered_at_ms {
        return Err(format!(
            "answered_at {}, but the system's result is dated {}",
            rfc3339(n.answered_at_ms),
            rfc3339(answered_at_ms)
        ));
    }
    if n.reference != reference {
        return Err(format!(
            "reference {:?}, but the system's result gives {reference:?}",
            n.reference
        ));
    }
    if n.told_at_ms != 0 && n.answered_at_ms != 0 && n.told_at_ms > n.answered_at_ms {
        return Err(format!(
            "told at {}, after it answered ({})",
            rfc3339(n.told_at_ms),
            rfc3339(n.answered_at_ms)
        ));
    }
    Ok(())
}

/// When the system's result says it answered, and its reference; and that the notice's
/// `via` fits the kind of result (manual exactly for an attestation).
fn answer(n: &RecipientNotice, s: &SystemResult) -> Result<(i64, String), String> {
    match (&s.acknowledgment, &s.attestation) {
        (None, Some(a)) if n.via == "manual" => Ok((a.attested_at_ms, String::new())),
        (None, Some(_)) => Err(format!(
            "told via {}, but an operator attested the result (via must be manual)",
            n.via
        )),
        (Some(_), None) if n.via == "manual" => Err(
            "told via manual, but a connector acknowledged the result (manual is for an \
             operator's attestation)"
                .into(),
        ),
        (Some(signed), None) => {
            let a =
                ack::peek_ack(signed).map_err(|_| "the system's acknowledgment does not decode")?;
            Ok((a.completed_at_ms, a.reference))
        }
        _ => Err("the system's result is not one acknowledgment or one attestation".into()),
    }
}
