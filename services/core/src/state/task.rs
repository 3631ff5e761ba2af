//! One system's task within a request, and the holds running on it.

use super::timer_at;
use crate::events::{AckAccepted, Attestation, BackupCopy, Outcome, Purpose};
use crate::ids::{SystemId, TaskId};
use crate::inventory::{PlannedTask, Recipient};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskStatus {
    /// Dispatched (or waiting for a retry); no final answer yet.
    Pending,
    Done,
    Failed,
}

/// Items of one system kept under one retention rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    pub system_id: SystemId,
    pub rule_id: String,
    pub category: String,
    pub items: u64,
    pub retained_until: NaiveDate,
    /// When the hold's timer fires.
    pub release_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskState {
    pub task_id: TaskId,
    pub system_id: SystemId,
    pub categories: Vec<String>,
    /// The attempt an acknowledgment must answer to count.
    pub attempt: u32,
    /// The first attempt of the current retry budget (an operator's retry starts a new one).
    pub budget_from: u32,
    pub status: TaskStatus,
    pub last_ack: Option<AckAccepted>,
    /// Timer of the current attempt (pending tasks only).
    pub answer_by: Option<DateTime<Utc>>,
    /// Why the task failed without a final answer (attempts exhausted).
    pub failure: Option<String>,
    /// Holds running now.
    pub holds: Vec<Hold>,
    /// Dispatched again after a hold ended, and not yet covered by a supplement.
    pub after_hold: bool,
    /// The system resolves identifiers before anything is erased.
    pub resolves: bool,
    /// What the task's current attempt asks: resolution first (when it resolves), then
    /// erasure.
    pub phase: Purpose,
    /// The system answered its resolution (found something or nothing).
    pub resolved: bool,
    /// An operator does the work and closes the task with evidence.
    pub manual: bool,
    /// The recipient the system stands for (GDPR Art. 19).
    pub recipient: Option<Recipient>,
    /// The current attempt was accepted ([`Outcome::Accepted`]): `answer_by` is the time
    /// of the follow-up, not a time-out.
    pub follow_up: bool,
    /// Backup sets that may still hold the person (from an [`Outcome::InBackups`] answer),
    /// until they age out.
    pub backups: Vec<BackupCopy>,
    /// How an operator closed the (manual) task.
    pub attestation: Option<Attestation>,
    /// When the system (a recipient) was first told: its first accepted or successful
    /// answer, or the operator's attestation.
    pub told_at: Option<DateTime<Utc>>,
    /// When the manual task was opened for an operator.
    pub opened_at: Option<DateTime<Utc>>,
    /// Dispatched only once every other task is final.
    pub asked_last: bool,
}

impl TaskState {
    /// Attempts made in the current retry budget.
    pub fn attempts_used(&self) -> u32 {
        self.attempt.saturating_sub(self.budget_from) + 1
    }

    /// The last day a backup set that may hold the person exists.
    pub fn backups_until(&self) -> Option<NaiveDate> {
        self.backups.iter().map(|b| b.expires_on).max()
    }

    /// When the backups' timer fires: the day after the last set expires.
    pub fn backups_age_out_at(&self) -> Option<DateTime<Utc>> {
        self.backups_until()
            .map(|d| timer_at(d.succ_opt().unwrap_or(d)))
    }
}

impl TaskState {
    /// A task as planned, before its first dispatch.
    pub(super) fn planned(t: &PlannedTask) -> Self {
        Self {
            task_id: t.task_id.clone(),
            system_id: t.system_id.clone(),
            categories: t.categories.clone(),
            attempt: 0,
            budget_from: 1,
            status: TaskStatus::Pending,
            last_ack: None,
            answer_by: None,
            failure: None,
            holds: Vec::new(),
            after_hold: false,
            resolves: t.resolves,
            phase: if t.resolves {
                Purpose::Resolve
            } else {
                Purpose::Erase
            },
            resolved: false,
            manual: t.manual,
            recipient: t.recipient.clone(),
            follow_up: false,
            backups: Vec::new(),
            attestation: None,
            told_at: None,
            opened_at: None,
            asked_last: t.asked_last,
        }
    }

    /// Dispatched (for the first time when `attempt` was 0); a change of purpose (erasing
    /// after resolving) starts a new retry budget.
    pub(super) fn dispatched(&mut self, attempt: u32, answer_by: DateTime<Utc>, purpose: Purpose) {
        if purpose != self.phase {
            self.budget_from = attempt;
            self.phase = purpose;
        }
        if purpose == Purpose::Resolve {
            self.resolved = false;
        }
        self.attempt = attempt;
        self.status = TaskStatus::Pending;
        self.answer_by = Some(answer_by);
        self.failure = None;
        self.follow_up = false;
    }

    /// A manual task opened: it waits for an operator, with no timer of its own (the
    /// request's deadline runs).
    pub(super) fn opened_manually(&mut self, at: DateTime<Utc>) {
        self.opened_at = Some(at);
        self.attempt = 1;
        self.phase = Purpose::Erase;
        self.status = TaskStatus::Pending;
        self.answer_by = None;
    }

    pub(super) fn answered(&mut self, ack: &AckAccepted) {
        self.answer_by = None;
        self.follow_up = false;
        self.last_ack = Some(ack.clone());
        if ack.outcome == Outcome::Accepted || ack.outcome.is_success() {
            self.told_at.get_or_insert(ack.at);
        }
        if ack.outcome == Outcome::Accepted {
            return; // still pending: FollowUpScheduled follows in the same append
        }
        if ack.outcome.is_success() {
            self.status = TaskStatus::Done;
            // What is still held follows as ErasureDeferred in the same append.
            self.holds.clear();
            self.backups = ack.backups.clone();
        } else {
            self.status = TaskStatus::Failed;
        }
    }

    /// The current attempt was accepted: ask again at `at`, with a fresh retry budget.
    pub(super) fn follow_up_at(&mut self, attempt: u32, at: DateTime<Utc>) {
        if attempt == self.attempt && self.status == TaskStatus::Pending {
            self.answer_by = Some(at);
            self.follow_up = true;
            self.budget_from = attempt + 1;
        }
    }

    pub(super) fn attested(&mut self, a: &Attestation) {
        self.status = TaskStatus::Done;
        self.answer_by = None;
        self.told_at.get_or_insert(a.at);
        self.attestation = Some(a.clone());
    }

    /// The holds of `rule_ids` ended: they are returned, and the dispatch that follows
    /// starts a new retry budget.
    pub(super) fn holds_ended(&mut self, rule_ids: &[String]) -> Vec<Hold> {
        let (ended, kept): (Vec<Hold>, _) = std::mem::take(&mut self.holds)
            .into_iter()
            .partition(|h| rule_ids.contains(&h.rule_id));
        self.holds = kept;
        self.after_hold = true;
        self.budget_from = self.attempt + 1;
        ended
    }

    /// The resolution was answered: nothing is awaited until the next dispatch.
    pub(super) fn resolution_answered(&mut self, found: bool) {
        self.answer_by = None;
        self.resolved |= found;
    }

    pub(super) fn failed(&mut self, reason: &str) {
        self.status = TaskStatus::Failed;
        self.answer_by = None;
        self.failure = Some(reason.to_owned());
    }
}
