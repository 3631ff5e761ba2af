//! Domain events to and from their stored form: the protobuf message of the same name
//! (`proto/erasure/v1/events.proto`), schema version 1.

use chrono::{DateTime, NaiveDate, Utc};
use erasure_core::events::{
    AckAccepted, AckRejected, Event, Outcome, RequestReceived, Retained, SignedAck,
};
use erasure_core::inventory::PlannedTask;
use erasure_core::{RequestId, SystemId, TaskId};
use erasure_proto::v1 as pb;
use erasure_store::{NewEvent, RecordedEvent};
use prost::Message;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("unknown event type {0}")]
    UnknownType(String),
    #[error("unsupported version {version} of {event_type}")]
    UnsupportedVersion { event_type: String, version: u32 },
    #[error("undecodable {0}")]
    Undecodable(String),
}

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn strings<T: ToString>(v: &[T]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

pub fn encode(event: &Event) -> NewEvent {
    let payload = match event {
        Event::RequestReceived(r) => pb::RequestReceived {
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
        }
        .encode_to_vec(),
        Event::ErasurePlanned { tasks } => pb::ErasurePlanned {
            tasks: tasks
                .iter()
                .map(|t| pb::PlannedTask {
                    task_id: t.task_id.to_string(),
                    system_id: t.system_id.to_string(),
                    categories: t.categories.clone(),
                    hold_rules: t.hold_rules.clone(),
                })
                .collect(),
        }
        .encode_to_vec(),
        Event::TaskDispatched {
            task_id,
            system_id,
            attempt,
            at,
            not_before,
            answer_by,
        } => pb::TaskDispatched {
            task_id: task_id.to_string(),
            system_id: system_id.to_string(),
            attempt: *attempt,
            at_ms: ms(*at),
            not_before_ms: ms(*not_before),
            answer_by_ms: ms(*answer_by),
        }
        .encode_to_vec(),
        Event::AckAccepted(a) => pb::AckAccepted {
            task_id: a.task_id.to_string(),
            system_id: a.system_id.to_string(),
            attempt: a.attempt,
            outcome: a.outcome.to_pb() as i32,
            acknowledgment: Some(pb::SignedAcknowledgment {
                ack: a.signed.ack.clone(),
                signature: a.signed.signature.clone(),
                key_id: a.signed.key_id.clone(),
            }),
            at_ms: ms(a.at),
            items_affected: a.items_affected,
            evidence_summary: a.evidence_summary.clone(),
            detail: a.detail.clone(),
            retained: a.retained.iter().map(Retained::to_pb).collect(),
        }
        .encode_to_vec(),
        Event::AckRejected(r) => pb::AckRejected {
            system_id: r.system_id.to_string(),
            key_id: r.key_id.clone(),
            reason: r.reason.clone(),
            message_digest: r.message_digest.clone(),
            at_ms: ms(r.at),
        }
        .encode_to_vec(),
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
            at,
        } => pb::DeadlineExtended {
            months: *months,
            reason: reason.clone(),
            deadline: deadline.to_string(),
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
            at,
        } => pb::TaskRetryRequested {
            task_id: task_id.to_string(),
            system_id: system_id.to_string(),
            reason: reason.clone(),
            at_ms: ms(*at),
        }
        .encode_to_vec(),
    };
    NewEvent {
        event_type: event.type_name().to_owned(),
        version: SCHEMA_VERSION,
        payload,
    }
}

fn date(s: &str, field: &str) -> Result<NaiveDate, CodecError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| CodecError::Undecodable(field.into()))
}

fn dec<M: Message + Default>(e: &RecordedEvent) -> Result<M, CodecError> {
    M::decode(e.payload.as_slice()).map_err(|_| CodecError::Undecodable(e.event_type.clone()))
}

