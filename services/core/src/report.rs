//! The period report for regulators: what happened to the requests received in a period.
//! Pure: built from request states; the coordinator adds the signed tree head that covers
//! every certificate of the period.
//!
//! Definitions, all on UTC dates:
//! - a request is *in the period* when the date it was received is in `[from, to]`;
//! - it *completed on time* when it completed on or before its deadline (the extended one
//!   where extended), and *late* otherwise;
//! - it is *open* while in progress, and *open and overdue* when it is also marked overdue
//!   or its deadline is before `as_of`;
//! - it *failed* when it ended without completing.

use crate::state::{Hold, RequestState, RequestStatus, TaskStatus};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Figures for requests received from `from` to `to` (inclusive, UTC dates), as of `as_of`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day the figures were taken: "open" and "overdue" are as of this day.
    pub as_of: NaiveDate,
    pub received: u64,
    /// Completed on or before their deadline (the extended one where extended).
    pub completed_on_time: u64,
    pub completed_late: u64,
    /// Still in progress on `as_of`, of which `open_overdue` are past their deadline.
    pub open: u64,
    pub open_overdue: u64,
    /// Ended without completing (a system failed for good).
    pub failed: u64,
    /// Refused by a supervisor (GDPR Art. 12(5)).
    #[serde(default)]
    pub rejected: u64,
    /// completed_on_time / (completed_on_time + completed_late), when any completed.
    pub on_time_rate: Option<f64>,
    pub extensions: Vec<ExtensionLine>,
    pub exceptions_by_rule: Vec<RuleLine>,
    pub failures_by_system: Vec<SystemLine>,
    /// Recorded actions by people (rejections, extensions) by the role they acted in;
    /// "unauthenticated" for actions on a server in open mode.
    #[serde(default)]
    pub actions_by_role: BTreeMap<String, u64>,
}

/// One extended deadline, with its reason (GDPR Art. 12(3)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionLine {
    pub request_id: String,
    pub months: u32,
    pub reason: String,
    pub original_deadline: NaiveDate,
    pub deadline: NaiveDate,
}

/// Data kept under one retention rule across the period's requests (running and ended holds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleLine {
    pub rule_id: String,
    /// Requests with at least one hold under the rule.
    pub requests: u64,
    pub items: u64,
    /// Holds still running on `as_of`.
    pub running: u64,
    /// The latest retained-until date among them.
    pub latest_until: NaiveDate,
}

/// Tasks of one system that failed for good, across the period's requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemLine {
    pub system_id: String,
    pub failed_tasks: u64,
}

/// Builds the report of the requests received from `from` to `to` (inclusive), as of
/// `as_of`. Requests received outside the period are ignored; see the module docs for
/// what each figure counts.
///
/// - `on_time_rate` is `None` when no request of the period completed;
/// - `extensions`: one line per extended request, sorted by request id;
/// - `exceptions_by_rule`: running and ended holds, per rule id (sorted): the requests with
///   a hold under it (each once), the items held, the holds still running and the latest
///   retained-until date;
/// - `failures_by_system`: tasks that failed, per system id (sorted).
pub fn build<'a>(
    states: impl IntoIterator<Item = &'a RequestState>,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
) -> Report {
    let states: Vec<&RequestState> = states
        .into_iter()
        .filter(|s| in_period(s, from, to))
        .collect();
    let standings: Vec<Standing> = states.iter().map(|s| standing(s, as_of)).collect();
    let count = |wanted: fn(&Standing) -> bool| standings.iter().filter(|s| wanted(s)).count();
    let completed_on_time = count(|s| *s == Standing::OnTime) as u64;
    let completed_late = count(|s| *s == Standing::Late) as u64;
    Report {
        from,
        to,
        as_of,
        received: states.len() as u64,
        completed_on_time,
        completed_late,
        open: count(|s| matches!(s, Standing::Open { .. })) as u64,
        open_overdue: count(|s| *s == Standing::Open { overdue: true }) as u64,
        failed: count(|s| *s == Standing::Failed) as u64,
        rejected: count(|s| *s == Standing::Rejected) as u64,
        actions_by_role: actions_by_role(&states),
        on_time_rate: rate(completed_on_time, completed_late),
        extensions: extensions(&states),
        exceptions_by_rule: exceptions_by_rule(&states),
        failures_by_system: failures_by_system(&states),
    }
}

