//! Domain events from their stored form.

use super::super::DecodeError;
use super::super::common::{kind_counts_from, purpose};
use super::super::time::{date, from_ms};
use super::encode::SCHEMA_VERSION;
use crate::v1 as pb;
use erasure_core::access::{Actor, Role};
use erasure_core::events::{
    AckAccepted, AckRejected, Attestation, Event, RequestReceived, Resolved,
};
use erasure_core::inventory::{PlannedTask, Recipient};
use erasure_core::{RequestId, SystemId, TaskId};
use prost::Message;

/// An actor; absent (events recorded before principals were) or with an unknown role:
/// unauthenticated, with the subject kept.
fn actor(a: Option<pb::Actor>) -> Actor {
    let a = a.unwrap_or_default();
    Actor {
        role: Role::parse(&a.role),
        subject: a.subject,
    }
}

fn dec<M: Message + Default>(payload: &[u8], event_type: &str) -> Result<M, DecodeError> {
    M::decode(payload).map_err(|_| DecodeError::Undecodable(event_type.to_owned()))
}

/// The event stored as `event_type` (a protobuf message name) at schema `version`.
pub fn decode_event(event_type: &str, version: u32, payload: &[u8]) -> Result<Event, DecodeError> {
    if version != SCHEMA_VERSION {
        return Err(DecodeError::UnsupportedVersion {
            event_type: event_type.to_owned(),
            version,
        });
    }
    Ok(match event_type {
        "RequestReceived" => {
            Event::RequestReceived(dec::<pb::RequestReceived>(payload, event_type)?.try_into()?)
        }
        "ErasurePlanned" => Event::ErasurePlanned {
            tasks: dec::<pb::ErasurePlanned>(payload, event_type)?
                .tasks
                .into_iter()
                .map(PlannedTask::try_from)
                .collect::<Result<_, _>>()?,
        },
        "TaskDispatched" => {
            let d: pb::TaskDispatched = dec(payload, event_type)?;
            Event::TaskDispatched {
                task_id: TaskId::new(d.task_id),
                system_id: SystemId::new(d.system_id),
                attempt: d.attempt,
                at: from_ms(d.at_ms),
                not_before: from_ms(d.not_before_ms),
                answer_by: from_ms(d.answer_by_ms),
                purpose: purpose(d.purpose)?,
            }
        }
        "IdentifiersResolved" => {
            let r: pb::IdentifiersResolved = dec(payload, event_type)?;
            Event::IdentifiersResolved(Resolved {
                task_id: TaskId::new(r.task_id),
                system_id: SystemId::new(r.system_id),
                attempt: r.attempt,
                found: kind_counts_from(&r.found)?,
                sealed_identifiers: r.sealed_identifiers,
                at: from_ms(r.at_ms),
            })
        }
        "ResolutionFailed" => {
            let f: pb::ResolutionFailed = dec(payload, event_type)?;
            Event::ResolutionFailed {
                task_id: TaskId::new(f.task_id),
                system_id: SystemId::new(f.system_id),
                attempt: f.attempt,
                permanent: f.permanent,
                detail: f.detail,
                at: from_ms(f.at_ms),
            }
        }
        "AckAccepted" => {
            Event::AckAccepted(dec::<pb::AckAccepted>(payload, event_type)?.try_into()?)
        }
        "AckRejected" => Event::AckRejected(dec::<pb::AckRejected>(payload, event_type)?.into()),
        "TaskRetryScheduled" => {
            let r: pb::TaskRetryScheduled = dec(payload, event_type)?;
            Event::TaskRetryScheduled {
                task_id: TaskId::new(r.task_id),
                next_attempt: r.next_attempt,
                not_before: from_ms(r.not_before_ms),
                reason: r.reason,
            }
        }
        "RequestCompleted" => Event::RequestCompleted {
            at: from_ms(dec::<pb::RequestCompleted>(payload, event_type)?.at_ms),
        },
        "RequestFailed" => {
            let f: pb::RequestFailed = dec(payload, event_type)?;
            Event::RequestFailed {
                failed_systems: f.failed_systems.into_iter().map(SystemId::new).collect(),
                at: from_ms(f.at_ms),
            }
        }
        "CertificateIssued" => {
            let c: pb::CertificateIssued = dec(payload, event_type)?;
            Event::CertificateIssued {
                certificate_hash: c.certificate_hash,
                signed_certificate: c.signed_certificate,
                at: from_ms(c.at_ms),
            }
        }
        "ErasureDeferred" => {
            let d: pb::ErasureDeferred = dec(payload, event_type)?;
            Event::ErasureDeferred {
                system_id: SystemId::new(d.system_id),
                rule_id: d.rule_id,
                category: d.category,
                items: d.items,
                retained_until: date(&d.retained_until, "ErasureDeferred.retained_until")?,
                release_at: from_ms(d.release_at_ms),
                at: from_ms(d.at_ms),
            }
        }
        "HoldEnded" => {
            let h: pb::HoldEnded = dec(payload, event_type)?;
            Event::HoldEnded {
                system_id: SystemId::new(h.system_id),
                rule_ids: h.rule_ids,
                at: from_ms(h.at_ms),
            }
        }
        "SupplementIssued" => {
            let s: pb::SupplementIssued = dec(payload, event_type)?;
            Event::SupplementIssued {
                sequence: s.sequence,
                supplement_hash: s.supplement_hash,
                signed_supplement: s.signed_supplement,
                at: from_ms(s.at_ms),
            }
        }
        "DeadlineExtended" => {
            let x: pb::DeadlineExtended = dec(payload, event_type)?;
            Event::DeadlineExtended {
                months: x.months,
                reason: x.reason,
                deadline: date(&x.deadline, "DeadlineExtended.deadline")?,
                by: actor(x.by),
                at: from_ms(x.at_ms),
            }
        }
        "DeadlineApproaching" => {
            let w: pb::DeadlineApproaching = dec(payload, event_type)?;
            Event::DeadlineApproaching {
                deadline: date(&w.deadline, "DeadlineApproaching.deadline")?,
                days_before: w.days_before,
                at: from_ms(w.at_ms),
            }
        }
        "RequestOverdue" => {
            let o: pb::RequestOverdue = dec(payload, event_type)?;
            Event::RequestOverdue {
                deadline: date(&o.deadline, "RequestOverdue.deadline")?,
                at: from_ms(o.at_ms),
            }
        }
        "TaskTimedOut" => {
            let t: pb::TaskTimedOut = dec(payload, event_type)?;
            Event::TaskTimedOut {
                task_id: TaskId::new(t.task_id),
                system_id: SystemId::new(t.system_id),
                attempt: t.attempt,
                at: from_ms(t.at_ms),
            }
        }
        "TaskFailed" => {
            let t: pb::TaskFailed = dec(payload, event_type)?;
            Event::TaskFailed {
                task_id: TaskId::new(t.task_id),
                system_id: SystemId::new(t.system_id),
                reason: t.reason,
                at: from_ms(t.at_ms),
            }
        }
        "TaskRetryRequested" => {
            let t: pb::TaskRetryRequested = dec(payload, event_type)?;
            Event::TaskRetryRequested {
                task_id: TaskId::new(t.task_id),
                system_id: SystemId::new(t.system_id),
                reason: t.reason,
                by: actor(t.by),
                at: from_ms(t.at_ms),
            }
        }
        "FollowUpScheduled" => {
            let f: pb::FollowUpScheduled = dec(payload, event_type)?;
            Event::FollowUpScheduled {
                task_id: TaskId::new(f.task_id),
                system_id: SystemId::new(f.system_id),
                attempt: f.attempt,
                follow_up_at: from_ms(f.follow_up_at_ms),
                at: from_ms(f.at_ms),
            }
        }
        "BackupsAgedOut" => {
            let b: pb::BackupsAgedOut = dec(payload, event_type)?;
            Event::BackupsAgedOut {
                system_id: SystemId::new(b.system_id),
                set_ids: b.set_ids,
                expired_on: date(&b.expired_on, "BackupsAgedOut.expired_on")?,
                at: from_ms(b.at_ms),
            }
        }
        "ManualTaskOpened" => {
            let m: pb::ManualTaskOpened = dec(payload, event_type)?;
            Event::ManualTaskOpened {
                task_id: TaskId::new(m.task_id),
                system_id: SystemId::new(m.system_id),
                at: from_ms(m.at_ms),
            }
        }
        "TaskAttested" => {
            let a: pb::TaskAttested = dec(payload, event_type)?;
            Event::TaskAttested(Attestation {
                task_id: TaskId::new(a.task_id),
                system_id: SystemId::new(a.system_id),
                outcome: super::super::outcome(a.outcome)
                    .map_err(|_| DecodeError::Undecodable("TaskAttested.outcome".into()))?,
                operator: a.operator,
                evidence: a.evidence,
                attachment: a.attachment.map(Into::into),
                at: from_ms(a.at_ms),
            })
        }
        "ErasureReplayed" => {
            let r: pb::ErasureReplayed = dec(payload, event_type)?;
            Event::ErasureReplayed {
                replay_id: r.replay_id,
                system_ids: r.system_ids.into_iter().map(SystemId::new).collect(),
                since: from_ms(r.since_ms),
                at: from_ms(r.at_ms),
            }
        }
        "IdentifiersShredded" => {
            let s: pb::IdentifiersShredded = dec(payload, event_type)?;
            Event::IdentifiersShredded {
                at: from_ms(s.at_ms),
            }
        }
        "RequestRejected" => {
            let r: pb::RequestRejected = dec(payload, event_type)?;
            Event::RequestRejected {
                reason: r.reason,
                by: actor(r.by),
                at: from_ms(r.at_ms),
            }
        }
        other => return Err(DecodeError::UnknownType(other.to_owned())),
    })
}

