//! The query view: every request's state, folded from the global event log and kept in
//! step by tailing it from the last position seen. Serves `List`, the open manual tasks,
//! replays, and wakes `Watch`.

use crate::codec;
use crate::error::CoordinatorError;
use crate::replays::{ReplayJob, is_replay_stream};
use chrono::{DateTime, Days, NaiveDate, Utc};
use erasure_core::state::TaskState;
use erasure_core::{Event, RequestState, RequestStatus, SystemId, TaskStatus};
use erasure_proto::v1 as pb;
use erasure_store::{EventStore, RecordedEvent};
use prost::Message as _;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{Notify, watch};

const PAGE: usize = 1000;

#[derive(Default)]
struct View {
    states: HashMap<String, RequestState>,
    /// The position of the last event applied to each request, so a watcher can tell
    /// whether its request changed without copying its state.
    last_change: HashMap<String, u64>,
    replays: HashMap<String, ReplayJob>,
    position: u64,
}

/// Which requests to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<RequestStatus>,
    /// In progress and past the deadline (as of `today`).
    pub overdue: bool,
    /// In progress and due within this many days of `today`.
    pub due_within_days: Option<u32>,
    pub today: Option<NaiveDate>,
}

impl Filter {
    fn matches(&self, s: &RequestState) -> bool {
        if self.status.is_some_and(|st| s.status != st) {
            return false;
        }
        let today = self.today.unwrap_or(NaiveDate::MIN);
        let in_progress = s.status == RequestStatus::InProgress;
        if self.overdue && !(in_progress && (s.overdue || s.deadline() < today)) {
            return false;
        }
        if let Some(days) = self.due_within_days {
            let horizon = today
                .checked_add_days(Days::new(u64::from(days)))
                .unwrap_or(NaiveDate::MAX);
            if !(in_progress && s.deadline() <= horizon) {
                return false;
            }
        }
        true
    }
}

/// A page of requests, newest first.
#[derive(Debug, Clone)]
pub struct Page {
    pub requests: Vec<RequestState>,
    pub next_token: Option<String>,
}

pub struct Projection {
    events: Arc<dyn EventStore>,
    /// Woken by appends of this process.
    appended: Arc<Notify>,
    view: RwLock<View>,
    /// The last position applied; `Watch` waits on it.
    caught_up: watch::Sender<u64>,
    /// The transparency log, given every page read, so the event log is tailed once.
    log: std::sync::OnceLock<Arc<crate::transparency::TransparencyLog>>,
}

impl std::fmt::Debug for Projection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Projection")
            .field("position", &*self.caught_up.borrow())
            .finish()
    }
}

impl Projection {
    pub fn new(events: Arc<dyn EventStore>, appended: Arc<Notify>) -> Arc<Self> {
        Arc::new(Self {
            events,
            appended,
            view: RwLock::default(),
            caught_up: watch::channel(0).0,
            log: std::sync::OnceLock::new(),
        })
    }

    /// Shares every page of the event log this projection reads with `log`, from now on.
    pub fn share_with(&self, log: Arc<crate::transparency::TransparencyLog>) {
        let _ = self.log.set(log);
    }

