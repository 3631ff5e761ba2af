//! `api.proto`: the API's views of a request.

use super::DecodeError;
use crate::v1 as pb;
use chrono::{DateTime, SecondsFormat, Utc};
use erasure_core::events::Purpose;
use erasure_core::retention::RuleBook;
use erasure_core::state::{Hold, TaskState};
use erasure_core::{RequestState, RequestStatus, TaskStatus};

impl From<RequestStatus> for pb::RequestStatus {
    fn from(s: RequestStatus) -> Self {
        match s {
            RequestStatus::InProgress => Self::InProgress,
            RequestStatus::Completed => Self::Completed,
            RequestStatus::Failed => Self::Failed,
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
        Self {
            system_id: t.system_id.to_string(),
            state: pb::TaskState::from(t.status) as i32,
            attempt: t.attempt,
            outcome: ack
                .map(|a| pb::Outcome::from(a.outcome) as i32)
                .unwrap_or_default(),
            items_affected: ack.map(|a| a.items_affected).unwrap_or_default(),
            evidence_summary: ack.map(|a| a.evidence_summary.clone()).unwrap_or_default(),
            detail: ack.map(|a| a.detail.clone()).unwrap_or_default(),
            resolving: t.phase == Purpose::Resolve && t.status == TaskStatus::Pending,
        }
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The API view of a request; `rules` give the holds their citations.
pub fn request_view(s: &RequestState, rules: &RuleBook) -> pb::ErasureRequest {
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
        tasks: s.tasks.values().map(pb::TaskView::from).collect(),
        certificate_available: s.certificate.is_some(),
        rejected_acknowledgments: s.rejected_acks,
        original_deadline: extension
            .map(|_| r.deadline.to_string())
            .unwrap_or_default(),
        extended_months: extension.map(|e| e.months).unwrap_or_default(),
        extension_reason: extension.map(|e| e.reason.clone()).unwrap_or_default(),
        overdue: s.overdue,
        holds: s
            .holds()
            .map(|h| hold_view(h, "held", rules))
            .chain(s.past_holds.iter().map(|h| hold_view(h, "ended", rules)))
            .collect(),
        supplements: s.supplements.len() as u32,
        controller: r.controller.clone().unwrap_or_default(),
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