impl TryFrom<pb::RequestReceived> for RequestReceived {
    type Error = DecodeError;

    fn try_from(r: pb::RequestReceived) -> Result<Self, Self::Error> {
        Ok(Self {
            request_id: RequestId::new(r.request_id),
            received_at: from_ms(r.received_at_ms),
            deadline: date(&r.deadline, "RequestReceived.deadline")?,
            jurisdiction: r.jurisdiction,
            channel: r.channel,
            verified_by: r.verified_by,
            scope: r.scope.into_iter().map(SystemId::new).collect(),
            sealed_identifiers: r.sealed_identifiers,
            blind_index: r.blind_index,
            idempotency_key_hash: r.idempotency_key_hash,
            identifier_commitment: r.identifier_commitment,
            controller: Some(r.controller).filter(|c| !c.is_empty()),
            disclose_recipients: r.disclose_recipients,
            submitted_by: actor(r.submitted_by),
        })
    }
}

impl TryFrom<pb::PlannedTask> for PlannedTask {
    type Error = DecodeError;

    fn try_from(t: pb::PlannedTask) -> Result<Self, Self::Error> {
        Ok(Self {
            task_id: TaskId::new(t.task_id),
            system_id: SystemId::new(t.system_id),
            categories: t.categories,
            hold_rules: t.hold_rules,
            resolves: t.resolves,
            manual: t.manual,
            recipient: t.recipient.as_ref().map(Recipient::try_from).transpose()?,
            asked_last: t.asked_last,
        })
    }
}

