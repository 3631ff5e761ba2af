//! The query view: every request, folded from the global event log and kept in step by
//! tailing it from the last position seen. Serves `List`, the open manual tasks, the
//! timers, the period report and replays, and wakes `Watch`.
//!
//! It is compact, so memory does not grow with what each request went through: of every
//! request it keeps a summary of under a hundred bytes (what `List` filters and sorts on,
//! its next timer, its last change). Full states are kept only for requests in progress or
//! waiting for an operator, and for the last few hundred settled ones touched. Everything
//! else is read on demand through [`Streams`]: a `List` page, a report, the replay
//! candidates, and a settled request that changes again (a hold ending, a retry).

use crate::codec;
use crate::error::CoordinatorError;
use crate::replays::{ReplayJob, is_replay_stream};
use crate::streams::Streams;
use chrono::{DateTime, Days, NaiveDate, Utc};
use erasure_core::decide::Policy;
use erasure_core::state::TaskState;
use erasure_core::{Event, RequestState, RequestStatus, SystemId, TaskStatus};
use erasure_proto::v1 as pb;
use erasure_store::RecordedEvent;
use futures::{StreamExt as _, TryStreamExt as _};
use hashlink::LruCache;
use prost::Message as _;
use sha2::{Digest as _, Sha256};
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::watch;

const PAGE: usize = 1000;
/// Settled requests whose full state stays after their last change, so what soon follows
/// a completion (its certificate) applies without a read.
const RECENT: usize = 512;
/// Requests read from the store at a time, for a report, a `List` page or replays.
const READS_IN_FLIGHT: usize = 16;
/// Requests a report holds at a time.
const REPORT_CHUNK: usize = 1000;

/// What the projection keeps of every request.
#[derive(Clone, Copy, Debug)]
struct Summary {
    /// The request id: its 16 bytes when it is a UUID (as the coordinator issues them),
    /// else the first 16 bytes of its SHA-256, with the text in [`View::texts`].
    key: [u8; 16],
    received_ms: i64,
    deadline: NaiveDate,
    status: RequestStatus,
    /// Marked overdue by its `RequestOverdue` event.
    overdue: bool,
    /// A manual task waits for an operator.
    manual_open: bool,
    /// When its next timer fires (ms since the epoch), `i64::MAX` when none is set.
    next_timer_ms: i64,
    /// When a connector last finished erasing for it (ms), `i64::MIN` when none did: the
    /// replay candidates since a time are among the requests with one at or after it.
    last_done_ms: i64,
    /// The position of the last event applied, so a watcher can tell whether its request
    /// changed without copying its state.
    last_change: u64,
    /// Its systems, a bit each, by [`View::systems`]; [`OTHER_SYSTEMS`] for any beyond.
    systems: u64,
}

/// The bit of every system past the first 63 a projection has seen: such a request may
/// have the system asked for, and is read to tell.
const OTHER_SYSTEMS: u64 = 1 << 63;

impl Summary {
    fn new(key: [u8; 16], state: &RequestState, policy: &Policy, position: u64) -> Self {
        let mut summary = Self {
            key,
            received_ms: state.received.received_at.timestamp_millis(),
            deadline: state.deadline(),
            status: state.status,
            overdue: false,
            manual_open: false,
            next_timer_ms: i64::MAX,
            last_done_ms: i64::MIN,
            last_change: position,
            systems: 0,
        };
        summary.refresh(state, policy);
        summary
    }

    fn refresh(&mut self, state: &RequestState, policy: &Policy) {
        self.deadline = state.deadline();
        self.status = state.status;
        self.overdue = state.overdue;
        self.manual_open = state.status != RequestStatus::Rejected
            && state
                .tasks
                .values()
                .any(|t| t.manual && t.status == TaskStatus::Pending && t.attempt > 0);
        self.next_timer_ms = state
            .next_timer(&policy.warn_before_days, policy.shred_identifiers_after)
            .map_or(i64::MAX, |t| t.timestamp_millis());
        self.last_done_ms =
            finished_by_connectors(state, |_| true).map_or(i64::MIN, |t| t.timestamp_millis());
    }

    fn in_progress(&self) -> bool {
        self.status == RequestStatus::InProgress
    }

    /// Its full state stays in memory: it is still moving.
    fn active(&self) -> bool {
        self.in_progress() || self.manual_open
    }

    fn late(&self, today: NaiveDate) -> bool {
        self.in_progress() && (self.overdue || self.deadline < today)
    }

