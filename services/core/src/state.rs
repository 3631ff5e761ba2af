//! A request's state: a fold of its events. `apply` never fails and never decides.

use crate::events::{AckAccepted, Event, RequestReceived};
use crate::ids::{SystemId, TaskId};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    InProgress,
    Completed,
    Failed,
}

impl RequestStatus {
    pub fn is_final(self) -> bool {
        !matches!(self, Self::InProgress)
    }
}

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
}

impl TaskState {
    /// Attempts made in the current retry budget.
    pub fn attempts_used(&self) -> u32 {
        self.attempt.saturating_sub(self.budget_from) + 1
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    pub hash: Vec<u8>,
    pub signed_certificate: Vec<u8>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    pub months: u32,
    pub reason: String,
    pub deadline: NaiveDate,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestState {
    pub received: RequestReceived,
    pub tasks: BTreeMap<SystemId, TaskState>,
    pub status: RequestStatus,
    pub completed_at: Option<DateTime<Utc>>,
    pub certificate: Option<Certificate>,
    pub rejected_acks: u32,
    pub extension: Option<Extension>,
    /// Offsets (days before the deadline) of the warnings already issued.
    pub warnings_issued: BTreeSet<u32>,
    pub overdue: bool,
    /// Every hold that ended, in order.
    pub past_holds: Vec<Hold>,
    /// How many of `past_holds` a certificate or supplement already covers.
    covered_holds: usize,
    pub supplements: Vec<Certificate>,
}

/// When a timer set for a date fires: 12:00 UTC that day, which is that day in every time
/// zone from UTC−12 to UTC+12.
pub fn timer_at(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
        .and_utc()
}

impl RequestState {
    /// Folds a stream's events. `None` when the stream does not start with `RequestReceived`.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Self> {
        let mut events = events.into_iter();
        let mut state = match events.next()? {
            Event::RequestReceived(r) => Self::new(r.clone()),
            _ => return None,
        };
        for event in events {
            state.apply(event);
        }
        Some(state)
    }

    fn new(received: RequestReceived) -> Self {
        Self {
            received,
            tasks: BTreeMap::new(),
            status: RequestStatus::InProgress,
            completed_at: None,
            certificate: None,
            rejected_acks: 0,
            extension: None,
            warnings_issued: BTreeSet::new(),
            overdue: false,
            covered_holds: 0,
            past_holds: Vec::new(),
            supplements: Vec::new(),
        }
    }

    /// The deadline in force: the extended one, if extended.
    pub fn deadline(&self) -> NaiveDate {
        self.extension
            .as_ref()
            .map_or(self.received.deadline, |e| e.deadline)
    }

    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::RequestReceived(_) => {}
            Event::ErasurePlanned { tasks } => {
                for t in tasks {
                    self.tasks.insert(
                        t.system_id.clone(),
                        TaskState {
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
                        },
                    );
                }
            }
            Event::TaskDispatched {
                system_id,
                attempt,
                answer_by,
                ..
            } => {
                if let Some(task) = self.tasks.get_mut(system_id) {
                    task.attempt = *attempt;
                    task.status = TaskStatus::Pending;
                    task.answer_by = Some(*answer_by);
                    task.failure = None;
                }
            }
            Event::AckAccepted(ack) => {
                if let Some(task) = self.tasks.get_mut(&ack.system_id) {
                    task.answer_by = None;
                    if ack.outcome.is_success() {
                        task.status = TaskStatus::Done;
                        // What is still held follows as ErasureDeferred in the same append.
                        task.holds.clear();
                    } else {
                        task.status = TaskStatus::Failed;
                    }
                    task.last_ack = Some(ack.clone());
                }
            }
            Event::AckRejected(_) => self.rejected_acks += 1,
            // The TaskDispatched that follows moves the task back to pending.
            Event::TaskRetryScheduled { .. } | Event::TaskTimedOut { .. } => {}
            Event::RequestCompleted { at } => {
                self.status = RequestStatus::Completed;
                self.completed_at = Some(*at);
            }
            Event::RequestFailed { at, .. } => {
                self.status = RequestStatus::Failed;
                self.completed_at = Some(*at);
            }
            Event::CertificateIssued {
                certificate_hash,
                signed_certificate,
                at,
            } => {
                self.certificate = Some(Certificate {
                    hash: certificate_hash.clone(),
                    signed_certificate: signed_certificate.clone(),
                    at: *at,
                });
                self.covered_holds = self.past_holds.len();
            }
            Event::ErasureDeferred {
                system_id,
                rule_id,
                category,
                items,
                retained_until,
                release_at,
                ..
            } => {
                if let Some(task) = self.tasks.get_mut(system_id) {
                    task.holds.push(Hold {
                        system_id: system_id.clone(),
                        rule_id: rule_id.clone(),
                        category: category.clone(),
                        items: *items,
                        retained_until: *retained_until,
                        release_at: *release_at,
                    });
                }
            }
            Event::HoldEnded {
                system_id,
                rule_ids,
                ..
            } => {
                if let Some(task) = self.tasks.get_mut(system_id) {
                    let (ended, kept): (Vec<Hold>, _) = std::mem::take(&mut task.holds)
                        .into_iter()
                        .partition(|h| rule_ids.contains(&h.rule_id));
                    task.holds = kept;
                    task.after_hold = true;
                    // The dispatch that follows starts a new retry budget.
                    task.budget_from = task.attempt + 1;
                    self.past_holds.extend(ended);
                }
            }
            Event::SupplementIssued {
                supplement_hash,
                signed_supplement,
                at,
                ..
            } => {
                self.supplements.push(Certificate {
                    hash: supplement_hash.clone(),
                    signed_certificate: signed_supplement.clone(),
                    at: *at,
                });
                self.covered_holds = self.past_holds.len();
                for task in self.tasks.values_mut() {
                    task.after_hold = false;
                }
            }
            Event::DeadlineExtended {
                months,
                reason,
                deadline,
                at,
            } => {
                self.extension = Some(Extension {
                    months: *months,
                    reason: reason.clone(),
                    deadline: *deadline,
                    at: *at,
                });
                // Warnings count down to the new deadline.
                self.warnings_issued.clear();
            }
            Event::DeadlineApproaching { days_before, .. } => {
                self.warnings_issued.insert(*days_before);
            }
            Event::RequestOverdue { .. } => self.overdue = true,
            Event::TaskFailed {
                system_id, reason, ..
            } => {
                if let Some(task) = self.tasks.get_mut(system_id) {
                    task.status = TaskStatus::Failed;
                    task.answer_by = None;
                    task.failure = Some(reason.clone());
                }
            }
            Event::TaskRetryRequested { system_id, .. } => {
                if let Some(task) = self.tasks.get_mut(system_id) {
                    task.budget_from = task.attempt + 1;
                }
                if self.status == RequestStatus::Failed {
                    self.status = RequestStatus::InProgress;
                    self.completed_at = None;
                }
            }
        }
    }

    /// The state after `events` (e.g. a decision's, before they are appended).
    pub fn after(&self, events: &[Event]) -> Self {
        let mut next = self.clone();
        for e in events {
            next.apply(e);
        }
        next
    }

    pub fn task_by_id(&self, task_id: &TaskId) -> Option<&TaskState> {
        self.tasks.values().find(|t| &t.task_id == task_id)
    }

    pub fn all_tasks_final(&self) -> bool {
        self.tasks.values().all(|t| t.status != TaskStatus::Pending)
    }

    /// Holds that ended since the last certificate or supplement.
    pub fn ended_holds(&self) -> &[Hold] {
        &self.past_holds[self.covered_holds.min(self.past_holds.len())..]
    }

    /// Holds running now, over every system.
    pub fn holds(&self) -> impl Iterator<Item = &Hold> {
        self.tasks.values().flat_map(|t| t.holds.iter())
    }

    /// The earliest time a timer of this request fires, if any is set: an unanswered
    /// attempt, a hold ending, a deadline warning or the deadline passing.
    pub fn next_timer(&self, warn_before_days: &[u32]) -> Option<DateTime<Utc>> {
        let tasks = self.tasks.values().filter_map(|t| match t.status {
            TaskStatus::Pending => t.answer_by,
            TaskStatus::Done => t.holds.iter().map(|h| h.release_at).min(),
            TaskStatus::Failed => None,
        });
        let deadline = (self.status == RequestStatus::InProgress && !self.overdue)
            .then(|| {
                let due = self.deadline();
                let warnings = warn_before_days
                    .iter()
                    .filter(|d| !self.warnings_issued.contains(d))
                    .filter_map(|d| due.checked_sub_days(chrono::Days::new(u64::from(*d))));
                let overdue = due.succ_opt();
                warnings
                    .chain(overdue)
                    .map(|d| d.and_time(NaiveTime::MIN).and_utc())
                    .min()
            })
            .flatten();
        tasks.chain(deadline).min()
    }
}
