//! Recording what the coordinator signs or refuses: certificates, supplements, rejected
//! acknowledgments.

use super::decision::Decision;
use crate::events::{AckRejected, Event};
use crate::rejection::Rejection;
use crate::state::{RequestState, RequestStatus};
use chrono::{DateTime, Utc};

/// Recording an acknowledgment that was not counted (bad signature, unknown key, ...).
pub fn reject_ack(rejected: AckRejected) -> Decision {
    Decision {
        events: vec![Event::AckRejected(rejected)],
        effects: vec![],
    }
}

/// Recording the certificate of a completed request. Exactly one per request.
pub fn issue_certificate(
    state: &RequestState,
    certificate_hash: Vec<u8>,
    signed_certificate: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    if state.status != RequestStatus::Completed {
        return Err(Rejection::NotCompleted);
    }
    if state.certificate.is_some() {
        return Err(Rejection::CertificateAlreadyIssued);
    }
    Ok(Decision {
        events: vec![Event::CertificateIssued {
            certificate_hash,
            signed_certificate,
            at: now,
        }],
        effects: vec![],
    })
}

/// Recording a supplement to the certificate (numbered from 1).
pub fn issue_supplement(
    state: &RequestState,
    supplement_hash: Vec<u8>,
    signed_supplement: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    if state.certificate.is_none() {
        return Err(Rejection::NothingToSupplement);
    }
    Ok(Decision {
        events: vec![Event::SupplementIssued {
            sequence: state.supplements.len() as u32 + 1,
            supplement_hash,
            signed_supplement,
            at: now,
        }],
        effects: vec![],
    })
}
