//! Domain events to their stored form.

use super::super::common::kind_counts;
use super::super::time::ms;
use crate::v1 as pb;
use erasure_core::access::Actor;
use erasure_core::events::{AckAccepted, AckRejected, Event, RequestReceived};
use erasure_core::inventory::PlannedTask;
use prost::Message;

/// The schema version every event is written with.
pub const SCHEMA_VERSION: u32 = 1;

/// An event as stored: the name of its protobuf message, the schema version, and the
/// message's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedEvent {
    pub event_type: &'static str,
    pub version: u32,
    pub payload: Vec<u8>,
}

fn strings<T: ToString>(v: &[T]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

impl From<&Event> for EncodedEvent {
    fn from(event: &Event) -> Self {
        Self {
            event_type: event.type_name(),
            version: SCHEMA_VERSION,
            payload: payload(event),
        }
    }
}

/// The event's protobuf message, encoded.
fn payload(event: &Event) -> Vec<u8> {
    match event {
        Event::RequestReceived(r) => pb::RequestReceived::from(r).encode_to_vec(),
        Event::ErasurePlanned { tasks } => pb::ErasurePlanned {
            tasks: tasks.iter().map(pb::PlannedTask::from).collect(),
        }
        .encode_to_vec(),
        Event::TaskDispatched {
            task_id,
            system_id,
            attempt,
            at,
            not_before,
            answer_by,
            purpose,
        } => pb::TaskDispatched {
            task_id: task_id.to_string(),
            system_id: system_id.to_string(),
            attempt: *attempt,
            at_ms: ms(*at),
            not_before_ms: ms(*not_before),
            answer_by_ms: ms(*answer_by),
            purpose: pb::Purpose::from(*purpose) as i32,
        }
        .encode_to_vec(),
        Event::IdentifiersResolved(r) => pb::IdentifiersResolved {
            task_id: r.task_id.to_string(),
            system_id: r.system_id.to_string(),
            attempt: r.attempt,
            found: kind_counts(&r.found),
            sealed_identifiers: r.sealed_identifiers.clone(),
            at_ms: ms(r.at),
        }
        .encode_to_vec(),
        Event::ResolutionFailed {
            task_id,
            system_id,
            attempt,
            permanent,
            detail,
            at,
        } => pb::ResolutionFailed {
            task_id: task_id.to_string(),
            system_id: system_id.to_string(),
            attempt: *attempt,
            permanent: *permanent,
            detail: detail.clone(),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::AckAccepted(a) => pb::AckAccepted::from(a).encode_to_vec(),
        Event::AckRejected(r) => pb::AckRejected::from(r).encode_to_vec(),
        Event::TaskRetryScheduled {
            task_id,
            next_attempt,
            not_before,
            reason,
        } => pb::TaskRetryScheduled {
            task_id: task_id.to_string(),
            next_attempt: *next_attempt,
            not_before_ms: ms(*not_before),
            reason: reason.clone(),
        }
        .encode_to_vec(),
        Event::RequestCompleted { at } => pb::RequestCompleted { at_ms: ms(*at) }.encode_to_vec(),
        Event::RequestFailed { failed_systems, at } => pb::RequestFailed {
            failed_systems: strings(failed_systems),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::CertificateIssued {
            certificate_hash,
            signed_certificate,
            at,
        } => pb::CertificateIssued {
            certificate_hash: certificate_hash.clone(),
            signed_certificate: signed_certificate.clone(),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::ErasureDeferred {
            system_id,
            rule_id,
            category,
            items,
            retained_until,
            release_at,
            at,
        } => pb::ErasureDeferred {
            system_id: system_id.to_string(),
            rule_id: rule_id.clone(),
            category: category.clone(),
            items: *items,
            retained_until: retained_until.to_string(),
            release_at_ms: ms(*release_at),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::HoldEnded {
            system_id,
            rule_ids,
            at,
        } => pb::HoldEnded {
            system_id: system_id.to_string(),
            rule_ids: rule_ids.clone(),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::SupplementIssued {
            sequence,
            supplement_hash,
            signed_supplement,
            at,
        } => pb::SupplementIssued {
            sequence: *sequence,
            supplement_hash: supplement_hash.clone(),
            signed_supplement: signed_supplement.clone(),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::DeadlineExtended {
            months,
            reason,
            deadline,
            by,
            at,
        } => pb::DeadlineExtended {
            months: *months,
            reason: reason.clone(),
            deadline: deadline.to_string(),
            at_ms: ms(*at),
            by: Some(by.into()),
        }
        .encode_to_vec(),
        Event::RequestRejected { reason, by, at } => pb::RequestRejected {
            reason: reason.clone(),
            by: Some(by.into()),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::DeadlineApproaching {
            deadline,
            days_before,
            at,
        } => pb::DeadlineApproaching {
            deadline: deadline.to_string(),
            days_before: *days_before,
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::RequestOverdue { deadline, at } => pb::RequestOverdue {
            deadline: deadline.to_string(),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::TaskTimedOut {
            task_id,
            system_id,
            attempt,
            at,
        } => pb::TaskTimedOut {
            task_id: task_id.to_string(),
            system_id: system_id.to_string(),
            attempt: *attempt,
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::TaskFailed {
            task_id,
            system_id,
            reason,
            at,
        } => pb::TaskFailed {
            task_id: task_id.to_string(),
            system_id: system_id.to_string(),
            reason: reason.clone(),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::TaskRetryRequested {
            task_id,
            system_id,
            reason,
            by,
            at,
        } => pb::TaskRetryRequested {
            task_id: task_id.to_string(),
            system_id: system_id.to_string(),
            reason: reason.clone(),
            at_ms: ms(*at),
            by: Some(by.into()),
        }
        .encode_to_vec(),
        Event::FollowUpScheduled {
            task_id,
            system_id,
            attempt,
            follow_up_at,
            at,
        } => pb::FollowUpScheduled {
            task_id: task_id.to_string(),
            system_id: system_id.to_string(),
            attempt: *attempt,
            follow_up_at_ms: ms(*follow_up_at),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::BackupsAgedOut {
            system_id,
            set_ids,
            expired_on,
            at,
        } => pb::BackupsAgedOut {
            system_id: system_id.to_string(),
            set_ids: set_ids.clone(),
            expired_on: expired_on.to_string(),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::ManualTaskOpened {
            task_id,
            system_id,
            at,
        } => pb::ManualTaskOpened {
            task_id: task_id.to_string(),
            system_id: system_id.to_string(),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::TaskAttested(a) => pb::TaskAttested {
            task_id: a.task_id.to_string(),
            system_id: a.system_id.to_string(),
            outcome: pb::Outcome::from(a.outcome) as i32,
            operator: a.operator.clone(),
            evidence: a.evidence.clone(),
            attachment: a.attachment.as_ref().map(pb::Attachment::from),
            at_ms: ms(a.at),
        }
        .encode_to_vec(),
        Event::ErasureReplayed {
            replay_id,
            system_ids,
            since,
            at,
        } => pb::ErasureReplayed {
            replay_id: replay_id.clone(),
            system_ids: strings(system_ids),
            since_ms: ms(*since),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
        Event::IdentifiersShredded { at } => {
            pb::IdentifiersShredded { at_ms: ms(*at) }.encode_to_vec()
        }
    }
}

impl From<&Actor> for pb::Actor {
    fn from(a: &Actor) -> Self {
        Self {
            subject: a.subject.clone(),
            role: a.role.map(|r| r.as_str().to_owned()).unwrap_or_default(),
        }
    }
}

impl From<&RequestReceived> for pb::RequestReceived {
    fn from(r: &RequestReceived) -> Self {
        Self {
            request_id: r.request_id.to_string(),
            received_at_ms: ms(r.received_at),
            deadline: r.deadline.to_string(),
            jurisdiction: r.jurisdiction.clone(),
            channel: r.channel.clone(),
            verified_by: r.verified_by.clone(),
            scope: strings(&r.scope),
            sealed_identifiers: r.sealed_identifiers.clone(),
            blind_index: r.blind_index.clone(),
            idempotency_key_hash: r.idempotency_key_hash.clone(),
            identifier_commitment: r.identifier_commitment.clone(),
            controller: r.controller.clone().unwrap_or_default(),
            disclose_recipients: r.disclose_recipients,
            submitted_by: Some((&r.submitted_by).into()),
        }
    }
}

impl From<&PlannedTask> for pb::PlannedTask {
    fn from(t: &PlannedTask) -> Self {
        Self {
            task_id: t.task_id.to_string(),
            system_id: t.system_id.to_string(),
            categories: t.categories.clone(),
            hold_rules: t.hold_rules.clone(),
            resolves: t.resolves,
            manual: t.manual,
            recipient: t.recipient.as_ref().map(pb::Recipient::from),
            asked_last: t.asked_last,
        }
    }
}

impl From<&AckAccepted> for pb::AckAccepted {
    fn from(a: &AckAccepted) -> Self {
        Self {
            task_id: a.task_id.to_string(),
            system_id: a.system_id.to_string(),
            attempt: a.attempt,
            outcome: pb::Outcome::from(a.outcome) as i32,
            acknowledgment: Some((&a.signed).into()),
            at_ms: ms(a.at),
            items_affected: a.items_affected,
            evidence_summary: a.evidence_summary.clone(),
            detail: a.detail.clone(),
            retained: a.retained.iter().map(pb::Retention::from).collect(),
            reference: a.reference.clone(),
            follow_up_at_ms: a.follow_up_at.map_or(0, ms),
            backups: a.backups.iter().map(pb::BackupCopy::from).collect(),
        }
    }
}

impl From<&AckRejected> for pb::AckRejected {
    fn from(r: &AckRejected) -> Self {
        Self {
            system_id: r.system_id.to_string(),
            key_id: r.key_id.clone(),
            reason: r.reason.clone(),
            message_digest: r.message_digest.clone(),
            at_ms: ms(r.at),
        }
    }
}
