use super::*;
use crate::convert::DecodeError;
use crate::convert::time::from_ms;
use chrono::NaiveDate;
use erasure_core::events::{
    AckAccepted, AckRejected, Attachment, Attestation, BackupCopy, Outcome, Purpose,
    RequestReceived, Resolved, Retained, SignedAck,
};
use erasure_core::inventory::{Notice, PlannedTask, Recipient, RecipientRole};
use erasure_core::{Event, IdentifierKind};
fn round_trip(e: &Event) -> Result<Event, DecodeError> {
    let stored = EncodedEvent::from(e);
    decode_event(stored.event_type, stored.version, &stored.payload)
}

#[test]
fn every_event_round_trips() {
    let at = from_ms(1_790_000_000_123);
    let day = NaiveDate::from_ymd_opt(2032, 12, 31).expect("date");
    let events = vec![
        Event::RequestReceived(RequestReceived {
            disclose_recipients: true,
            submitted_by: erasure_core::access::Actor::new(
                "olga",
                erasure_core::access::Role::Operator,
            ),
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
            controller: Some("acme".into()),
        }),
        Event::ErasurePlanned {
            tasks: vec![PlannedTask {
                manual: true,
                asked_last: true,
                recipient: Some(Recipient {
                    name: "Maksu Oy".into(),
                    role: RecipientRole::Processor,
                    via: Notice::OpenDsr,
                }),
                task_id: "r1/crm".into(),
                system_id: "crm".into(),
                categories: vec!["contact".into()],
                hold_rules: vec!["fi-kpl-vouchers".into()],
                resolves: true,
            }],
        },
        Event::TaskDispatched {
            task_id: "r1/crm".into(),
            system_id: "crm".into(),
            attempt: 2,
            at,
            not_before: at,
            answer_by: at,
            purpose: Purpose::Resolve,
        },
        Event::IdentifiersResolved(Resolved {
            task_id: "r1/crm".into(),
            system_id: "crm".into(),
            attempt: 1,
            found: vec![
                (IdentifierKind::CustomerId, 2),
                (IdentifierKind::DeviceId, 3),
            ],
            sealed_identifiers: vec![8, 9],
            at,
        }),
        Event::ResolutionFailed {
            task_id: "r1/crm".into(),
            system_id: "crm".into(),
            attempt: 2,
            permanent: true,
            detail: "table customers: no such table".into(),
            at,
        },
        Event::AckAccepted(AckAccepted {
            reference: String::new(),
            follow_up_at: None,
            backups: Vec::new(),
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
            by: erasure_core::access::Actor::new("sam", erasure_core::access::Role::Supervisor),
            at,
        },
        Event::RequestRejected {
            reason: "the fourth identical request this week".into(),
            by: erasure_core::access::Actor::new("sam", erasure_core::access::Role::Supervisor),
            at,
        },
        Event::RequestRejected {
            reason: "open mode".into(),
            by: erasure_core::access::Actor::unauthenticated(),
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
            by: erasure_core::access::Actor::new("sam", erasure_core::access::Role::Supervisor),
            at,
        },
        Event::AckAccepted(AckAccepted {
            reference: "job-17".into(),
            follow_up_at: Some(at),
            backups: Vec::new(),
            task_id: "r1/payments".into(),
            system_id: "payments".into(),
            attempt: 1,
            outcome: Outcome::Accepted,
            items_affected: 0,
            evidence_summary: "accepted as job-17".into(),
            detail: String::new(),
            retained: vec![],
            signed: SignedAck {
                ack: vec![1],
                signature: vec![2],
                key_id: "k".into(),
            },
            at,
        }),
        Event::AckAccepted(AckAccepted {
            reference: String::new(),
            follow_up_at: None,
            backups: vec![BackupCopy {
                set_id: "crm-2026-11-30".into(),
                taken_at: at,
                expires_on: day,
                systems: vec!["crm".into()],
            }],
            task_id: "r1/backups".into(),
            system_id: "backups".into(),
            attempt: 1,
            outcome: Outcome::InBackups,
            items_affected: 0,
            evidence_summary: "1 backup set".into(),
            detail: String::new(),
            retained: vec![],
            signed: SignedAck {
                ack: vec![1],
                signature: vec![2],
                key_id: "k".into(),
            },
            at,
        }),
        Event::FollowUpScheduled {
            task_id: "r1/payments".into(),
            system_id: "payments".into(),
            attempt: 1,
            follow_up_at: at,
            at,
        },
        Event::BackupsAgedOut {
            system_id: "backups".into(),
            set_ids: vec!["crm-2026-11-30".into()],
            expired_on: day,
            at,
        },
        Event::ManualTaskOpened {
            task_id: "r1/archive".into(),
            system_id: "archive".into(),
            at,
        },
        Event::TaskAttested(Attestation {
            task_id: "r1/archive".into(),
            system_id: "archive".into(),
            outcome: Outcome::NothingFound,
            operator: "Maija".into(),
            evidence: "no folder in the archive".into(),
            attachment: Some(Attachment {
                name: "receipt.pdf".into(),
                sha256: vec![7; 32],
                size: 1234,
            }),
            at,
        }),
        Event::ErasureReplayed {
            replay_id: "rp-1".into(),
            system_ids: vec!["crm".into()],
            since: at,
            at,
        },
        Event::IdentifiersShredded { at },
    ];
    for e in events {
        assert_eq!(round_trip(&e).expect("decode"), e);
    }
}

#[test]
fn unknown_types_and_versions_are_errors() {
    let r = EncodedEvent::from(&Event::RequestCompleted { at: from_ms(0) });
    assert!(matches!(
        decode_event(r.event_type, 2, &r.payload),
        Err(DecodeError::UnsupportedVersion { .. })
    ));
    assert!(matches!(
        decode_event("Nope", 1, &r.payload),
        Err(DecodeError::UnknownType(_))
    ));
}
