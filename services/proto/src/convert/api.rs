//! `api.proto`: the API's views of a request.

use super::DecodeError;
use crate::v1 as pb;
use chrono::{DateTime, SecondsFormat, Utc};
use erasure_core::events::Purpose;
use erasure_core::inventory::Inventory;
use erasure_core::retention::RuleBook;
use erasure_core::state::{Hold, TaskState};
use erasure_core::{RequestState, RequestStatus, TaskStatus};

impl From<RequestStatus> for pb::RequestStatus {
    fn from(s: RequestStatus) -> Self {
        match s {
            RequestStatus::InProgress => Self::InProgress,
            RequestStatus::Completed => Self::Completed,
            RequestStatus::Failed => Self::Failed,
            RequestStatus::Rejected => Self::Rejected,
        }
    }
}

/// `REQUEST_STATUS_UNSPECIFIED` is no status.
impl TryFrom<pb::RequestStatus> for RequestStatus {
    type Error = DecodeError;

    fn try_from(s: pb::RequestStatus) -> Result<Self, Self::Error> {
        Ok(match s {
            pb::RequestStatus::Unspecified => {
                return Err(DecodeError::Field("no status".into()));
            }
            pb::RequestStatus::InProgress => Self::InProgress,
            pb::RequestStatus::Completed => Self::Completed,
            pb::RequestStatus::Failed => Self::Failed,
            pb::RequestStatus::Rejected => Self::Rejected,
        })
    }
}

impl From<TaskStatus> for pb::TaskState {
    fn from(s: TaskStatus) -> Self {
        match s {
            TaskStatus::Pending => Self::Pending,
            TaskStatus::Done => Self::Done,
            TaskStatus::Failed => Self::Failed,
        }
    }
}

impl From<&TaskState> for pb::TaskView {
    fn from(t: &TaskState) -> Self {
        let ack = t.last_ack.as_ref();
        let attested = t.attestation.as_ref();
        let outcome = attested
            .map(|a| a.outcome)
            .or(ack.map(|a| a.outcome))
            .map(|o| pb::Outcome::from(o) as i32);
        Self {
            system_id: t.system_id.to_string(),
            state: pb::TaskState::from(t.status) as i32,
            attempt: t.attempt,
            outcome: outcome.unwrap_or_default(),
            items_affected: ack.map(|a| a.items_affected).unwrap_or_default(),
            evidence_summary: attested
                .map(|a| a.evidence.clone())
                .or(ack.map(|a| a.evidence_summary.clone()))
                .unwrap_or_default(),
            detail: ack.map(|a| a.detail.clone()).unwrap_or_default(),
            resolving: t.phase == Purpose::Resolve && t.status == TaskStatus::Pending,
            manual: t.manual,
            attested_by: attested.map(|a| a.operator.clone()).unwrap_or_default(),
            attested_at: attested.map(|a| rfc3339(a.at)).unwrap_or_default(),
            follow_up_at: t
                .answer_by
                .filter(|_| t.follow_up)
                .map(rfc3339)
                .unwrap_or_default(),
            reference: ack.map(|a| a.reference.clone()).unwrap_or_default(),
            in_backups_until: t.backups_until().map(|d| d.to_string()).unwrap_or_default(),
            description: String::new(),
            categories: t.categories.clone(),
            answered_at: answered_at(t).map(rfc3339).unwrap_or_default(),
        }
    }
}

/// When a final task's answer was recorded: the operator's attestation, or the accepted
/// acknowledgment.
fn answered_at(t: &TaskState) -> Option<DateTime<Utc>> {
    if t.status == TaskStatus::Pending {
        return None;
    }
    t.attestation
        .as_ref()
        .map(|a| a.at)
        .or(t.last_ack.as_ref().map(|a| a.at))
}

/// A task's view with the inventory's description of its system.
fn task_view(t: &TaskState, inventory: &Inventory) -> pb::TaskView {
    pb::TaskView {
        description: inventory
            .get(&t.system_id)
            .map(|s| s.description.clone())
            .unwrap_or_default(),
        ..pb::TaskView::from(t)
    }
}

