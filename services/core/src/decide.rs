//! Decisions: given the current state, a command and the time, the events to append and
//! the effects for the caller to carry out. Nothing here performs I/O.

use crate::deadline::{MAX_EXTENSION_MONTHS, extended_deadline};
use crate::events::{AckAccepted, AckRejected, Event, Outcome, RequestReceived};
use crate::ids::{SystemId, TaskId};
use crate::inventory::{Inventory, PlannedTask};
use crate::retention::{FinancialYearEnd, RuleBook};
use crate::state::{RequestState, RequestStatus, TaskState, TaskStatus, timer_at};
use chrono::{DateTime, Days, Duration, Utc};

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
    /// Held data was erased after its hold ended: build and sign a supplement to the
    /// certificate, then [`issue_supplement`] in the same append.
    IssueSupplement,
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
    #[error("the request has no certificate to supplement")]
    NothingToSupplement,
    #[error("the request is already {0}: there is no deadline to extend")]
    RequestFinal(&'static str),
    #[error("an extension is 1 or 2 months (GDPR Art. 12(3)), not {0}")]
    InvalidExtension(u32),
    #[error("an extension needs a reason: the person must be told why (GDPR Art. 12(3))")]
    ExtensionReasonMissing,
    #[error("the deadline was already extended, to {0}; it can be extended only once")]
    AlreadyExtended(chrono::NaiveDate),
    #[error("the first month ended on {0}: an extension must be decided within it")]
    ExtensionTooLate(chrono::NaiveDate),
    #[error("the task of system {0} has not failed; only failed tasks can be retried")]
    TaskNotFailed(SystemId),
    #[error("no task of this request has failed; nothing to retry")]
    NothingToRetry,
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
    #[error("retention claim refused: {0}")]
    BadRetention(String),
}

/// Retries of unanswered or failed attempts: exponential backoff with jitter, bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per retry budget (an operator's retry starts a new budget).
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// How long an attempt may go unanswered before it times out.
    pub answer_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::seconds(2),
            max_delay: Duration::minutes(10),
            answer_timeout: Duration::hours(1),
        }
    }
}

impl RetryPolicy {
    /// Delay before the `n`th attempt of a budget (2, 3, ...): `d = base · 2^(n − 2)`,
    /// capped at `max_delay`, then "equal jitter": `d/2 + jitter · d/2`, `jitter` in [0, 1).
    pub fn delay_before(&self, n: u32, jitter: f64) -> Duration {
        let exp = n.saturating_sub(2).min(20);
        let delay = (self.base_delay * 2_i32.pow(exp)).min(self.max_delay);
        let half = delay.num_milliseconds() / 2;
        let spread = (half as f64 * jitter.clamp(0.0, 1.0)) as i64;
        Duration::milliseconds(half + spread)
    }
}

/// Everything a decision needs besides the state and the time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    pub retry: RetryPolicy,
    pub rules: RuleBook,
    pub financial_year_end: FinancialYearEnd,
    /// Warnings before the deadline, in days (e.g. 7 and 1).
    pub warn_before_days: Vec<u32>,
}

/// The randomness and time a decision may use, given by the caller (decisions stay pure).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Now {
    pub at: DateTime<Utc>,
    /// Uniform in [0, 1): spreads retries.
    pub jitter: f64,
}

impl Now {
    pub fn exactly(at: DateTime<Utc>) -> Self {
        Self { at, jitter: 0.0 }
    }
}

/// Receiving a new request: record it, plan one task per system in scope (with the
/// retention rules matching its categories), dispatch them.
pub fn receive(
    existing: Option<&RequestState>,
    received: RequestReceived,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    if existing.is_some() {
        return Err(Rejection::AlreadyExists);
    }
    let j = &received.jurisdiction;
    if j.len() != 2 || !j.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Rejection::InvalidJurisdiction);
    }
    let tasks = inventory.plan(&received.request_id, &received.scope, j, &policy.rules)?;
    let mut decision = Decision::default();
    decision.events.push(Event::RequestReceived(received));
    decision.events.push(Event::ErasurePlanned {
        tasks: tasks.clone(),
    });
    for PlannedTask {
        task_id,
        system_id,
        categories,
        ..
    } in tasks
    {
        let to = Target {
            task_id,
            system_id,
            categories,
        };
        dispatch(&mut decision, to, 1, policy, now, now);
    }
    Ok(decision)
}

struct Target {
    task_id: TaskId,
    system_id: SystemId,
    categories: Vec<String>,
}

impl Target {
    fn of(task: &TaskState) -> Self {
        Self {
            task_id: task.task_id.clone(),
            system_id: task.system_id.clone(),
            categories: task.categories.clone(),
        }
    }
}

