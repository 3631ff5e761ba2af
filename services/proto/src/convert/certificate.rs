//! `certificate.proto`: the parts of a certificate or supplement made from domain state.

use super::time::ms;
use crate::v1 as pb;
use chrono::NaiveDate;
use erasure_core::RequestState;
use erasure_core::events::{AckAccepted, Attestation};
use erasure_core::retention::Rule;
use erasure_core::state::{AgedOut, Extension, Hold, TaskState};

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
                    ms(ack.at),
                    ack.reference.clone(),
                ),
                (None, None) => (pb::Outcome::Unspecified, 0, String::new()),
            };
            Some(pb::RecipientNotice {
                system_id: t.system_id.to_string(),
                name: r.name.clone(),
                role: r.role.name().to_owned(),
                via: r.via.name().to_owned(),
                told_at_ms: t.told_at.map(ms).unwrap_or_default(),
                outcome: outcome as i32,
                answered_at_ms,
                reference,
            })
        })
        .collect()
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