impl Report {
    /// The report over two disjoint sets of requests of the same period and day, from the
    /// report over each: how a report over more requests than fit in memory is built.
    #[must_use]
    pub fn merge(mut self, other: Report) -> Report {
        self.received += other.received;
        self.completed_on_time += other.completed_on_time;
        self.completed_late += other.completed_late;
        self.open += other.open;
        self.open_overdue += other.open_overdue;
        self.failed += other.failed;
        self.rejected += other.rejected;
        self.on_time_rate = rate(self.completed_on_time, self.completed_late);
        self.extensions.extend(other.extensions);
        self.extensions
            .sort_by(|a, b| a.request_id.cmp(&b.request_id));
        let mut rules: BTreeMap<String, RuleLine> = std::mem::take(&mut self.exceptions_by_rule)
            .into_iter()
            .map(|l| (l.rule_id.clone(), l))
            .collect();
        for line in other.exceptions_by_rule {
            match rules.get_mut(&line.rule_id) {
                Some(mine) => {
                    mine.requests += line.requests;
                    mine.items += line.items;
                    mine.running += line.running;
                    mine.latest_until = mine.latest_until.max(line.latest_until);
                }
                None => {
                    rules.insert(line.rule_id.clone(), line);
                }
            }
        }
        self.exceptions_by_rule = rules.into_values().collect();
        let mut failed: BTreeMap<String, u64> = std::mem::take(&mut self.failures_by_system)
            .into_iter()
            .map(|l| (l.system_id, l.failed_tasks))
            .collect();
        for line in other.failures_by_system {
            *failed.entry(line.system_id).or_default() += line.failed_tasks;
        }
        self.failures_by_system = failed
            .into_iter()
            .map(|(system_id, failed_tasks)| SystemLine {
                system_id,
                failed_tasks,
            })
            .collect();
        for (role, n) in other.actions_by_role {
            *self.actions_by_role.entry(role).or_default() += n;
        }
        self
    }
}

/// Received on a day from `from` to `to`, both included.
fn in_period(state: &RequestState, from: NaiveDate, to: NaiveDate) -> bool {
    (from..=to).contains(&state.received.received_at.date_naive())
}

/// Where one request stands in the figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    OnTime,
    Late,
    Open { overdue: bool },
    Failed,
    Rejected,
}

fn standing(state: &RequestState, as_of: NaiveDate) -> Standing {
    let deadline = state.deadline();
    match state.status {
        RequestStatus::Completed => {
            // A completion without a time cannot be shown to be on time.
            let on_time = state
                .completed_at
                .is_some_and(|at| at.date_naive() <= deadline);
            if on_time {
                Standing::OnTime
            } else {
                Standing::Late
            }
        }
        RequestStatus::InProgress => Standing::Open {
            overdue: state.overdue || deadline < as_of,
        },
        RequestStatus::Failed => Standing::Failed,
        RequestStatus::Rejected => Standing::Rejected,
    }
}

fn actions_by_role(states: &[&RequestState]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    let actors = states.iter().flat_map(|s| {
        let refusal = s.refusal.as_ref().map(|r| &r.by);
        let extension = s.extension.as_ref().map(|e| &e.by);
        std::iter::once(&s.received.submitted_by)
            .chain(refusal)
            .chain(extension)
            .chain(s.retries.iter().map(|r| &r.by))
    });
    for actor in actors {
        let role = actor.role.map_or("unauthenticated", |r| r.as_str());
        *counts.entry(role.to_owned()).or_insert(0) += 1;
    }
    counts
}

/// The share completed on time, when any completed.
fn rate(on_time: u64, late: u64) -> Option<f64> {
    let completed = on_time + late;
    (completed > 0).then(|| on_time as f64 / completed as f64)
}

fn extensions(states: &[&RequestState]) -> Vec<ExtensionLine> {
    let mut lines: Vec<ExtensionLine> = states
        .iter()
        .filter_map(|s| {
            s.extension.as_ref().map(|e| ExtensionLine {
                request_id: s.received.request_id.to_string(),
                months: e.months,
                reason: e.reason.clone(),
                original_deadline: s.received.deadline,
                deadline: e.deadline,
            })
        })
        .collect();
    lines.sort_by(|a, b| a.request_id.cmp(&b.request_id));
    lines
}

fn exceptions_by_rule(states: &[&RequestState]) -> Vec<RuleLine> {
    let mut lines: BTreeMap<&str, RuleLine> = BTreeMap::new();
    for state in states {
        let mut rules_of_request = BTreeSet::new();
        for (hold, running) in every_hold(state) {
            let line = lines
                .entry(hold.rule_id.as_str())
                .or_insert_with(|| empty_rule_line(hold));
            if rules_of_request.insert(hold.rule_id.as_str()) {
                line.requests += 1;
            }
            line.items += hold.items;
            line.running += u64::from(running);
            line.latest_until = line.latest_until.max(hold.retained_until);
        }
    }
    lines.into_values().collect()
}

/// Running holds (`true`) then ended ones (`false`).
fn every_hold(state: &RequestState) -> impl Iterator<Item = (&Hold, bool)> {
    let running = state.holds().map(|h| (h, true));
    running.chain(state.past_holds.iter().map(|h| (h, false)))
}

fn empty_rule_line(hold: &Hold) -> RuleLine {
    RuleLine {
        rule_id: hold.rule_id.clone(),
        requests: 0,
        items: 0,
        running: 0,
        latest_until: hold.retained_until,
    }
}

fn failures_by_system(states: &[&RequestState]) -> Vec<SystemLine> {
    let mut failed: BTreeMap<&str, u64> = BTreeMap::new();
    let tasks = states.iter().flat_map(|s| s.tasks.values());
    for task in tasks.filter(|t| t.status == TaskStatus::Failed) {
        *failed.entry(task.system_id.as_str()).or_default() += 1;
    }
    failed
        .into_iter()
        .map(|(system_id, failed_tasks)| SystemLine {
            system_id: system_id.to_owned(),
            failed_tasks,
        })
        .collect()
}