fn dispatch(
    decision: &mut Decision,
    to: Target,
    attempt: u32,
    policy: &Policy,
    now: DateTime<Utc>,
    not_before: DateTime<Utc>,
) {
    decision.events.push(Event::TaskDispatched {
        task_id: to.task_id.clone(),
        system_id: to.system_id.clone(),
        attempt,
        at: now,
        not_before,
        answer_by: not_before + policy.retry.answer_timeout,
    });
    decision.effects.push(Effect::Dispatch {
        task_id: to.task_id,
        system_id: to.system_id,
        attempt,
        categories: to.categories,
        not_before,
    });
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

/// Accepting a verified acknowledgment. An exact duplicate of an answer already counted
/// decides nothing. The last final answer completes (or fails) the request; retained items
/// become holds with a timer; an answer after a hold ended leads to a supplement.
pub fn accept_ack(
    state: &RequestState,
    ack: AckAccepted,
    policy: &Policy,
    now: Now,
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
    check_retained(state, task, &ack, policy)?;

    let mut decision = Decision::default();
    let retry =
        ack.outcome == Outcome::FailedRetryable && task.attempts_used() < policy.retry.max_attempts;
    decision.events.push(Event::AckAccepted(ack.clone()));
    if retry {
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
        dispatch(
            &mut decision,
            Target::of(task),
            next,
            policy,
            now.at,
            not_before,
        );
        return Ok(decision);
    }
    for r in &ack.retained {
        decision.events.push(Event::ErasureDeferred {
            system_id: ack.system_id.clone(),
            rule_id: r.rule_id.clone(),
            category: r.category.clone(),
            items: r.items,
            retained_until: r.retained_until,
            release_at: timer_at(r.retained_until.succ_opt().unwrap_or(r.retained_until)),
            at: now.at,
        });
    }
    if state.status == RequestStatus::Completed {
        supplement_if_done(state, &mut decision);
    } else {
        finish_if_all_final(state, &mut decision, now.at);
    }
    Ok(decision)
}

/// After a hold ended and the system answered: a supplement once nothing is pending and
/// every system dispatched after a hold erased what it had to.
fn supplement_if_done(state: &RequestState, decision: &mut Decision) {
    let next = state.after(&decision.events);
    let after_hold: Vec<_> = next.tasks.values().filter(|t| t.after_hold).collect();
    if next.certificate.is_some()
        && next.all_tasks_final()
        && !after_hold.is_empty()
        && after_hold.iter().all(|t| t.status == TaskStatus::Done)
    {
        decision.effects.push(Effect::IssueSupplement);
    }
}

/// Appends `RequestCompleted` or `RequestFailed` when the decision's events leave every
/// task final.
fn finish_if_all_final(state: &RequestState, decision: &mut Decision, now: DateTime<Utc>) {
    if state.status.is_final() {
        return;
    }
    let next = state.after(&decision.events);
    if next.status.is_final() || !next.all_tasks_final() {
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

/// The timers of a request that are due at `now`: unanswered attempts time out (and are
/// dispatched again, or fail when the budget is spent), holds end (and the system is
/// dispatched again to erase what they kept), deadline warnings and the deadline passing.
/// Nothing due decides nothing, so a timer that fires twice is harmless.
pub fn tick(state: &RequestState, policy: &Policy, now: Now) -> Decision {
    let mut decision = Decision::default();
    for task in state.tasks.values() {
        match task.status {
            TaskStatus::Pending => match task.answer_by {
                Some(by) if by <= now.at => time_out(task, policy, now, &mut decision),
                _ => {}
            },
            TaskStatus::Done => {
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
    finish_if_all_final(state, &mut decision, now.at);
    if state.after(&decision.events).status == RequestStatus::InProgress {
        deadline_timers(state, policy, now.at, &mut decision);
    }
    decision
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

/// Extending the Art. 12(3) deadline: by 1 or 2 months, once, within the first month, with
/// a reason.
pub fn extend(
    state: &RequestState,
    months: u32,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    match state.status {
        RequestStatus::InProgress => {}
        RequestStatus::Completed => return Err(Rejection::RequestFinal("completed")),
        RequestStatus::Failed => return Err(Rejection::RequestFinal("failed")),
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
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
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

/// Recording a supplement to the certificate (numbered from 1).
pub fn issue_supplement(
    state: &RequestState,
    supplement_hash: Vec<u8>,
    signed_supplement: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    if state.certificate.is_none() {
        return Err(Rejection::NothingToSupplement);
    }
    Ok(Decision {
        events: vec![Event::SupplementIssued {
            sequence: state.supplements.len() as u32 + 1,
            supplement_hash,
            signed_supplement,
            at: now,
        }],
        effects: vec![],
    })
}