fn recipient_view(t: &TaskState) -> Option<pb::RecipientView> {
    let r = t.recipient.as_ref()?;
    let outcome = t
        .attestation
        .as_ref()
        .map(|a| a.outcome)
        .or(t.last_ack.as_ref().map(|a| a.outcome));
    Some(pb::RecipientView {
        system_id: t.system_id.to_string(),
        name: r.name.clone(),
        role: r.role.name().to_owned(),
        via: r.via.name().to_owned(),
        told_at: t.told_at.map(rfc3339).unwrap_or_default(),
        outcome: outcome
            .map(|o| pb::Outcome::from(o) as i32)
            .unwrap_or_default(),
        reference: t
            .last_ack
            .as_ref()
            .map(|a| a.reference.clone())
            .unwrap_or_default(),
    })
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The API view of a request; `rules` give the holds their citations, `inventory` the
/// systems their descriptions.
pub fn request_view(
    s: &RequestState,
    rules: &RuleBook,
    inventory: &Inventory,
) -> pb::ErasureRequest {
    let r = &s.received;
    let extension = s.extension.as_ref();
    pb::ErasureRequest {
        request_id: r.request_id.to_string(),
        status: pb::RequestStatus::from(s.status) as i32,
        received_at: rfc3339(r.received_at),
        deadline: s.deadline().to_string(),
        completed_at: s.completed_at.map(rfc3339).unwrap_or_default(),
        jurisdiction: r.jurisdiction.clone(),
        channel: r.channel.clone(),
        tasks: s.tasks.values().map(|t| task_view(t, inventory)).collect(),
        certificate_available: s.certificate.is_some(),
        rejected_acknowledgments: s.rejected_acks,
        original_deadline: extension
            .map(|_| r.deadline.to_string())
            .unwrap_or_default(),
        extended_months: extension.map(|e| e.months).unwrap_or_default(),
        extension_reason: extension.map(|e| e.reason.clone()).unwrap_or_default(),
        extended_by: extension.map(|e| e.by.to_string()).unwrap_or_default(),
        submitted_by: s.received.submitted_by.to_string(),
        retries: s
            .retries
            .iter()
            .map(|r| pb::RetryView {
                system_id: r.system_id.to_string(),
                reason: r.reason.clone(),
                by: r.by.to_string(),
                at: rfc3339(r.at),
            })
            .collect(),
        rejection_reason: s
            .refusal
            .as_ref()
            .map(|r| r.reason.clone())
            .unwrap_or_default(),
        rejected_by: s
            .refusal
            .as_ref()
            .map(|r| r.by.to_string())
            .unwrap_or_default(),
        overdue: s.overdue,
        holds: s
            .holds()
            .map(|h| hold_view(h, "held", rules))
            .chain(s.past_holds.iter().map(|h| hold_view(h, "ended", rules)))
            .collect(),
        supplements: s.supplements.len() as u32,
        controller: r.controller.clone().unwrap_or_default(),
        recipients: s.tasks.values().filter_map(recipient_view).collect(),
        disclose_recipients: r.disclose_recipients,
        replays: s.replays.iter().map(|r| r.replay_id.clone()).collect(),
        identifiers_needed_until: s
            .identifiers_needed_until()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        identifiers_shredded_at: s.shredded_at.map(rfc3339).unwrap_or_default(),
    }
}

fn hold_view(h: &Hold, state: &str, rules: &RuleBook) -> pb::HoldView {
    pb::HoldView {
        system_id: h.system_id.to_string(),
        rule_id: h.rule_id.clone(),
        category: h.category.clone(),
        items: h.items,
        retained_until: h.retained_until.to_string(),
        state: state.to_owned(),
        citation: rules
            .get(&h.rule_id)
            .map(|r| r.citation())
            .unwrap_or_default(),
    }
}
