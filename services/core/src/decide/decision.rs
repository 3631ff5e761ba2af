//! A decision (events and effects) and the steps every command shares: dispatching a task,
//! and finishing the request once every task is final.

use super::policy::Policy;
use crate::events::{Event, Purpose};
use crate::ids::{SystemId, TaskId};
use crate::state::{RequestState, TaskState, TaskStatus};
use chrono::{DateTime, Utc};

/// What the caller must do after appending a decision's events, in the same transaction
/// where it can (dispatches go to the outbox with the events).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Dispatch {
        task_id: TaskId,
        system_id: SystemId,
        attempt: u32,
        categories: Vec<String>,
        not_before: DateTime<Utc>,
        purpose: Purpose,
    },
    /// The request just completed: build and sign its certificate, then
    /// [`issue_certificate`] in the same append.
    IssueCertificate,
    /// Held data was erased after its hold ended: build and sign a supplement to the
    /// certificate, then [`issue_supplement`] in the same append.
    IssueSupplement,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub events: Vec<Event>,
    pub effects: Vec<Effect>,
}

pub(super) struct Target {
    pub(super) task_id: TaskId,
    pub(super) system_id: SystemId,
    pub(super) categories: Vec<String>,
    pub(super) purpose: Purpose,
    /// No connector: the task is opened for an operator instead of dispatched.
    pub(super) manual: bool,
}

impl Target {
    /// The task, for what it is doing now (its next attempt does the same).
    pub(super) fn of(task: &TaskState) -> Self {
        Self {
            task_id: task.task_id.clone(),
            system_id: task.system_id.clone(),
            categories: task.categories.clone(),
            purpose: task.phase,
            manual: task.manual,
        }
    }

    /// The task, to erase.
    pub(super) fn erase(task: &TaskState) -> Self {
        Self {
            purpose: Purpose::Erase,
            ..Self::of(task)
        }
    }
}

/// Refuses a command that would send the identifiers again once they were shredded.
pub(super) fn not_shredded(state: &RequestState) -> Result<(), crate::rejection::Rejection> {
    match state.shredded_at {
        Some(at) => Err(crate::rejection::Rejection::Shredded(at.date_naive())),
        None => Ok(()),
    }
}

/// Dispatches `to` (a work order through the outbox), or opens it for an operator when it
/// is manual.
pub(super) fn dispatch(
    decision: &mut Decision,
    to: Target,
    attempt: u32,
    policy: &Policy,
    now: DateTime<Utc>,
    not_before: DateTime<Utc>,
) {
    if to.manual {
        decision.events.push(Event::ManualTaskOpened {
            task_id: to.task_id,
            system_id: to.system_id,
            at: now,
        });
        return;
    }
    decision.events.push(Event::TaskDispatched {
        task_id: to.task_id.clone(),
        system_id: to.system_id.clone(),
        attempt,
        at: now,
        not_before,
        answer_by: not_before + policy.retry.answer_timeout,
        purpose: to.purpose,
    });
    decision.effects.push(Effect::Dispatch {
        task_id: to.task_id,
        system_id: to.system_id,
        attempt,
        categories: to.categories,
        not_before,
        purpose: to.purpose,
    });
}

/// Once every resolving system has answered, every task not failed is dispatched to
/// erase, with the full set of identifiers.
pub(super) fn erase_once_resolved(
    state: &RequestState,
    decision: &mut Decision,
    policy: &Policy,
    now: DateTime<Utc>,
) {
    let next = state.after(&decision.events);
    if !next.all_resolved() || next.status.is_final() {
        return;
    }
    let waiting = next
        .tasks
        .values()
        .filter(|t| t.phase == Purpose::Resolve || t.attempt == 0)
        .filter(|t| t.status != TaskStatus::Failed)
        .filter(|t| !(t.asked_last && t.attempt == 0));
    for task in waiting {
        dispatch(
            decision,
            Target::erase(task),
            task.attempt + 1,
            policy,
            now,
            now,
        );
    }
}

/// A system that could not resolve fails the request: erasing with fewer identifiers
/// than the person is filed under would leave data behind unreported.
pub(super) fn fail_if_resolution_failed(
    state: &RequestState,
    decision: &mut Decision,
    now: DateTime<Utc>,
) {
    let next = state.after(&decision.events);
    if next.status.is_final() {
        return;
    }
    let failed: Vec<SystemId> = next
        .tasks
        .values()
        .filter(|t| t.phase == Purpose::Resolve && t.status == TaskStatus::Failed)
        .map(|t| t.system_id.clone())
        .collect();
    if !failed.is_empty() {
        decision.events.push(Event::RequestFailed {
            failed_systems: failed,
            at: now,
        });
    }
}

/// Dispatches the tasks asked last, not yet dispatched, when every other task is final.
/// Returns whether it did.
fn ask_last_ones(
    next: &RequestState,
    decision: &mut Decision,
    policy: &Policy,
    now: DateTime<Utc>,
) -> bool {
    let (last, others): (Vec<&TaskState>, Vec<&TaskState>) =
        next.tasks.values().partition(|t| t.asked_last);
    let waiting: Vec<&TaskState> = last.into_iter().filter(|t| t.attempt == 0).collect();
    if waiting.is_empty() || others.iter().any(|t| t.status == TaskStatus::Pending) {
        return false;
    }
    for task in waiting {
        dispatch(decision, Target::erase(task), 1, policy, now, now);
    }
    true
}

/// Appends `RequestCompleted` or `RequestFailed` when the decision's events leave every
/// task final; first, once every other task is final, dispatches the tasks asked last.
pub(super) fn finish_if_all_final(
    state: &RequestState,
    decision: &mut Decision,
    policy: &Policy,
    now: DateTime<Utc>,
) {
    if state.status.is_final() {
        return;
    }
    let next = state.after(&decision.events);
    if next.status.is_final() {
        return;
    }
    if ask_last_ones(&next, decision, policy, now) || !next.all_tasks_final() {
        return;
    }
    let failed: Vec<SystemId> = next
        .tasks
        .values()
        .filter(|t| t.status == TaskStatus::Failed)
        .map(|t| t.system_id.clone())
        .collect();
    if failed.is_empty() {
        decision.events.push(Event::RequestCompleted { at: now });
        decision.effects.push(Effect::IssueCertificate);
    } else {
        decision.events.push(Event::RequestFailed {
            failed_systems: failed,
            at: now,
        });
    }
}
