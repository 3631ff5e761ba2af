//! `certificate.proto`: the parts of a certificate or supplement made from domain state.

use super::time::ms;
use crate::v1 as pb;
use chrono::NaiveDate;
use erasure_core::RequestState;
use erasure_core::events::{AckAccepted, Attestation};
use erasure_core::retention::Rule;
use erasure_core::state::{AgedOut, Extension, Hold, TaskState};
use prost::Message as _;

/// A system's answer, with its signed acknowledgment verbatim.
impl From<&AckAccepted> for pb::SystemResult {
    fn from(a: &AckAccepted) -> Self {
        Self {
            system_id: a.system_id.to_string(),
            outcome: pb::Outcome::from(a.outcome) as i32,
            acknowledgment: Some((&a.signed).into()),
            attestation: None,
        }
    }
}

/// A manual task as an operator closed it: attested, not signed by a connector.
impl From<&Attestation> for pb::SystemResult {
    fn from(a: &Attestation) -> Self {
        Self {
            system_id: a.system_id.to_string(),
            outcome: pb::Outcome::from(a.outcome) as i32,
            acknowledgment: None,
            attestation: Some(pb::OperatorAttestation {
                operator: a.operator.clone(),
                evidence: a.evidence.clone(),
                attachment: a.attachment.as_ref().map(pb::Attachment::from),
                attested_at_ms: ms(a.at),
            }),
        }
    }
}

/// A task's final answer: the operator's attestation of a manual task, else the last
/// acknowledgment; `None` before either.
pub fn system_result(task: &TaskState) -> Option<pb::SystemResult> {
    match (&task.attestation, &task.last_ack) {
        (Some(a), _) => Some(a.into()),
        (None, Some(ack)) => Some(ack.into()),
        (None, None) => None,
    }
}

/// Backup copies that may still exist, per system ("in backups until D").
pub fn backup_exceptions(state: &RequestState) -> Vec<pb::BackupException> {
    state
        .tasks
        .values()
        .filter_map(|t| {
            Some(pb::BackupException {
                system_id: t.system_id.to_string(),
                until: t.backups_until()?.to_string(),
                set_ids: t.backups.iter().map(|b| b.set_id.clone()).collect(),
                aged_out_at_ms: 0,
            })
        })
        .collect()
}

/// Backup copies that aged out, as recorded.
pub fn aged_out_exceptions<'a>(
    aged_out: impl IntoIterator<Item = &'a AgedOut>,
) -> Vec<pb::BackupException> {
    aged_out
        .into_iter()
        .map(|a| pb::BackupException {
            system_id: a.system_id.to_string(),
            until: a.expired_on.to_string(),
            set_ids: a.set_ids.clone(),
            aged_out_at_ms: ms(a.at),
        })
        .collect()
}

/// Every recipient among the request's systems, with how and when it was told and its
/// answer so far.
pub fn recipient_notices(state: &RequestState) -> Vec<pb::RecipientNotice> {
    state
        .tasks
        .values()
        .filter_map(|t| {
            let r = t.recipient.as_ref()?;
            let (outcome, answered_at_ms, reference) = match (&t.attestation, &t.last_ack) {
                (Some(a), _) => (pb::Outcome::from(a.outcome), ms(a.at), String::new()),
                (None, Some(ack)) => (
                    pb::Outcome::from(ack.outcome),
                    completed_at_ms(ack),
                    ack.reference.clone(),
                ),
                (None, None) => (pb::Outcome::Unspecified, 0, String::new()),
            };
            // Told no later than it answered: when its first word was its final answer, the
            // coordinator received that answer after the recipient dated it.
            let told_at_ms = match t.told_at.map(ms) {
                Some(told) if answered_at_ms != 0 => told.min(answered_at_ms),
                told => told.unwrap_or_default(),
            };
            Some(pb::RecipientNotice {
                system_id: t.system_id.to_string(),
                name: r.name.clone(),
                role: r.role.name().to_owned(),
                via: r.via.name().to_owned(),
                told_at_ms,
                outcome: outcome as i32,
                answered_at_ms,
                reference,
            })
        })
        .collect()
}

/// When a connector's system answered, as its signed acknowledgment dates it (what a
/// verifier compares a recipient's `answered_at_ms` with), not when the coordinator
/// received it; that only if the bytes do not decode (an accepted acknowledgment does).
fn completed_at_ms(ack: &AckAccepted) -> i64 {
    pb::Acknowledgment::decode(ack.signed.ack.as_slice()).map_or(ms(ack.at), |a| a.completed_at_ms)
}