    fn received_on(&self) -> NaiveDate {
        DateTime::from_timestamp_millis(self.received_ms).map_or(NaiveDate::MIN, |t| t.date_naive())
    }
}

/// When a connector last finished erasing for the request in one of the `systems` it
/// accepts: the request is a replay candidate since any time up to then.
fn finished_by_connectors(
    state: &RequestState,
    systems: impl Fn(&SystemId) -> bool,
) -> Option<DateTime<Utc>> {
    state
        .tasks
        .values()
        .filter(|t| systems(&t.system_id) && !t.manual && !t.asked_last)
        .filter(|t| t.status == TaskStatus::Done)
        .filter_map(|t| t.last_ack.as_ref().map(|a| a.at))
        .max()
}

/// The key a request id is kept under.
fn key_of(id: &str) -> ([u8; 16], bool) {
    if let Ok(uuid) = uuid::Uuid::try_parse(id) {
        let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        if uuid.hyphenated().encode_lower(&mut text) == id {
            return (*uuid.as_bytes(), true);
        }
    }
    let mut key = [0u8; 16];
    key.copy_from_slice(&Sha256::digest(id.as_bytes())[..16]);
    (key, false)
}

/// A key's hash: keys are random (UUID v4 or v8 from an HMAC, or SHA-256 bytes), so their
/// first eight bytes hash them well.
fn bucket(key: &[u8; 16]) -> u64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&key[..8]);
    u64::from_le_bytes(first)
}

/// A full state with the stream version it was folded at.
type Full = (RequestState, u64);

struct View {
    summaries: Vec<Summary>,
    /// Slots by request id: a table of 4-byte slots hashed by and compared on the
    /// summaries' keys.
    slots: hashbrown::HashTable<u32>,
    /// The ids that are not UUIDs, by slot.
    texts: HashMap<u32, Box<str>>,
    /// Slots by (received, request id), oldest first.
    order: Vec<u32>,
    /// Full states of the requests in progress or waiting for an operator.
    active: HashMap<u32, Full>,
    /// Full states of the settled requests touched last.
    recent: LruCache<u32, Full>,
    /// Requests that changed while their full state was not held: read before the
    /// projection says it caught up.
    stale: BTreeSet<u32>,
    replays: HashMap<String, ReplayJob>,
    position: u64,
    /// The systems seen, in the order first seen: bit `i` of a summary's `systems` is
    /// `systems[i]`.
    systems: Vec<SystemId>,
    /// Requests by the first four bytes of each blind index they were received with (a
    /// search for a person); later requests with the same four bytes in `more_blind`.
    /// Candidates only: a request found is read and its blind indexes compared.
    blind: HashMap<u32, u32>,
    more_blind: HashMap<u32, Vec<u32>>,
}

impl Default for View {
    fn default() -> Self {
        Self {
            summaries: Vec::new(),
            slots: hashbrown::HashTable::new(),
            texts: HashMap::new(),
            order: Vec::new(),
            active: HashMap::new(),
            recent: LruCache::new(RECENT),
            stale: BTreeSet::new(),
            replays: HashMap::new(),
            position: 0,
            systems: Vec::new(),
            blind: HashMap::new(),
            more_blind: HashMap::new(),
        }
    }
}

impl View {
    fn slot(&self, id: &str) -> Option<u32> {
        let key = key_of(id).0;
        let summaries = &self.summaries;
        let found = self
            .slots
            .find(bucket(&key), |&s| summaries[s as usize].key == key);
        found.copied()
    }

    fn summary(&self, id: &str) -> Option<&Summary> {
        self.slot(id).map(|slot| &self.summaries[slot as usize])
    }