impl TryFrom<pb::AckAccepted> for AckAccepted {
    type Error = DecodeError;

    fn try_from(a: pb::AckAccepted) -> Result<Self, Self::Error> {
        let undecodable = |field: &str| DecodeError::Undecodable(format!("AckAccepted.{field}"));
        Ok(Self {
            task_id: TaskId::new(a.task_id),
            system_id: SystemId::new(a.system_id),
            attempt: a.attempt,
            outcome: super::super::outcome(a.outcome).map_err(|_| undecodable("outcome"))?,
            items_affected: a.items_affected,
            evidence_summary: a.evidence_summary,
            detail: a.detail,
            retained: a
                .retained
                .iter()
                .map(TryInto::try_into)
                .collect::<Result<_, _>>()
                .map_err(|_| undecodable("retained"))?,
            reference: a.reference,
            follow_up_at: (a.follow_up_at_ms != 0).then(|| from_ms(a.follow_up_at_ms)),
            backups: a
                .backups
                .iter()
                .map(TryInto::try_into)
                .collect::<Result<_, _>>()
                .map_err(|_| undecodable("backups"))?,
            signed: a.acknowledgment.unwrap_or_default().into(),
            at: from_ms(a.at_ms),
        })
    }
}

impl From<pb::AckRejected> for AckRejected {
    fn from(r: pb::AckRejected) -> Self {
        Self {
            system_id: SystemId::new(r.system_id),
            key_id: r.key_id,
            reason: r.reason,
            message_digest: r.message_digest,
            at: from_ms(r.at_ms),
        }
    }
}
