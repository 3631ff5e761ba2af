//! Accepting a verified acknowledgment: counting it, retrying a retryable failure, holding
//! what a rule keeps, completing the request or supplementing its certificate.

use super::decision::{Decision, Effect, Target, dispatch, finish_if_all_final};
use super::policy::{Now, Policy};
use crate::events::{AckAccepted, Event, Outcome, Purpose};
use crate::rejection::AckRejection;
use crate::state::{RequestState, RequestStatus, TaskState, TaskStatus, timer_at};
use chrono::{DateTime, Utc};

/// Accepting a verified acknowledgment. An exact duplicate of an answer already counted
/// decides nothing. The last final answer completes (or fails) the request; retained items
/// become holds with a timer; an answer after a hold ended leads to a supplement.
pub fn accept_ack(
    state: &RequestState,
    ack: AckAccepted,
    policy: &Policy,
    now: Now,
) -> Result<Decision, AckRejection> {
    let task = answered_task(state, &ack)?;
    if task.manual {
        return Err(AckRejection::ManualTask(task.system_id.clone()));
    }
    if task.phase != Purpose::Erase {
        return Err(AckRejection::NotErasing);
    }
    if task.status != TaskStatus::Pending && ack.attempt <= task.attempt {
        return Ok(Decision::default()); // duplicate delivery: harmless
    }
    if task.follow_up && ack.attempt == task.attempt && ack.outcome == Outcome::Accepted {
        return Ok(Decision::default()); // accepted already: the follow-up is scheduled
    }
    if ack.attempt != task.attempt {
        return Err(AckRejection::StaleAttempt {
            got: ack.attempt,
            current: task.attempt,
        });
    }
    check_retained(state, task, &ack, policy)?;
    check_backups(&ack)?;
    let mut decision = Decision::default();
    decision.events.push(Event::AckAccepted(ack.clone()));
    if ack.outcome == Outcome::Accepted {
        decision.events.push(Event::FollowUpScheduled {
            task_id: task.task_id.clone(),
            system_id: task.system_id.clone(),
            attempt: ack.attempt,
            follow_up_at: policy.retry.follow_up_at(ack.follow_up_at, now.at),
            at: now.at,
        });
    } else if ack.outcome == Outcome::FailedRetryable
        && task.attempts_used() < policy.retry.max_attempts
    {
        schedule_retry(task, &ack, policy, now, &mut decision);
    } else {
        defer_held(&ack, now.at, &mut decision);
        if state.status == RequestStatus::Completed {
            supplement_if_done(state, &mut decision);
        } else {
            finish_if_all_final(state, &mut decision, policy, now.at);
        }
    }
    Ok(decision)
}

/// The task an acknowledgment answers: the request's task of its system, by its id.
fn answered_task<'a>(
    state: &'a RequestState,
    ack: &AckAccepted,
) -> Result<&'a TaskState, AckRejection> {
    let task = state
        .tasks
        .get(&ack.system_id)
        .ok_or_else(|| AckRejection::UnknownTask(ack.system_id.clone()))?;
    if task.task_id != ack.task_id {
        return Err(AckRejection::TaskMismatch);
    }
    Ok(task)
}

/// A retryable failure within the budget: the next attempt, after a backoff.
fn schedule_retry(
    task: &TaskState,
    ack: &AckAccepted,
    policy: &Policy,
    now: Now,
    decision: &mut Decision,
) {
    let next = ack.attempt + 1;
    let delay = policy
        .retry
        .delay_before(task.attempts_used() + 1, now.jitter);
    let not_before = now.at + delay;
    decision.events.push(Event::TaskRetryScheduled {
        task_id: task.task_id.clone(),
        next_attempt: next,
        not_before,
        reason: ack.detail.clone(),
    });
    dispatch(decision, Target::of(task), next, policy, now.at, not_before);
}

/// Items kept under a rule become holds, each with the timer of its end.
fn defer_held(ack: &AckAccepted, now: DateTime<Utc>, decision: &mut Decision) {
    for r in &ack.retained {
        decision.events.push(Event::ErasureDeferred {
            system_id: ack.system_id.clone(),
            rule_id: r.rule_id.clone(),
            category: r.category.clone(),
            items: r.items,
            retained_until: r.retained_until,
            release_at: timer_at(r.retained_until.succ_opt().unwrap_or(r.retained_until)),
            at: now,
        });
    }
}

/// Checks what a connector says it retained against the rules: each entry must name a
/// rule that applies to the task, and the date the rule gives for the reference date.
fn check_retained(
    state: &RequestState,
    task: &TaskState,
    ack: &AckAccepted,
    policy: &Policy,
) -> Result<(), AckRejection> {
    let bad = |why: String| Err(AckRejection::BadRetention(why));
    match (ack.outcome == Outcome::Retained, ack.retained.is_empty()) {
        (true, true) => return bad("a retained outcome must say what was retained".into()),
        (false, false) => return bad("only a retained outcome may report retained items".into()),
        _ => {}
    }
    let jurisdiction = &state.received.jurisdiction;
    for r in &ack.retained {
        let Some(rule) = policy.rules.get(&r.rule_id) else {
            return bad(format!("unknown rule {}", r.rule_id));
        };
        if r.category != rule.category
            || !task.categories.contains(&rule.category)
            || !rule.matches(jurisdiction, &rule.category)
        {
            return bad(format!(
                "rule {} does not apply to category {} of system {} in {jurisdiction}",
                rule.id, r.category, task.system_id
            ));
        }
        if r.items == 0 {
            return bad(format!("rule {}: no items retained", rule.id));
        }
        let expected = rule
            .retain_until(r.latest_reference_date, policy.financial_year_end)
            .until;
        if expected != r.retained_until {
            return bad(format!(
                "rule {}: items dated {} are retained until {expected}, not {}",
                rule.id, r.latest_reference_date, r.retained_until
            ));
        }
    }
    Ok(())
}

/// Checks what a connector says about backups: an in-backups outcome names the sets (each
/// with an id, once), and no other outcome names any.
fn check_backups(ack: &AckAccepted) -> Result<(), AckRejection> {
    let bad = |why: &str| Err(AckRejection::BadBackups(why.to_owned()));
    match (ack.outcome == Outcome::InBackups, ack.backups.is_empty()) {
        (true, true) => return bad("an in-backups outcome must name the backup sets"),
        (false, false) => return bad("only an in-backups outcome may name backup sets"),
        _ => {}
    }
    let mut ids: Vec<&str> = ack.backups.iter().map(|b| b.set_id.as_str()).collect();
    if ids.iter().any(|id| id.trim().is_empty()) {
        return bad("a backup set without an id");
    }
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return bad("a backup set named twice");
    }
    Ok(())
}

/// After a hold ended and the system answered, or backups aged out: a supplement to the
/// certificate once nothing is pending and every system dispatched after a hold erased
/// what it had to.
pub(super) fn supplement_if_done(state: &RequestState, decision: &mut Decision) {
    let next = state.after(&decision.events);
    let after_hold: Vec<_> = next.tasks.values().filter(|t| t.after_hold).collect();
    let holds_done =
        !after_hold.is_empty() && after_hold.iter().all(|t| t.status == TaskStatus::Done);
    if next.certificate.is_some()
        && next.all_tasks_final()
        && (holds_done || !next.newly_aged_out().is_empty())
    {
        decision.effects.push(Effect::IssueSupplement);
    }
}
