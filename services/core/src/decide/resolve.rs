//! Answers to identity resolution: what a system found (recorded as counts, with the full
//! set of identifiers sealed by the caller), a retryable failure (asked again, with
//! backoff), or a permanent one (the request fails: erasing with fewer identifiers than
//! the person is filed under would leave data behind unreported).

use super::decision::{Decision, Target, dispatch, erase_once_resolved, fail_if_resolution_failed};
use super::policy::{Now, Policy};
use crate::events::{Event, Purpose, Resolved};
use crate::ids::{SystemId, TaskId};
use crate::rejection::AckRejection;
use crate::state::{RequestState, TaskState, TaskStatus};

/// What a system answered to a resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolutionAnswer {
    /// Found (perhaps nothing new): the caller has merged and sealed the identifiers.
    Found(Resolved),
    Failed {
        task_id: TaskId,
        system_id: SystemId,
        attempt: u32,
        permanent: bool,
        detail: String,
    },
}

impl ResolutionAnswer {
    fn key(&self) -> (&TaskId, &SystemId, u32) {
        match self {
            Self::Found(r) => (&r.task_id, &r.system_id, r.attempt),
            Self::Failed {
                task_id,
                system_id,
                attempt,
                ..
            } => (task_id, system_id, *attempt),
        }
    }
}

/// Accepting a verified answer to a resolution. A duplicate of an answer already counted
/// decides nothing; once every resolving system has answered, every system is dispatched
/// to erase.
pub fn accept_resolution(
    state: &RequestState,
    answer: ResolutionAnswer,
    policy: &Policy,
    now: Now,
) -> Result<Decision, AckRejection> {
    let (task_id, system_id, attempt) = answer.key();
    let task = state
        .tasks
        .get(system_id)
        .ok_or_else(|| AckRejection::UnknownTask(system_id.clone()))?;
    if &task.task_id != task_id {
        return Err(AckRejection::TaskMismatch);
    }
    if task.phase != Purpose::Resolve {
        // A late copy of an answer to an attempt before erasing began: harmless.
        if attempt < task.attempt {
            return Err(AckRejection::StaleAttempt {
                got: attempt,
                current: task.attempt,
            });
        }
        return Err(AckRejection::NotResolving);
    }
    let answered = task.resolved || task.status == TaskStatus::Failed;
    if answered && attempt <= task.attempt {
        return Ok(Decision::default()); // duplicate delivery: harmless
    }
    if attempt != task.attempt {
        return Err(AckRejection::StaleAttempt {
            got: attempt,
            current: task.attempt,
        });
    }
    let mut decision = Decision::default();
    match answer {
        ResolutionAnswer::Found(resolved) => {
            decision.events.push(Event::IdentifiersResolved(resolved));
            erase_once_resolved(state, &mut decision, policy, now.at);
        }
        ResolutionAnswer::Failed {
            permanent, detail, ..
        } => failed(task, permanent, detail, policy, now, &mut decision),
    }
    fail_if_resolution_failed(state, &mut decision, now.at);
    Ok(decision)
}

/// A failed resolution: asked again after a backoff while the budget lasts and asking again
/// can help; otherwise the task fails.
fn failed(
    task: &TaskState,
    permanent: bool,
    detail: String,
    policy: &Policy,
    now: Now,
    decision: &mut Decision,
) {
    decision.events.push(Event::ResolutionFailed {
        task_id: task.task_id.clone(),
        system_id: task.system_id.clone(),
        attempt: task.attempt,
        permanent,
        detail: detail.clone(),
        at: now.at,
    });
    let used = task.attempts_used();
    if !permanent && used < policy.retry.max_attempts {
        let not_before = now.at + policy.retry.delay_before(used + 1, now.jitter);
        decision.events.push(Event::TaskRetryScheduled {
            task_id: task.task_id.clone(),
            next_attempt: task.attempt + 1,
            not_before,
            reason: detail,
        });
        let next = task.attempt + 1;
        dispatch(decision, Target::of(task), next, policy, now.at, not_before);
    } else {
        decision.events.push(Event::TaskFailed {
            task_id: task.task_id.clone(),
            system_id: task.system_id.clone(),
            reason: format!("identity resolution failed: {detail}"),
            at: now.at,
        });
    }
}
