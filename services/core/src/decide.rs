//! Decisions: given the current state, a command and the time, the events to append and
//! the effects for the caller to carry out. Nothing here performs I/O.

use crate::events::{AckAccepted, AckRejected, Event, Outcome, RequestReceived};
use crate::ids::{SystemId, TaskId};
use crate::inventory::{Inventory, PlannedTask};
use crate::state::{RequestState, RequestStatus, TaskStatus};
use chrono::{DateTime, Duration, Utc};

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
    },
    /// The request just completed: build and sign its certificate, then
    /// [`issue_certificate`] in the same append.
    IssueCertificate,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub events: Vec<Event>,
    pub effects: Vec<Effect>,
}

/// Why a command was refused. Caller errors and conflicts, never infrastructure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the request already exists")]
    AlreadyExists,
    #[error("unknown system in scope: {0}")]
    UnknownSystem(SystemId),
    #[error("nothing to erase: the inventory has no system in this scope")]
    NothingToErase,
    #[error("the jurisdiction must be an ISO 3166-1 alpha-2 code such as FI")]
    InvalidJurisdiction,
    #[error("the request is not completed")]
    NotCompleted,
    #[error("a certificate was already issued for this request")]
    CertificateAlreadyIssued,
}

/// Why an acknowledgment is not counted (it is recorded as `AckRejected`, or ignored when
/// it is an exact duplicate).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AckRejection {
    #[error("no task for system {0} in this request")]
    UnknownTask(SystemId),
    #[error("the task id does not match the request's task")]
    TaskMismatch,
    #[error("stale attempt {got}, the task is at attempt {current}")]
    StaleAttempt { got: u32, current: u32 },
}

/// Retries of tasks answered with a retryable failure: exponential backoff, bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::seconds(2),
            max_delay: Duration::minutes(10),
        }
    }
}

impl RetryPolicy {
    /// Delay before `next_attempt` (2, 3, ...): base · 2^(next_attempt − 2), capped.
    pub fn delay_before(&self, next_attempt: u32) -> Duration {
        let exp = next_attempt.saturating_sub(2).min(20);
        let delay = self.base_delay * 2_i32.pow(exp);
        delay.min(self.max_delay)
    }
}

/// Receiving a new request: record it, plan one task per system in scope, dispatch them.
pub fn receive(
    existing: Option<&RequestState>,
    received: RequestReceived,
    inventory: &Inventory,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    if existing.is_some() {
        return Err(Rejection::AlreadyExists);
    }
    let j = &received.jurisdiction;
    if j.len() != 2 || !j.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Rejection::InvalidJurisdiction);
    }
    let tasks = inventory.plan(&received.request_id, &received.scope)?;
    let mut decision = Decision::default();
    decision.events.push(Event::RequestReceived(received));
    decision.events.push(Event::ErasurePlanned {
        tasks: tasks.clone(),
    });
    for PlannedTask {
        task_id,
        system_id,
        categories,
    } in tasks
    {
        dispatch(&mut decision, task_id, system_id, 1, categories, now, now);
    }
    Ok(decision)
}

fn dispatch(
    decision: &mut Decision,
    task_id: TaskId,
    system_id: SystemId,
    attempt: u32,
    categories: Vec<String>,
    now: DateTime<Utc>,
    not_before: DateTime<Utc>,
) {
    decision.events.push(Event::TaskDispatched {
        task_id: task_id.clone(),
        system_id: system_id.clone(),
        attempt,
        at: now,
        not_before,
    });
    decision.effects.push(Effect::Dispatch {
        task_id,
        system_id,
        attempt,
        categories,
        not_before,
    });
}

/// Accepting a verified acknowledgment. An exact duplicate of an answer already counted
/// decides nothing. The last final answer completes (or fails) the request.
pub fn accept_ack(
    state: &RequestState,
    ack: AckAccepted,
    policy: &RetryPolicy,
    now: DateTime<Utc>,
) -> Result<Decision, AckRejection> {
    let task = state
        .tasks
        .get(&ack.system_id)
        .ok_or_else(|| AckRejection::UnknownTask(ack.system_id.clone()))?;
    if task.task_id != ack.task_id {
        return Err(AckRejection::TaskMismatch);
    }
    let already_answered = task.status != TaskStatus::Pending;
    if already_answered && ack.attempt <= task.attempt {
        return Ok(Decision::default()); // duplicate delivery: harmless
    }
    if ack.attempt != task.attempt {
        return Err(AckRejection::StaleAttempt {
            got: ack.attempt,
            current: task.attempt,
        });
    }

    let mut decision = Decision::default();
    let retry = ack.outcome == Outcome::FailedRetryable && ack.attempt < policy.max_attempts;
    let (task_id, system_id, categories) = (
        task.task_id.clone(),
        task.system_id.clone(),
        task.categories.clone(),
    );
    let reason = ack.detail.clone();
    decision.events.push(Event::AckAccepted(ack.clone()));
    if retry {
        let next = ack.attempt + 1;
        let not_before = now + policy.delay_before(next);
        decision.events.push(Event::TaskRetryScheduled {
            task_id: task_id.clone(),
            next_attempt: next,
            not_before,
            reason,
        });
        dispatch(
            &mut decision,
            task_id,
            system_id,
            next,
            categories,
            now,
            not_before,
        );
        return Ok(decision);
    }
    finish_if_all_final(state, &mut decision, now);
    Ok(decision)
}

/// Appends `RequestCompleted` or `RequestFailed` when the decision's events leave every
/// task final.
fn finish_if_all_final(state: &RequestState, decision: &mut Decision, now: DateTime<Utc>) {
    if state.status.is_final() {
        return;
    }
    let mut next = state.clone();
    for e in &decision.events {
        next.apply(e);
    }
    if !next.all_tasks_final() {
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

/// Recording an acknowledgment that was not counted (bad signature, unknown key, ...).
pub fn reject_ack(rejected: AckRejected) -> Decision {
    Decision {
        events: vec![Event::AckRejected(rejected)],
        effects: vec![],
    }
}

/// Recording the certificate of a completed request. Exactly one per request.
pub fn issue_certificate(
    state: &RequestState,
    certificate_hash: Vec<u8>,
    signed_certificate: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    if state.status != RequestStatus::Completed {
        return Err(Rejection::NotCompleted);
    }
    if state.certificate.is_some() {
        return Err(Rejection::CertificateAlreadyIssued);
    }
    Ok(Decision {
        events: vec![Event::CertificateIssued {
            certificate_hash,
            signed_certificate,
            at: now,
        }],
        effects: vec![],
    })
}