pub fn decode(e: &RecordedEvent) -> Result<Event, CodecError> {
    if e.version != SCHEMA_VERSION {
        return Err(CodecError::UnsupportedVersion {
            event_type: e.event_type.clone(),
            version: e.version,
        });
    }
    Ok(match e.event_type.as_str() {
        "RequestReceived" => {
            let r: pb::RequestReceived = dec(e)?;
            Event::RequestReceived(RequestReceived {
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
            })
        }
        "ErasurePlanned" => {
            let p: pb::ErasurePlanned = dec(e)?;
            Event::ErasurePlanned {
                tasks: p
                    .tasks
                    .into_iter()
                    .map(|t| PlannedTask {
                        task_id: TaskId::new(t.task_id),
                        system_id: SystemId::new(t.system_id),
                        categories: t.categories,
                        hold_rules: t.hold_rules,
                    })
                    .collect(),
            }
        }
        "TaskDispatched" => {
            let d: pb::TaskDispatched = dec(e)?;
            Event::TaskDispatched {
                task_id: TaskId::new(d.task_id),
                system_id: SystemId::new(d.system_id),
                attempt: d.attempt,
                at: from_ms(d.at_ms),
                not_before: from_ms(d.not_before_ms),
                answer_by: from_ms(d.answer_by_ms),
            }
        }
        "AckAccepted" => {
            let a: pb::AckAccepted = dec(e)?;
            let signed = a.acknowledgment.unwrap_or_default();
            Event::AckAccepted(AckAccepted {
                task_id: TaskId::new(a.task_id),
                system_id: SystemId::new(a.system_id),
                attempt: a.attempt,
                outcome: Outcome::from_pb(a.outcome)
                    .ok_or_else(|| CodecError::Undecodable("AckAccepted.outcome".into()))?,
                items_affected: a.items_affected,
                evidence_summary: a.evidence_summary,
                detail: a.detail,
                retained: a
                    .retained
                    .iter()
                    .map(Retained::from_pb)
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| CodecError::Undecodable("AckAccepted.retained".into()))?,
                signed: SignedAck {
                    ack: signed.ack,
                    signature: signed.signature,
                    key_id: signed.key_id,
                },
                at: from_ms(a.at_ms),
            })
        }
        "AckRejected" => {
            let r: pb::AckRejected = dec(e)?;
            Event::AckRejected(AckRejected {
                system_id: SystemId::new(r.system_id),
                key_id: r.key_id,
                reason: r.reason,
                message_digest: r.message_digest,
                at: from_ms(r.at_ms),
            })
        }
        "TaskRetryScheduled" => {
            let r: pb::TaskRetryScheduled = dec(e)?;
            Event::TaskRetryScheduled {
                task_id: TaskId::new(r.task_id),
                next_attempt: r.next_attempt,
                not_before: from_ms(r.not_before_ms),
                reason: r.reason,
            }
        }
        "RequestCompleted" => Event::RequestCompleted {
            at: from_ms(dec::<pb::RequestCompleted>(e)?.at_ms),
        },
        "RequestFailed" => {
            let f: pb::RequestFailed = dec(e)?;
            Event::RequestFailed {
                failed_systems: f.failed_systems.into_iter().map(SystemId::new).collect(),
                at: from_ms(f.at_ms),
            }
        }
        "CertificateIssued" => {
            let c: pb::CertificateIssued = dec(e)?;
            Event::CertificateIssued {
                certificate_hash: c.certificate_hash,
                signed_certificate: c.signed_certificate,
                at: from_ms(c.at_ms),
            }
        }
        "ErasureDeferred" => {
            let d: pb::ErasureDeferred = dec(e)?;
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
            let h: pb::HoldEnded = dec(e)?;
            Event::HoldEnded {
                system_id: SystemId::new(h.system_id),
                rule_ids: h.rule_ids,
                at: from_ms(h.at_ms),
            }
        }
        "SupplementIssued" => {
            let s: pb::SupplementIssued = dec(e)?;
            Event::SupplementIssued {
                sequence: s.sequence,
                supplement_hash: s.supplement_hash,
                signed_supplement: s.signed_supplement,
                at: from_ms(s.at_ms),
            }
        }
        "DeadlineExtended" => {
            let x: pb::DeadlineExtended = dec(e)?;
            Event::DeadlineExtended {
                months: x.months,
                reason: x.reason,
                deadline: date(&x.deadline, "DeadlineExtended.deadline")?,
                at: from_ms(x.at_ms),
            }
        }
        "DeadlineApproaching" => {
            let w: pb::DeadlineApproaching = dec(e)?;
            Event::DeadlineApproaching {
                deadline: date(&w.deadline, "DeadlineApproaching.deadline")?,
                days_before: w.days_before,
                at: from_ms(w.at_ms),
            }
        }
        "RequestOverdue" => {
            let o: pb::RequestOverdue = dec(e)?;
            Event::RequestOverdue {
                deadline: date(&o.deadline, "RequestOverdue.deadline")?,
                at: from_ms(o.at_ms),
            }
        }
        "TaskTimedOut" => {
            let t: pb::TaskTimedOut = dec(e)?;
            Event::TaskTimedOut {
                task_id: TaskId::new(t.task_id),
                system_id: SystemId::new(t.system_id),
                attempt: t.attempt,
                at: from_ms(t.at_ms),
            }
        }
        "TaskFailed" => {
            let t: pb::TaskFailed = dec(e)?;
            Event::TaskFailed {
                task_id: TaskId::new(t.task_id),
                system_id: SystemId::new(t.system_id),
                reason: t.reason,
                at: from_ms(t.at_ms),
            }
        }
        "TaskRetryRequested" => {
            let t: pb::TaskRetryRequested = dec(e)?;
            Event::TaskRetryRequested {
                task_id: TaskId::new(t.task_id),
                system_id: SystemId::new(t.system_id),
                reason: t.reason,
                at: from_ms(t.at_ms),
            }
        }
        other => return Err(CodecError::UnknownType(other.to_owned())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(e: NewEvent) -> RecordedEvent {
        RecordedEvent {
            position: 1,
            stream_id: "s".into(),
            stream_version: 1,
            event_type: e.event_type,
            version: e.version,
            payload: e.payload,
            recorded_at_ms: 0,
        }
    }

    #[test]
    fn every_event_round_trips() {
        let at = from_ms(1_790_000_000_123);
        let day = NaiveDate::from_ymd_opt(2032, 12, 31).expect("date");
        let events = vec![
            Event::RequestReceived(RequestReceived {
                request_id: "r1".into(),
                received_at: at,
                deadline: NaiveDate::from_ymd_opt(2026, 12, 22).expect("date"),
                jurisdiction: "FI".into(),
                channel: "phone".into(),
                verified_by: "agent-7".into(),
                scope: vec!["crm".into()],
                sealed_identifiers: vec![1, 2],
                blind_index: vec![vec![3]],
                idempotency_key_hash: vec![4],
                identifier_commitment: vec![5],
            }),
            Event::ErasurePlanned {
                tasks: vec![PlannedTask {
                    task_id: "r1/crm".into(),
                    system_id: "crm".into(),
                    categories: vec!["contact".into()],
                    hold_rules: vec!["fi-kpl-vouchers".into()],
                }],
            },
            Event::TaskDispatched {
                task_id: "r1/crm".into(),
                system_id: "crm".into(),
                attempt: 2,
                at,
                not_before: at,
                answer_by: at,
            },
            Event::AckAccepted(AckAccepted {
                task_id: "r1/crm".into(),
                system_id: "crm".into(),
                attempt: 2,
                outcome: Outcome::Anonymised,
                items_affected: 3,
                evidence_summary: "x".into(),
                detail: String::new(),
                retained: vec![Retained {
                    rule_id: "fi-kpl-vouchers".into(),
                    category: "accounting-voucher".into(),
                    items: 2,
                    latest_reference_date: day,
                    retained_until: day,
                }],
                signed: SignedAck {
                    ack: vec![1],
                    signature: vec![2],
                    key_id: "k".into(),
                },
                at,
            }),
            Event::AckRejected(AckRejected {
                system_id: "crm".into(),
                key_id: "k".into(),
                reason: "bad signature".into(),
                message_digest: vec![9],
                at,
            }),
            Event::TaskRetryScheduled {
                task_id: "r1/crm".into(),
                next_attempt: 3,
                not_before: at,
                reason: "busy".into(),
            },
            Event::RequestCompleted { at },
            Event::RequestFailed {
                failed_systems: vec!["crm".into()],
                at,
            },
            Event::CertificateIssued {
                certificate_hash: vec![1],
                signed_certificate: vec![2],
                at,
            },
            Event::ErasureDeferred {
                system_id: "billing".into(),
                rule_id: "fi-kpl-vouchers".into(),
                category: "accounting-voucher".into(),
                items: 2,
                retained_until: day,
                release_at: at,
                at,
            },
            Event::HoldEnded {
                system_id: "billing".into(),
                rule_ids: vec!["fi-kpl-vouchers".into()],
                at,
            },
            Event::SupplementIssued {
                sequence: 1,
                supplement_hash: vec![1],
                signed_supplement: vec![2],
                at,
            },
            Event::DeadlineExtended {
                months: 2,
                reason: "complex".into(),
                deadline: day,
                at,
            },
            Event::DeadlineApproaching {
                deadline: day,
                days_before: 7,
                at,
            },
            Event::RequestOverdue { deadline: day, at },
            Event::TaskTimedOut {
                task_id: "r1/crm".into(),
                system_id: "crm".into(),
                attempt: 1,
                at,
            },
            Event::TaskFailed {
                task_id: "r1/crm".into(),
                system_id: "crm".into(),
                reason: "no answer after 5 attempts".into(),
                at,
            },
            Event::TaskRetryRequested {
                task_id: "r1/crm".into(),
                system_id: "crm".into(),
                reason: "operator retry".into(),
                at,
            },
        ];
        for e in events {
            assert_eq!(decode(&recorded(encode(&e))).expect("decode"), e);
        }
    }

    #[test]
    fn unknown_types_and_versions_are_errors() {
        let mut r = recorded(encode(&Event::RequestCompleted { at: from_ms(0) }));
        r.version = 2;
        assert!(matches!(
            decode(&r),
            Err(CodecError::UnsupportedVersion { .. })
        ));
        r.version = 1;
        r.event_type = "Nope".into();
        assert!(matches!(decode(&r), Err(CodecError::UnknownType(_))));
    }
}