/// A hold as a certificate states it: with the rule's citation, or a note when the rule
/// is no longer in the rule book.
pub fn retention_exception(hold: &Hold, rule: Option<&Rule>) -> pb::RetentionException {
    let text = |f: fn(&Rule) -> String| {
        rule.map(f)
            .unwrap_or_else(|| "(rule no longer in the rule book)".to_owned())
    };
    pb::RetentionException {
        system_id: hold.system_id.to_string(),
        rule_id: hold.rule_id.clone(),
        category: hold.category.clone(),
        items: hold.items,
        retained_until: hold.retained_until.to_string(),
        statute: text(|r| r.statute.clone()),
        section: text(|r| r.section.clone()),
        ground: text(|r| r.ground.name().to_owned()),
        source: text(|r| r.source.clone()),
        title: text(|r| r.title.clone()),
    }
}

/// The extension of a deadline that was first `original`.
pub fn deadline_extension(e: &Extension, original: NaiveDate) -> pb::DeadlineExtension {
    pb::DeadlineExtension {
        months: e.months,
        reason: e.reason.clone(),
        original_deadline: original.to_string(),
        extended_at_ms: ms(e.at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::time::from_ms;
    use erasure_core::Event;
    use erasure_core::events::{Outcome, RequestReceived, SignedAck};
    use erasure_core::inventory::{Notice, PlannedTask, Recipient, RecipientRole};

    /// When the recipient dated its answer, and when the coordinator received it.
    const COMPLETED: i64 = 1_790_000_000_000;
    const RECEIVED: i64 = COMPLETED + 2_000;

    fn payments(first: Option<i64>) -> RequestState {
        let mut events = vec![
            Event::RequestReceived(
                RequestReceived::try_from(pb::RequestReceived {
                    request_id: "r1".into(),
                    received_at_ms: COMPLETED - 86_400_000,
                    deadline: "2026-12-22".into(),
                    ..Default::default()
                })
                .expect("received"),
            ),
            Event::ErasurePlanned {
                tasks: vec![PlannedTask {
                    task_id: "r1/payments".into(),
                    system_id: "payments".into(),
                    categories: vec!["payment".into()],
                    hold_rules: vec![],
                    resolves: false,
                    manual: false,
                    asked_last: false,
                    recipient: Some(Recipient {
                        name: "Maksu Oy".into(),
                        role: RecipientRole::Processor,
                        via: Notice::Api,
                    }),
                }],
            },
        ];
        if let Some(accepted) = first {
            events.push(answer(Outcome::Accepted, accepted, accepted + 1_000));
        }
        events.push(answer(Outcome::Erased, COMPLETED, RECEIVED));
        RequestState::replay(&events).expect("state")
    }

    fn answer(outcome: Outcome, completed_at_ms: i64, received_at_ms: i64) -> Event {
        let ack = pb::Acknowledgment {
            request_id: "r1".into(),
            system_id: "payments".into(),
            outcome: pb::Outcome::from(outcome) as i32,
            completed_at_ms,
            reference: "PAY-1".into(),
            ..Default::default()
        };
        Event::AckAccepted(AckAccepted {
            task_id: "r1/payments".into(),
            system_id: "payments".into(),
            attempt: 1,
            outcome,
            items_affected: 1,
            evidence_summary: String::new(),
            detail: String::new(),
            retained: vec![],
            reference: "PAY-1".into(),
            follow_up_at: None,
            backups: vec![],
            signed: SignedAck {
                ack: ack.encode_to_vec(),
                signature: vec![],
                key_id: "k".into(),
            },
            at: from_ms(received_at_ms),
        })
    }

    #[test]
    fn a_recipient_answered_when_its_signed_acknowledgment_says() {
        let notices = recipient_notices(&payments(None));
        assert_eq!(
            (notices[0].answered_at_ms, notices[0].reference.as_str()),
            (COMPLETED, "PAY-1")
        );
        // Told by its final answer: no later than it answered.
        assert_eq!(notices[0].told_at_ms, COMPLETED);
    }

    #[test]
    fn a_recipient_that_accepted_first_was_told_then() {
        let accepted = COMPLETED - 3_600_000;
        let notices = recipient_notices(&payments(Some(accepted)));
        assert_eq!(
            (notices[0].told_at_ms, notices[0].answered_at_ms),
            (accepted + 1_000, COMPLETED)
        );
    }
}
