//! What an operator decides: extending the deadline, retrying failed tasks, closing a
//! manual task with evidence.

use super::decision::{Decision, Target, dispatch, finish_if_all_final, not_shredded};
use super::policy::Policy;
use crate::access::Actor;
use crate::deadline::{MAX_EXTENSION_MONTHS, extended_deadline};
use crate::events::{Attestation, Event, Outcome, Purpose};
use crate::ids::SystemId;
use crate::rejection::Rejection;
use crate::state::{RequestState, RequestStatus, TaskState, TaskStatus};
use chrono::{DateTime, Utc};

/// Extending the Art. 12(3) deadline: by 1 or 2 months, once, within the first month, with
/// a reason.
pub fn extend(
    state: &RequestState,
    months: u32,
    reason: &str,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    match state.status {
        RequestStatus::InProgress => {}
        RequestStatus::Completed => return Err(Rejection::RequestFinal("completed")),
        RequestStatus::Failed => return Err(Rejection::RequestFinal("failed")),
        RequestStatus::Rejected => return Err(Rejection::RequestFinal("rejected")),
    }
    if !(1..=MAX_EXTENSION_MONTHS).contains(&months) {
        return Err(Rejection::InvalidExtension(months));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Rejection::ExtensionReasonMissing);
    }
    if let Some(e) = &state.extension {
        return Err(Rejection::AlreadyExtended(e.deadline));
    }
    let first = state.received.deadline;
    if now.date_naive() > first {
        return Err(Rejection::ExtensionTooLate(first));
    }
    Ok(Decision {
        events: vec![Event::DeadlineExtended {
            months,
            reason: reason.to_owned(),
            deadline: extended_deadline(state.received.received_at.date_naive(), months),
            by: by.clone(),
            at: now,
        }],
        effects: vec![],
    })
}

/// A supervisor refuses the request (Art. 12(5)), with the reason owed to the person: only
/// while it is in progress and before any system has answered an erasure (a resolution
/// only looked the person up). Work orders already sent may still be carried out; their
/// answers are recorded, but the request stays rejected and gets no certificate.
pub fn reject(
    state: &RequestState,
    reason: &str,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    match state.status {
        RequestStatus::InProgress => {}
        RequestStatus::Completed => return Err(Rejection::RequestFinal("completed")),
        RequestStatus::Failed => return Err(Rejection::RequestFinal("failed")),
        RequestStatus::Rejected => return Err(Rejection::RequestFinal("rejected")),
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Rejection::RejectionReasonMissing);
    }
    let erased = state
        .tasks
        .values()
        .find(|t| t.phase == Purpose::Erase && t.status == TaskStatus::Done);
    if let Some(t) = erased {
        return Err(Rejection::ErasureStarted(t.system_id.clone()));
    }
    Ok(Decision {
        events: vec![Event::RequestRejected {
            reason: reason.to_owned(),
            by: by.clone(),
            at: now,
        }],
        effects: vec![],
    })
}

/// An operator's retry of failed tasks: the named system's, or every failed one. Each gets
/// a new attempt and a fresh retry budget; a failed request is in progress again.
pub fn retry(
    state: &RequestState,
    system: Option<&SystemId>,
    reason: &str,
    by: &Actor,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    not_shredded(state)?;
    if state.status == RequestStatus::Rejected {
        return Err(Rejection::RequestFinal("rejected"));
    }
    let targets: Vec<&TaskState> = match system {
        Some(s) => {
            let task = state
                .tasks
                .get(s)
                .ok_or_else(|| Rejection::UnknownSystem(s.clone()))?;
            if task.status != TaskStatus::Failed {
                return Err(Rejection::TaskNotFailed(s.clone()));
            }
            vec![task]
        }
        None => state
            .tasks
            .values()
            .filter(|t| t.status == TaskStatus::Failed)
            .collect(),
    };
    if targets.is_empty() {
        return Err(Rejection::NothingToRetry);
    }
    let reason = match reason.trim() {
        "" => "operator retry",
        r => r,
    };
    let mut decision = Decision::default();
    for task in targets {
        decision.events.push(Event::TaskRetryRequested {
            task_id: task.task_id.clone(),
            system_id: task.system_id.clone(),
            reason: reason.to_owned(),
            by: by.clone(),
            at: now,
        });
        dispatch(
            &mut decision,
            Target::of(task),
            task.attempt + 1,
            policy,
            now,
            now,
        );
    }
    Ok(decision)
}

/// The longest evidence text an operator may give (characters).
pub const MAX_EVIDENCE_CHARS: usize = 2000;

/// An operator closes a manual task: what was done (erased, or nothing found), by whom,
/// with what evidence. The task must be open (dispatched after any identity resolution,
/// not yet closed); the last open task completes the request. The caller checks that the
/// evidence holds none of the request's identifiers.
pub fn attest(
    state: &RequestState,
    attestation: Attestation,
    policy: &Policy,
) -> Result<Decision, Rejection> {
    match state.status {
        RequestStatus::Failed => return Err(Rejection::RequestFinal("failed")),
        RequestStatus::Rejected => return Err(Rejection::RequestFinal("rejected")),
        RequestStatus::InProgress | RequestStatus::Completed => {}
    }
    let system = &attestation.system_id;
    let task = state
        .tasks
        .get(system)
        .ok_or_else(|| Rejection::UnknownSystem(system.clone()))?;
    if !task.manual {
        return Err(Rejection::NotManual(system.clone()));
    }
    match (task.status, task.attempt, task.phase) {
        (TaskStatus::Pending, 1.., Purpose::Erase) => {}
        (TaskStatus::Pending, ..) => {
            return Err(Rejection::TaskNotOpen(
                system.clone(),
                "identity resolution is still running",
            ));
        }
        _ => {
            return Err(Rejection::TaskNotOpen(
                system.clone(),
                "it was closed already",
            ));
        }
    }
    if !matches!(attestation.outcome, Outcome::Erased | Outcome::NothingFound) {
        return Err(Rejection::InvalidAttestation(attestation.outcome.name()));
    }
    if attestation.operator.trim().is_empty() {
        return Err(Rejection::AttestationIncomplete("the operator's name"));
    }
    let evidence = attestation.evidence.trim();
    if evidence.is_empty() {
        return Err(Rejection::AttestationIncomplete("evidence: what was done"));
    }
    if evidence.chars().count() > MAX_EVIDENCE_CHARS {
        return Err(Rejection::AttestationIncomplete(
            "evidence of at most 2000 characters",
        ));
    }
    let now = attestation.at;
    let mut decision = Decision::default();
    decision.events.push(Event::TaskAttested(Attestation {
        task_id: task.task_id.clone(),
        evidence: evidence.to_owned(),
        operator: attestation.operator.trim().to_owned(),
        ..attestation
    }));
    finish_if_all_final(state, &mut decision, policy, now);
    Ok(decision)
}