    /// A receiver that changes whenever new events were applied.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.caught_up.subscribe()
    }

    /// Applies every event recorded so far; returns how many.
    pub async fn catch_up(&self) -> Result<usize, CoordinatorError> {
        let mut total = 0;
        loop {
            let after = self.read().position;
            let batch = self.events.read_all(after, PAGE).await?;
            if batch.is_empty() {
                return Ok(total);
            }
            if let Some(log) = self.log.get() {
                log.absorb(after, &batch);
            }
            total += batch.len();
            let mut view = self.view.write().unwrap_or_else(|p| p.into_inner());
            // Two catch-ups (the tailer and a `Watch`) may read the same page: what the
            // other applied first is skipped.
            let position = view.position;
            for recorded in batch.iter().filter(|r| r.position > position) {
                view.position = recorded.position;
                if crate::transparency::is_log_stream(&recorded.stream_id) {
                    continue;
                }
                if is_replay_stream(&recorded.stream_id) {
                    apply_replay(&mut view.replays, recorded);
                    continue;
                }
                match codec::decode(recorded) {
                    Ok(event) => {
                        apply(&mut view.states, &recorded.stream_id, &event);
                        if let Some(at) = view.last_change.get_mut(&recorded.stream_id) {
                            *at = recorded.position;
                        } else if view.states.contains_key(&recorded.stream_id) {
                            let id = recorded.stream_id.clone();
                            view.last_change.insert(id, recorded.position);
                        }
                    }
                    Err(e) => {
                        tracing::error!(stream = %recorded.stream_id, position = recorded.position, error = %e, "event skipped by the projection")
                    }
                }
            }
            let position = view.position;
            drop(view);
            self.caught_up.send_replace(position);
        }
    }

    /// Tails the log until `shutdown`, woken by appends of this process and by a poll
    /// (for appends of other processes).
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let woken = self.appended.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            if let Err(e) = self.catch_up().await {
                tracing::warn!(error = %e, "projection cannot read the event log; retrying");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = &mut woken => {}
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, View> {
        self.view.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The period report over the requests received from `from` to `to`.
    pub fn report(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> erasure_core::report::Report {
        erasure_core::report::build(self.read().states.values(), from, to, as_of)
    }

    /// How many requests are in each state, and how many in progress are overdue as of
    /// `today` (the metrics read it at collection).
    pub fn counts(&self, today: NaiveDate) -> (Vec<(RequestStatus, u64)>, u64) {
        let view = self.read();
        let mut counts = [
            RequestStatus::InProgress,
            RequestStatus::Completed,
            RequestStatus::Failed,
            RequestStatus::Rejected,
        ]
        .map(|s| (s, 0));
        let mut overdue = 0;
        for s in view.states.values() {
            if let Some((_, n)) = counts.iter_mut().find(|(st, _)| *st == s.status) {
                *n += 1;
            }
            let in_progress = s.status == RequestStatus::InProgress;
            overdue += u64::from(in_progress && (s.overdue || s.deadline() < today));
        }
        (counts.to_vec(), overdue)
    }

    pub fn get(&self, request_id: &str) -> Option<RequestState> {
        self.read().states.get(request_id).cloned()
    }

    /// The position of the last event applied to the request, if it is known.
    pub fn last_change(&self, request_id: &str) -> Option<u64> {
        self.read().last_change.get(request_id).copied()
    }

    /// Ids of the requests with a timer due at `now` under `policy`.
    pub fn due(&self, now: DateTime<Utc>, policy: &erasure_core::decide::Policy) -> Vec<String> {
        let (warnings, shred) = (&policy.warn_before_days, policy.shred_identifiers_after);
        self.read()
            .states
            .iter()
            .filter(|(_, s)| s.next_timer(warnings, shred).is_some_and(|t| t <= now))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Requests whose erasure one of `systems` finished at or after `since` (a system
    /// restored from a backup taken then has the person back), oldest first.
    pub fn replay_candidates(&self, since: DateTime<Utc>, systems: &[SystemId]) -> Vec<String> {
        let view = self.read();
        let mut found: Vec<(DateTime<Utc>, String)> = view
            .states
            .values()
            .filter_map(|s| {
                let latest = s
                    .tasks
                    .values()
                    .filter(|t| systems.contains(&t.system_id) && !t.manual && !t.asked_last)
                    .filter(|t| t.status == TaskStatus::Done)
                    .filter_map(|t| t.last_ack.as_ref().map(|a| a.at))
                    .filter(|at| *at >= since)
                    .max()?;
                Some((latest, s.received.request_id.to_string()))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, id)| id).collect()
    }

    pub fn replay(&self, replay_id: &str) -> Option<ReplayJob> {
        self.read().replays.get(replay_id).cloned()
    }

    /// Replays whose dispatch has not finished.
    pub fn unfinished_replays(&self) -> Vec<String> {
        let view = self.read();
        let mut ids: Vec<&ReplayJob> = view
            .replays
            .values()
            .filter(|j| j.finished.is_none())
            .collect();
        ids.sort_by_key(|j| j.started_at);
        ids.into_iter().map(|j| j.replay_id.clone()).collect()
    }

    /// Manual tasks waiting for an operator, oldest first, with their request.
    pub fn open_manual_tasks(&self) -> Vec<(RequestState, TaskState)> {
        let view = self.read();
        let mut open: Vec<(RequestState, TaskState)> = view
            .states
            .values()
            .filter(|s| s.status != RequestStatus::Rejected)
            .flat_map(|s| {
                s.tasks
                    .values()
                    .filter(|t| t.manual && t.status == TaskStatus::Pending && t.attempt > 0)
                    .map(move |t| (s.clone(), t.clone()))
            })
            .collect();
        open.sort_by(|(a, x), (b, y)| {
            (x.opened_at, &a.received.request_id).cmp(&(y.opened_at, &b.received.request_id))
        });
        open
    }

    /// The ids of the requests whose `RequestReceived.blind_index` holds `index`.
    pub fn with_blind_index(&self, index: &[u8]) -> Vec<String> {
        self.read()
            .states
            .values()
            .filter(|s| s.received.blind_index.iter().any(|b| b == index))
            .map(|s| s.received.request_id.to_string())
            .collect()
    }

    /// Requests matching `filter`, newest first, `page_size` at a time.
    /// The token is the sort key of the last request returned.
    pub fn list(
        &self,
        filter: &Filter,
        page_size: usize,
        token: Option<&str>,
    ) -> Result<Page, CoordinatorError> {
        let after = token.map(parse_token).transpose()?;
        let view = self.read();
        let mut matching: Vec<&RequestState> =
            view.states.values().filter(|s| filter.matches(s)).collect();
        matching.sort_by(|a, b| sort_key(b).cmp(&sort_key(a)));
        let requests: Vec<RequestState> = matching
            .into_iter()
            .filter(|s| {
                after
                    .as_ref()
                    .is_none_or(|a| sort_key(s) < (a.0, a.1.as_str()))
            })
            .take(page_size + 1)
            .cloned()
            .collect();
        let more = requests.len() > page_size;
        let requests: Vec<RequestState> = requests.into_iter().take(page_size).collect();
        let next_token = more.then(|| requests.last().map(token_of)).flatten();
        Ok(Page {
            requests,
            next_token,
        })
    }
}

fn apply(states: &mut HashMap<String, RequestState>, stream: &str, event: &Event) {
    match states.get_mut(stream) {
        Some(state) => state.apply(event),
        None => {
            if let Some(state) = RequestState::replay([event]) {
                states.insert(stream.to_owned(), state);
            }
        }
    }
}

/// A replay stream's events: the job, then its end.
fn apply_replay(replays: &mut HashMap<String, ReplayJob>, recorded: &RecordedEvent) {
    let Some(id) = ReplayJob::id_of_stream(&recorded.stream_id) else {
        return;
    };
    let payload = recorded.payload.as_slice();
    match recorded.event_type.as_str() {
        "ReplayStarted" => match pb::ReplayStarted::decode(payload) {
            Ok(e) => {
                replays.insert(id.to_owned(), ReplayJob::started(id, e));
            }
            Err(_) => tracing::error!(stream = %recorded.stream_id, "undecodable ReplayStarted"),
        },
        "ReplayFinished" => {
            if let (Ok(e), Some(job)) = (pb::ReplayFinished::decode(payload), replays.get_mut(id)) {
                job.finished = Some((e.dispatched, e.skipped));
            }
        }
        other => {
            tracing::error!(stream = %recorded.stream_id, event = other, "unknown replay event")
        }
    }
}

fn sort_key(s: &RequestState) -> (DateTime<Utc>, &str) {
    (s.received.received_at, s.received.request_id.as_str())
}

/// The page token that continues a list after `s`.
pub(crate) fn token_of(s: &RequestState) -> String {
    format!(
        "{}/{}",
        s.received.received_at.timestamp_millis(),
        s.received.request_id
    )
}

fn parse_token(token: &str) -> Result<(DateTime<Utc>, String), CoordinatorError> {
    let bad = || CoordinatorError::Invalid("invalid page token".into());
    let (ms, id) = token.split_once('/').ok_or_else(bad)?;
    let ms: i64 = ms.parse().map_err(|_| bad())?;
    Ok((
        DateTime::from_timestamp_millis(ms).ok_or_else(bad)?,
        id.to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use erasure_core::events::RequestReceived;

    fn request(received: &str, completed: bool) -> RequestState {
        let at = NaiveDate::parse_from_str(received, "%Y-%m-%d")
            .expect("date")
            .and_hms_opt(9, 0, 0)
            .expect("time")
            .and_utc();
        let mut events = vec![Event::RequestReceived(RequestReceived {
            disclose_recipients: false,
            submitted_by: Default::default(),
            request_id: received.into(),
            received_at: at,
            deadline: erasure_core::deadline::deadline_for(at.date_naive()),
            jurisdiction: "FI".into(),
            channel: "phone".into(),
            verified_by: "agent".into(),
            scope: vec![],
            sealed_identifiers: vec![],
            blind_index: vec![],
            idempotency_key_hash: vec![],
            identifier_commitment: vec![],
            controller: None,
        })];
        if completed {
            events.push(Event::RequestCompleted { at });
        }
        RequestState::replay(&events).expect("state")
    }

    fn today(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    #[test]
    fn overdue_and_due_within_filter_requests_in_progress_by_their_deadline() {
        // Due 2026-12-22, 2027-01-10 and (completed) 2026-12-01.
        let late = request("2026-11-22", false);
        let later = request("2026-12-10", false);
        let done = request("2026-11-01", true);
        let pick = |f: Filter| {
            [&late, &later, &done]
                .into_iter()
                .filter(|s| f.matches(s))
                .map(|s| s.received.request_id.to_string())
                .collect::<Vec<_>>()
        };
        let overdue = |day| Filter {
            overdue: true,
            today: today(day),
            ..Filter::default()
        };
        assert!(
            pick(overdue("2026-12-22")).is_empty(),
            "due today is not late"
        );
        assert_eq!(pick(overdue("2026-12-23")), ["2026-11-22"]);
        assert_eq!(pick(overdue("2027-02-01")), ["2026-11-22", "2026-12-10"]);
        let within = |days, day| Filter {
            due_within_days: Some(days),
            today: today(day),
            ..Filter::default()
        };
        assert_eq!(pick(within(7, "2026-12-15")), ["2026-11-22"]);
        assert_eq!(pick(within(30, "2026-12-15")), ["2026-11-22", "2026-12-10"]);
        assert!(pick(within(7, "2026-11-22")).is_empty());
    }
}