    fn id(&self, slot: u32) -> Cow<'_, str> {
        match self.texts.get(&slot) {
            Some(text) => Cow::Borrowed(text),
            None => {
                let key = self.summaries[slot as usize].key;
                Cow::Owned(uuid::Uuid::from_bytes(key).hyphenated().to_string())
            }
        }
    }

    /// `List` order: by when received, then by id.
    fn sort_key(&self, slot: u32) -> (i64, Cow<'_, str>) {
        (self.summaries[slot as usize].received_ms, self.id(slot))
    }

    fn held(&self, slot: u32) -> Option<&Full> {
        self.active.get(&slot).or_else(|| self.recent.peek(&slot))
    }

    fn take(&mut self, slot: u32) -> Option<Full> {
        self.active
            .remove(&slot)
            .or_else(|| self.recent.remove(&slot))
    }

    /// Keeps a request's full state, refreshing its summary from it.
    fn keep(&mut self, slot: u32, full: Full, policy: &Policy) {
        let systems = full.0.tasks.keys().fold(0, |m, s| m | self.add_system(s));
        let summary = &mut self.summaries[slot as usize];
        summary.refresh(&full.0, policy);
        summary.systems = systems;
        if summary.active() {
            self.active.insert(slot, full);
        } else {
            self.recent.insert(slot, full);
        }
    }

    /// The bit of `system`; 0 for a system no request has.
    fn system_bit(&self, system: &SystemId) -> u64 {
        match self.systems.iter().position(|s| s == system) {
            Some(i) if i < 63 => 1 << i,
            Some(_) => OTHER_SYSTEMS,
            None => 0,
        }
    }

    /// The bit of `system`, given the next one if it is new.
    fn add_system(&mut self, system: &SystemId) -> u64 {
        if !self.systems.contains(system) {
            self.systems.push(system.clone());
        }
        self.system_bit(system)
    }

    fn blind_key(index: &[u8]) -> u32 {
        let mut first = [0u8; 4];
        let n = index.len().min(4);
        first[..n].copy_from_slice(&index[..n]);
        u32::from_le_bytes(first)
    }

    /// The requests that may have been received with one of `indexes`.
    fn with_blind_indexes(&self, indexes: &[Vec<u8>]) -> HashSet<u32> {
        let mut found = HashSet::new();
        for key in indexes.iter().map(|i| Self::blind_key(i)) {
            found.extend(self.blind.get(&key));
            found.extend(self.more_blind.get(&key).into_iter().flatten());
        }
        found
    }

    fn insert(&mut self, recorded: &RecordedEvent, state: RequestState, policy: &Policy) {
        let (key, uuid) = key_of(&recorded.stream_id);
        let slot = self.summaries.len() as u32;
        self.summaries
            .push(Summary::new(key, &state, policy, recorded.position));
        let summaries = &self.summaries;
        let rehash = |&s: &u32| bucket(&summaries[s as usize].key);
        self.slots.insert_unique(bucket(&key), slot, rehash);
        if !uuid {
            self.texts.insert(slot, recorded.stream_id.as_str().into());
        }
        // Requests arrive in about the order they were received: nearly always last.
        let at = match self.order.last() {
            Some(&last) if self.sort_key(last) > self.sort_key(slot) => {
                let new = self.sort_key(slot);
                self.order.partition_point(|&s| self.sort_key(s) < new)
            }
            _ => self.order.len(),
        };
        self.order.insert(at, slot);
        for index in &state.received.blind_index {
            let key = Self::blind_key(index);
            match self.blind.entry(key) {
                Entry::Vacant(first) => {
                    first.insert(slot);
                }
                Entry::Occupied(_) => self.more_blind.entry(key).or_default().push(slot),
            }
        }
        self.keep(slot, (state, recorded.stream_version), policy);
    }

    /// Applies one event of a request stream.
    fn apply(&mut self, recorded: &RecordedEvent, event: &Event, policy: &Policy) {
        let Some(slot) = self.slot(&recorded.stream_id) else {
            // A request starts with its `RequestReceived`; other streams are not requests.
            if let Some(state) = RequestState::replay([event]) {
                self.insert(recorded, state, policy);
            }
            return;
        };
        self.summaries[slot as usize].last_change = recorded.position;
        match self.take(slot) {
            Some((mut state, version)) if recorded.stream_version == version + 1 => {
                state.apply(event);
                self.keep(slot, (state, recorded.stream_version), policy);
            }
            // Read from the store after this event was appended: folded already.
            Some(full) if recorded.stream_version <= full.1 => self.keep(slot, full, policy),
            // Not held (or a gap): read it from the store.
            _ => {
                self.stale.insert(slot);
            }
        }
    }
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
    /// Only requests with a task for this system.
    pub system: Option<SystemId>,
    /// Only requests of a person: received with one of these blind indexes.
    pub blind_indexes: Option<Vec<Vec<u8>>>,
}

impl Filter {
    /// Whether the full state has what the summary could only tell may be there: the
    /// system (past the first 63) and the blind index (past its first four bytes).
    fn confirms(&self, s: &RequestState) -> bool {
        let system = self
            .system
            .as_ref()
            .is_none_or(|id| s.tasks.contains_key(id));
        let person = self
            .blind_indexes
            .as_ref()
            .is_none_or(|wanted| s.received.blind_index.iter().any(|b| wanted.contains(b)));
        system && person
    }

