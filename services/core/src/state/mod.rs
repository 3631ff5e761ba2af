//! A request's state: a fold of its events. `apply` never fails and never decides.
//!
//! - this module: [`RequestState`], the request as a whole;
//! - [`task`]: [`TaskState`], one system's share of it, and its [`Hold`]s.

mod task;

pub use task::{Hold, TaskState, TaskStatus};

use crate::access::Actor;
use crate::events::{Event, RequestReceived, Resolved};
use crate::identifiers::IdentifierKind;
use crate::ids::{SystemId, TaskId};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    InProgress,
    Completed,
    Failed,
    /// Refused by a supervisor (Art. 12(5)); see [`RequestState::refusal`].
    Rejected,
}

impl RequestStatus {
    pub fn is_final(self) -> bool {
        !matches!(self, Self::InProgress)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    pub hash: Vec<u8>,
    pub signed_certificate: Vec<u8>,
    pub at: DateTime<Utc>,
}

impl Certificate {
    fn new(hash: &[u8], signed: &[u8], at: DateTime<Utc>) -> Self {
        Self {
            hash: hash.to_vec(),
            signed_certificate: signed.to_vec(),
            at,
        }
    }
}

/// Why and by whom a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub reason: String,
    pub by: Actor,
    pub at: DateTime<Utc>,
}

/// A retry of a task someone asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retry {
    pub system_id: SystemId,
    pub reason: String,
    pub by: Actor,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// Who extended it.
    pub by: Actor,
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
    /// Set when a supervisor rejected the request.
    pub refusal: Option<Refusal>,
    /// Every retry someone asked for (who, when, why), in order.
    pub retries: Vec<Retry>,
    /// Offsets (days before the deadline) of the warnings already issued.
    pub warnings_issued: BTreeSet<u32>,
    pub overdue: bool,
    /// Every hold that ended, in order.
    pub past_holds: Vec<Hold>,
    /// How many of `past_holds` a certificate or supplement already covers.
    covered_holds: usize,
    pub supplements: Vec<Certificate>,
    /// Every identifier known after identity resolution, sealed; `None` until a system
    /// found something new (the submitted ones apply).
    pub resolved_identifiers: Option<Vec<u8>>,
    /// What each resolving system found, in counts per kind (the latest answer of each).
    pub resolutions: Vec<(SystemId, Vec<(IdentifierKind, u32)>)>,
    /// Backup copies that aged out, in order.
    pub aged_out: Vec<AgedOut>,
    /// How many of `aged_out` a certificate or supplement already covers.
    covered_aged_out: usize,
    /// Replays of the erasure to systems restored from a backup, in order.
    pub replays: Vec<Replay>,
    /// When the data key was destroyed (`IdentifiersShredded`): the identifiers cannot be
    /// opened any more.
    pub shredded_at: Option<DateTime<Utc>>,
}

/// A system's backup copies that aged out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgedOut {
    pub system_id: SystemId,
    pub set_ids: Vec<String>,
    pub expired_on: NaiveDate,
    pub at: DateTime<Utc>,
}

