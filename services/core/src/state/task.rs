//! One system's task within a request, and the holds running on it.

use crate::events::{AckAccepted, Purpose};
use crate::ids::{SystemId, TaskId};
use crate::inventory::PlannedTask;
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
}

impl TaskState {
    /// Attempts made in the current retry budget.
    pub fn attempts_used(&self) -> u32 {
        self.attempt.saturating_sub(self.budget_from) + 1
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
    }

    pub(super) fn answered(&mut self, ack: &AckAccepted) {
        self.answer_by = None;
        if ack.outcome.is_success() {
            self.status = TaskStatus::Done;
            // What is still held follows as ErasureDeferred in the same append.
            self.holds.clear();
        } else {
            self.status = TaskStatus::Failed;
        }
        self.last_ack = Some(ack.clone());
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