    fn matches(&self, s: &Summary) -> bool {
        if self.status.is_some_and(|st| s.status != st) {
            return false;
        }
        let today = self.today.unwrap_or(NaiveDate::MIN);
        if self.overdue && !s.late(today) {
            return false;
        }
        if let Some(days) = self.due_within_days {
            let horizon = today
                .checked_add_days(Days::new(u64::from(days)))
                .unwrap_or(NaiveDate::MAX);
            if !(s.in_progress() && s.deadline <= horizon) {
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
    streams: Streams,
    /// For the timers each summary carries.
    policy: Arc<Policy>,
    view: RwLock<View>,
    /// One catch-up at a time: a page is applied once, and a request read because it
    /// changed is read before the next page.
    catching: tokio::sync::Mutex<()>,
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
    pub fn new(streams: Streams, policy: Arc<Policy>) -> Arc<Self> {
        Arc::new(Self {
            streams,
            policy,
            view: RwLock::default(),
            catching: tokio::sync::Mutex::new(()),
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
        let _one = self.catching.lock().await;
        // Requests a failed read left behind.
        self.read_stale().await?;
        let mut total = 0;
        loop {
            let after = self.read().position;
            let batch = self.streams.store().read_all(after, PAGE).await?;
            if batch.is_empty() {
                return Ok(total);
            }
            if let Some(log) = self.log.get() {
                log.absorb(after, &batch);
            }
            total += batch.len();
            let position = self.apply_page(&batch);
            self.read_stale().await?;
            self.caught_up.send_replace(position);
        }
    }

    /// Applies a page of the event log; returns the position it ends at.
    fn apply_page(&self, batch: &[RecordedEvent]) -> u64 {
        let mut view = self.write();
        for recorded in batch {
            view.position = recorded.position;
            if crate::transparency::is_log_stream(&recorded.stream_id) {
                continue;
            }
            if is_replay_stream(&recorded.stream_id) {
                apply_replay(&mut view.replays, recorded);
                continue;
            }
            match codec::decode(recorded) {
                Ok(event) => view.apply(recorded, &event, &self.policy),
                Err(e) => {
                    tracing::error!(stream = %recorded.stream_id, position = recorded.position, error = %e, "event skipped by the projection")
                }
            }
        }
        view.position
    }

    /// Reads the requests that changed while their state was not held.
    async fn read_stale(&self) -> Result<(), CoordinatorError> {
        loop {
            let next = {
                let view = self.read();
                let slot = view.stale.first().copied();
                slot.map(|slot| (slot, view.id(slot).into_owned()))
            };
            let Some((slot, id)) = next else {
                return Ok(());
            };
            let loaded = self.streams.load(&id).await?;
            let mut view = self.write();
            view.stale.remove(&slot);
            if let Some(full) = loaded {
                view.keep(slot, full, &self.policy);
            }
        }
    }

    /// Tails the log until `shutdown`, woken by appends of this process and by a poll
    /// (for appends of other processes).
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let woken = self.streams.appended().notified();
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

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, View> {
        self.view.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The requests' states, from memory when held, else from the store, in order.
    async fn states(&self, ids: Vec<String>) -> Result<Vec<RequestState>, CoordinatorError> {
        futures::stream::iter(ids)
            .map(|id| async move { self.state(&id).await })
            .buffered(READS_IN_FLIGHT)
            .try_filter_map(|s| async move { Ok(s) })
            .try_collect()
            .await
    }

    /// A request's state: held in memory, or read from the store.
    pub async fn state(&self, request_id: &str) -> Result<Option<RequestState>, CoordinatorError> {
        if let Some(state) = self.get(request_id) {
            return Ok(Some(state));
        }
        Ok(self.streams.load(request_id).await?.map(|(state, _)| state))
    }

    /// The period report over the requests received from `from` to `to`, read a chunk
    /// at a time.
    pub async fn report(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<erasure_core::report::Report, CoordinatorError> {
        // Slots, not ids: four bytes a request however long the period.
        let slots: Vec<u32> = {
            let view = self.read();
            let slots = view.order.iter().copied();
            slots
                .filter(|&s| (from..=to).contains(&view.summaries[s as usize].received_on()))
                .collect()
        };
        let mut report = erasure_core::report::build([], from, to, as_of);
        for chunk in slots.chunks(REPORT_CHUNK) {
            let ids = {
                let view = self.read();
                chunk.iter().map(|&s| view.id(s).into_owned()).collect()
            };
            let states = self.states(ids).await?;
            report = report.merge(erasure_core::report::build(&states, from, to, as_of));
        }
        Ok(report)
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
        for s in &view.summaries {
            if let Some((_, n)) = counts.iter_mut().find(|(st, _)| *st == s.status) {
                *n += 1;
            }
            overdue += u64::from(s.late(today));
        }
        (counts.to_vec(), overdue)
    }

    /// The request's state if the projection holds it in memory (in progress, waiting for
    /// an operator, or settled lately); [`Self::state`] reads the others.
    pub fn get(&self, request_id: &str) -> Option<RequestState> {
        let view = self.read();
        let slot = view.slot(request_id)?;
        view.held(slot).map(|(state, _)| state.clone())
    }

    /// The position of the last event applied to the request, if it is known.
    pub fn last_change(&self, request_id: &str) -> Option<u64> {
        self.read().summary(request_id).map(|s| s.last_change)
    }

    /// Ids of the requests with a timer due at `now`.
    pub fn due(&self, now: DateTime<Utc>) -> Vec<String> {
        let now = now.timestamp_millis();
        let view = self.read();
        let due = view.summaries.iter().enumerate();
        due.filter(|(_, s)| s.next_timer_ms <= now)
            .map(|(slot, _)| view.id(slot as u32).into_owned())
            .collect()
    }

    /// Requests whose erasure one of `systems` finished at or after `since` (a system
    /// restored from a backup taken then has the person back), oldest first.
    pub async fn replay_candidates(
        &self,
        since: DateTime<Utc>,
        systems: &[SystemId],
    ) -> Result<Vec<String>, CoordinatorError> {
        let since_ms = since.timestamp_millis();
        let maybe: Vec<String> = {
            let view = self.read();
            let slots = view.summaries.iter().enumerate();
            slots
                .filter(|(_, s)| s.last_done_ms >= since_ms)
                .map(|(slot, _)| view.id(slot as u32).into_owned())
                .collect()
        };
        let mut found: Vec<(DateTime<Utc>, String)> = self
            .states(maybe)
            .await?
            .into_iter()
            .filter_map(|s| {
                let latest = finished_by_connectors(&s, |id| systems.contains(id))?;
                (latest >= since).then(|| (latest, s.received.request_id.to_string()))
            })
            .collect();
        found.sort();
        Ok(found.into_iter().map(|(_, id)| id).collect())
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

    /// Manual tasks waiting for an operator, oldest first, with their request (held in
    /// memory: a request waiting for an operator is active).
    pub fn open_manual_tasks(&self) -> Vec<(RequestState, TaskState)> {
        let view = self.read();
        let mut open: Vec<(RequestState, TaskState)> = view
            .active
            .iter()
            .filter(|(slot, _)| view.summaries[**slot as usize].manual_open)
            .flat_map(|(_, (s, _))| {
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

    /// Requests matching `filter`, newest first, `page_size` at a time.
    /// The token is the sort key of the last request returned.
    pub async fn list(
        &self,
        filter: &Filter,
        page_size: usize,
        token: Option<&str>,
    ) -> Result<Page, CoordinatorError> {
        let after = token.map(parse_token).transpose()?;
        let ids: Vec<String> = {
            let view = self.read();
            let system = match &filter.system {
                Some(id) => view.system_bit(id),
                None => u64::MAX,
            };
            let person = filter
                .blind_indexes
                .as_ref()
                .map(|indexes| view.with_blind_indexes(indexes));
            let newest_first = view.order.iter().rev().copied();
            let before_token = newest_first.skip_while(|&s| {
                after.as_ref().is_some_and(|(ms, id)| {
                    view.sort_key(s) >= (ms.timestamp_millis(), Cow::Borrowed(id.as_str()))
                })
            });
            before_token
                .filter(|s| person.as_ref().is_none_or(|p| p.contains(s)))
                .filter(|&s| {
                    let summary = &view.summaries[s as usize];
                    summary.systems & system != 0 && filter.matches(summary)
                })
                .take(page_size + 1)
                .map(|s| view.id(s).into_owned())
                .collect()
        };
        let more = ids.len() > page_size;
        let mut requests = self
            .states(ids.into_iter().take(page_size).collect())
            .await?;
        let next_token = more.then(|| requests.last().map(token_of)).flatten();
        // Drops the rare candidate the summary could not tell from a match: the page is a
        // request short, and the token still continues after the last one looked at.
        requests.retain(|s| filter.confirms(s));
        Ok(Page {
            requests,
            next_token,
        })
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
                .filter(|s| f.matches(&Summary::new(key_of("x").0, s, &Policy::default(), 1)))
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