/// The erasure dispatched again to systems restored from a backup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replay {
    pub replay_id: String,
    pub system_ids: Vec<SystemId>,
    pub since: DateTime<Utc>,
    pub at: DateTime<Utc>,
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
            refusal: None,
            retries: Vec::new(),
            warnings_issued: BTreeSet::new(),
            overdue: false,
            covered_holds: 0,
            past_holds: Vec::new(),
            supplements: Vec::new(),
            resolved_identifiers: None,
            resolutions: Vec::new(),
            aged_out: Vec::new(),
            covered_aged_out: 0,
            replays: Vec::new(),
            shredded_at: None,
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
            // The TaskDispatched that follows a retry or a timeout moves the task back to
            // pending.
            Event::RequestReceived(_)
            | Event::TaskRetryScheduled { .. }
            | Event::TaskTimedOut { .. } => {}
            Event::ErasurePlanned { tasks } => {
                for t in tasks {
                    self.tasks
                        .insert(t.system_id.clone(), TaskState::planned(t));
                }
            }
            Event::TaskDispatched {
                system_id,
                attempt,
                answer_by,
                purpose,
                ..
            } => self.on_task(system_id, |t| t.dispatched(*attempt, *answer_by, *purpose)),
            Event::IdentifiersResolved(r) => self.resolved(r),
            Event::ResolutionFailed { system_id, .. } => {
                self.on_task(system_id, |t| t.resolution_answered(false))
            }
            Event::AckAccepted(ack) => self.on_task(&ack.system_id, |t| t.answered(ack)),
            Event::AckRejected(_) => self.rejected_acks += 1,
            Event::RequestCompleted { at } => self.finished(RequestStatus::Completed, *at),
            Event::RequestFailed { at, .. } => self.finished(RequestStatus::Failed, *at),
            Event::CertificateIssued {
                certificate_hash,
                signed_certificate,
                at,
            } => {
                self.certificate =
                    Some(Certificate::new(certificate_hash, signed_certificate, *at));
                self.covered_holds = self.past_holds.len();
                self.covered_aged_out = self.aged_out.len();
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
                let hold = Hold {
                    system_id: system_id.clone(),
                    rule_id: rule_id.clone(),
                    category: category.clone(),
                    items: *items,
                    retained_until: *retained_until,
                    release_at: *release_at,
                };
                self.on_task(system_id, |t| t.holds.push(hold));
            }
            Event::HoldEnded {
                system_id,
                rule_ids,
                ..
            } => {
                if let Some(task) = self.tasks.get_mut(system_id) {
                    let ended = task.holds_ended(rule_ids);
                    self.past_holds.extend(ended);
                }
            }
            Event::SupplementIssued {
                supplement_hash,
                signed_supplement,
                at,
                ..
            } => self.supplemented(Certificate::new(supplement_hash, signed_supplement, *at)),
            Event::RequestRejected { reason, by, at } => {
                self.finished(RequestStatus::Rejected, *at);
                self.refusal = Some(Refusal {
                    reason: reason.clone(),
                    by: by.clone(),
                    at: *at,
                });
            }
            Event::DeadlineExtended {
                months,
                reason,
                deadline,
                by,
                at,
            } => self.extended(Extension {
                by: by.clone(),
                months: *months,
                reason: reason.clone(),
                deadline: *deadline,
                at: *at,
            }),
            Event::DeadlineApproaching { days_before, .. } => {
                self.warnings_issued.insert(*days_before);
            }
            Event::RequestOverdue { .. } => self.overdue = true,
            Event::TaskFailed {
                system_id, reason, ..
            } => self.on_task(system_id, |t| t.failed(reason)),
            Event::TaskRetryRequested {
                system_id,
                reason,
                by,
                at,
                ..
            } => {
                self.retries.push(Retry {
                    system_id: system_id.clone(),
                    reason: reason.clone(),
                    by: by.clone(),
                    at: *at,
                });
                self.retry_requested(system_id)
            }
            Event::FollowUpScheduled {
                system_id,
                attempt,
                follow_up_at,
                ..
            } => self.on_task(system_id, |t| t.follow_up_at(*attempt, *follow_up_at)),
            Event::BackupsAgedOut {
                system_id,
                set_ids,
                expired_on,
                at,
            } => {
                self.on_task(system_id, |t| t.backups.clear());
                self.aged_out.push(AgedOut {
                    system_id: system_id.clone(),
                    set_ids: set_ids.clone(),
                    expired_on: *expired_on,
                    at: *at,
                });
            }
            Event::ManualTaskOpened { system_id, at, .. } => {
                self.on_task(system_id, |t| t.opened_manually(*at))
            }
            Event::TaskAttested(a) => self.on_task(&a.system_id, |t| t.attested(a)),
            Event::ErasureReplayed {
                replay_id,
                system_ids,
                since,
                at,
            } => self.replayed(Replay {
                replay_id: replay_id.clone(),
                system_ids: system_ids.clone(),
                since: *since,
                at: *at,
            }),
            Event::IdentifiersShredded { at } => self.shredded_at = Some(*at),
        }
    }

    /// A replay: each system's dispatch that follows starts a new retry budget.
    fn replayed(&mut self, replay: Replay) {
        for system in &replay.system_ids {
            self.on_task(system, |t| t.budget_from = t.attempt + 1);
        }
        self.replays.push(replay);
    }

    /// Applies `change` to the task of `system`; an event for a system the request has no
    /// task of changes nothing.
    fn on_task(&mut self, system: &SystemId, change: impl FnOnce(&mut TaskState)) {
        if let Some(task) = self.tasks.get_mut(system) {
            change(task);
        }
    }

    fn resolved(&mut self, r: &Resolved) {
        self.on_task(&r.system_id, |t| t.resolution_answered(true));
        if !r.sealed_identifiers.is_empty() {
            self.resolved_identifiers = Some(r.sealed_identifiers.clone());
        }
        self.resolutions.retain(|(s, _)| *s != r.system_id);
        self.resolutions
            .push((r.system_id.clone(), r.found.clone()));
    }

    fn finished(&mut self, status: RequestStatus, at: DateTime<Utc>) {
        self.status = status;
        self.completed_at = Some(at);
    }

    fn supplemented(&mut self, supplement: Certificate) {
        self.supplements.push(supplement);
        self.covered_holds = self.past_holds.len();
        self.covered_aged_out = self.aged_out.len();
        for task in self.tasks.values_mut() {
            task.after_hold = false;
        }
    }

    fn extended(&mut self, extension: Extension) {
        self.extension = Some(extension);
        // Warnings count down to the new deadline.
        self.warnings_issued.clear();
    }

    /// An operator's retry: the dispatch that follows starts a new retry budget, and a
    /// failed request is in progress again.
    fn retry_requested(&mut self, system: &SystemId) {
        self.on_task(system, |t| t.budget_from = t.attempt + 1);
        if self.status == RequestStatus::Failed {
            self.status = RequestStatus::InProgress;
            self.completed_at = None;
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

    /// Every system that resolves identifiers has answered its resolution.
    pub fn all_resolved(&self) -> bool {
        self.tasks.values().all(|t| !t.resolves || t.resolved)
    }

    pub fn all_tasks_final(&self) -> bool {
        self.tasks.values().all(|t| t.status != TaskStatus::Pending)
    }

    /// Holds that ended since the last certificate or supplement.
    pub fn ended_holds(&self) -> &[Hold] {
        &self.past_holds[self.covered_holds.min(self.past_holds.len())..]
    }

    /// Backup copies that aged out since the last certificate or supplement.
    pub fn newly_aged_out(&self) -> &[AgedOut] {
        &self.aged_out[self.covered_aged_out.min(self.aged_out.len())..]
    }

    /// The last day the request's identifiers are still needed for erasing: the end of its
    /// last running hold (the deferred erasure needs them) or the expiry of the last backup
    /// set that may hold the person (a restore must be followed by a replay, which needs
    /// them). `None` when neither runs. Until then the sealed identifiers must not be
    /// shredded.
    pub fn identifiers_needed_until(&self) -> Option<NaiveDate> {
        let holds = self.holds().map(|h| h.retained_until);
        let backups = self.tasks.values().filter_map(TaskState::backups_until);
        holds.chain(backups).max()
    }

    /// When the identifiers may be shredded: `after_completion` after the request
    /// completed, once every task is final, no hold runs and no backup set may still hold
    /// the person ([`Self::identifiers_needed_until`] is `None`: those end with their own
    /// events, `HoldEnded` and `BackupsAgedOut`). `None` while any of that is not so, for a
    /// failed request (an operator may retry it), and once shredded.
    pub fn shred_at(&self, after_completion: Duration) -> Option<DateTime<Utc>> {
        let ready = self.shredded_at.is_none()
            && self.status == RequestStatus::Completed
            && self.all_tasks_final()
            && self.identifiers_needed_until().is_none();
        let completed = self.completed_at.filter(|_| ready)?;
        completed.checked_add_signed(after_completion)
    }

    /// Holds running now, over every system.
    pub fn holds(&self) -> impl Iterator<Item = &Hold> {
        self.tasks.values().flat_map(|t| t.holds.iter())
    }

    /// The earliest time a timer of this request fires, if any is set: an unanswered
    /// attempt or a follow-up, a hold ending, backups ageing out, a deadline warning or the
    /// deadline passing, or the identifiers' shredding (`shred_after`: the period after
    /// completion, `None` when identifiers are never shredded automatically).
    pub fn next_timer(
        &self,
        warn_before_days: &[u32],
        shred_after: Option<Duration>,
    ) -> Option<DateTime<Utc>> {
        if self.status == RequestStatus::Rejected {
            return None;
        }
        let tasks = self.tasks.values().filter_map(|t| match t.status {
            TaskStatus::Pending => t.answer_by,
            TaskStatus::Done => t
                .holds
                .iter()
                .map(|h| h.release_at)
                .chain(t.backups_age_out_at())
                .min(),
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
        let shred = shred_after.and_then(|d| self.shred_at(d));
        tasks.chain(deadline).chain(shred).min()
    }
}
