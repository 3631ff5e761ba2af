//! The timers of a request: unanswered attempts, follow-ups of accepted ones, holds ending,
//! backups ageing out, deadline warnings and the deadline passing; and the identifiers'
//! shredding ([`shred_due`], [`shredded`]: the caller destroys the key in between).

use super::ack::supplement_if_done;
use super::decision::{Decision, Target, dispatch, fail_if_resolution_failed, finish_if_all_final};
use super::policy::{Now, Policy};
use crate::events::Event;
use crate::state::{RequestState, RequestStatus, TaskState, TaskStatus};
use chrono::{DateTime, Days, Utc};

/// The timers of a request that are due at `now`: unanswered attempts time out (and are
/// dispatched again, or fail when the budget is spent), accepted attempts are followed up
/// (dispatched again, with a fresh budget), holds end (and the system is dispatched again
/// to erase what they kept), backups age out (and the certificate is supplemented),
/// deadline warnings and the deadline passing. Nothing due decides nothing, so a timer that
/// fires twice is harmless.
pub fn tick(state: &RequestState, policy: &Policy, now: Now) -> Decision {
    let mut decision = Decision::default();
    // A rejected request's pending work is stopped: nothing times out or is sent again.
    if state.status == RequestStatus::Rejected {
        return decision;
    }
    for task in state.tasks.values() {
        match task.status {
            TaskStatus::Pending => match task.answer_by {
                Some(by) if by <= now.at && task.follow_up => {
                    let to = Target::of(task);
                    dispatch(&mut decision, to, task.attempt + 1, policy, now.at, now.at);
                }
                Some(by) if by <= now.at => time_out(task, policy, now, &mut decision),
                _ => {}
            },
            TaskStatus::Done => {
                age_out_backups(task, now, &mut decision);
                let due: Vec<String> = task
                    .holds
                    .iter()
                    .filter(|h| h.release_at <= now.at)
                    .map(|h| h.rule_id.clone())
                    .collect();
                if !due.is_empty() {
                    decision.events.push(Event::HoldEnded {
                        system_id: task.system_id.clone(),
                        rule_ids: due,
                        at: now.at,
                    });
                    dispatch(
                        &mut decision,
                        Target::of(task),
                        task.attempt + 1,
                        policy,
                        now.at,
                        now.at,
                    );
                }
            }
            TaskStatus::Failed => {}
        }
    }
    fail_if_resolution_failed(state, &mut decision, now.at);
    finish_if_all_final(state, &mut decision, policy, now.at);
    if state.status == RequestStatus::Completed {
        supplement_if_done(state, &mut decision);
    }
    if state.after(&decision.events).status == RequestStatus::InProgress {
        deadline_timers(state, policy, now.at, &mut decision);
    }
    decision
}

/// The identifiers' shredding is due at `now`: the policy's period after completion has
/// passed and nothing needs them any more ([`RequestState::shred_at`]). The caller
/// destroys the data key first, then records it with [`shredded`], so a crash between the
/// two leaves the shredding due, never recorded but not done.
pub fn shred_due(state: &RequestState, policy: &Policy, now: DateTime<Utc>) -> bool {
    policy
        .shred_identifiers_after
        .and_then(|after| state.shred_at(after))
        .is_some_and(|at| at <= now)
}

/// Records that the request's data key was destroyed; nothing when already recorded.
pub fn shredded(state: &RequestState, now: DateTime<Utc>) -> Decision {
    let mut decision = Decision::default();
    if state.shredded_at.is_none() {
        decision.events.push(Event::IdentifiersShredded { at: now });
    }
    decision
}

/// The day after the last backup set that may hold the person expires, its copies are
/// gone: recorded, for the certificate's supplement.
fn age_out_backups(task: &TaskState, now: Now, decision: &mut Decision) {
    let (Some(until), Some(due)) = (task.backups_until(), task.backups_age_out_at()) else {
        return;
    };
    if due <= now.at {
        decision.events.push(Event::BackupsAgedOut {
            system_id: task.system_id.clone(),
            set_ids: task.backups.iter().map(|b| b.set_id.clone()).collect(),
            expired_on: until,
            at: now.at,
        });
    }
}

fn time_out(task: &TaskState, policy: &Policy, now: Now, decision: &mut Decision) {
    decision.events.push(Event::TaskTimedOut {
        task_id: task.task_id.clone(),
        system_id: task.system_id.clone(),
        attempt: task.attempt,
        at: now.at,
    });
    let used = task.attempts_used();
    if used < policy.retry.max_attempts {
        let not_before = now.at + policy.retry.delay_before(used + 1, now.jitter);
        decision.events.push(Event::TaskRetryScheduled {
            task_id: task.task_id.clone(),
            next_attempt: task.attempt + 1,
            not_before,
            reason: format!("no answer to attempt {}", task.attempt),
        });
        dispatch(
            decision,
            Target::of(task),
            task.attempt + 1,
            policy,
            now.at,
            not_before,
        );
    } else {
        decision.events.push(Event::TaskFailed {
            task_id: task.task_id.clone(),
            system_id: task.system_id.clone(),
            reason: format!("no answer after {used} attempts"),
            at: now.at,
        });
    }
}

fn deadline_timers(
    state: &RequestState,
    policy: &Policy,
    now: DateTime<Utc>,
    decision: &mut Decision,
) {
    if state.overdue {
        return;
    }
    let today = now.date_naive();
    let deadline = state.deadline();
    if today > deadline {
        decision
            .events
            .push(Event::RequestOverdue { deadline, at: now });
        return;
    }
    let mut offsets = policy.warn_before_days.clone();
    offsets.sort_unstable();
    offsets.dedup();
    for days_before in offsets {
        let warn_on = deadline.checked_sub_days(Days::new(u64::from(days_before)));
        if !state.warnings_issued.contains(&days_before) && warn_on.is_some_and(|d| today >= d) {
            decision.events.push(Event::DeadlineApproaching {
                deadline,
                days_before,
                at: now,
            });
        }
    }
}
