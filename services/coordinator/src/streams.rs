//! Request streams: reading and folding a request, appending a decision, and the command
//! loop every state change goes through (read the stream, fold it, decide, append at the
//! version read; on a conflict, because another writer got there first, read again).
//!
//! Folded states are carried by version: the last states folded stay in a bounded cache
//! with the version they were folded at, and a load reads only the events after that
//! version (one indexed query, usually empty). The store stays the authority: every load
//! asks it what is new, so a state appended by another process is never missed, and an
//! append at a version that is no longer current is a conflict as before.

use crate::clock::Clock;
use crate::codec;
use crate::effects::{log_events, outbox_messages};
use crate::error::CoordinatorError;
use chrono::{DateTime, Utc};
use erasure_core::{Decision, RequestState};
use erasure_store::{AppendBatch, EventStore, KeyStore, Outbox, StoreError};
use hashlink::LruCache;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::Notify;

/// Everything the coordinator persists, from one adapter.
pub trait Storage: EventStore + Outbox + KeyStore {}
impl<T: EventStore + Outbox + KeyStore> Storage for T {}

/// How often a write is tried again after losing a race for its stream's version.
pub const MAX_CONFLICT_RETRIES: usize = 20;

/// Folded request states kept: the requests in flight, with room to spare (a thousand
/// requests a second at 50 ms each is 50 in flight). A state is a few kilobytes, so this
/// bounds the cache to about ten megabytes.
const FOLDED_STATES: usize = 1024;

/// Request states by stream, with the number of events folded into each.
type Folded = Mutex<LruCache<String, (RequestState, u64)>>;

/// The event store, the clock decisions are made at, and the signal of every append.
#[derive(Clone)]
pub struct Streams {
    store: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    /// Woken after every append, so the relay, the projection and the log look at once.
    appended: Arc<Notify>,
    /// The last request states folded, shared by every clone.
    folded: Arc<Folded>,
}

impl std::fmt::Debug for Streams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Streams")
    }
}

impl Streams {
    pub fn new(store: Arc<dyn Storage>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            appended: Arc::new(Notify::new()),
            folded: Arc::new(Mutex::new(LruCache::new(FOLDED_STATES))),
        }
    }

    pub fn store(&self) -> &Arc<dyn Storage> {
        &self.store
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn appended(&self) -> &Arc<Notify> {
        &self.appended
    }

    /// A request's state with the version it is at: the state folded before, brought up
    /// to date with the events appended since, or the whole stream folded.
    pub async fn load(
        &self,
        request_id: &str,
    ) -> Result<Option<(RequestState, u64)>, CoordinatorError> {
        let folded = self.folded().get(request_id).cloned();
        let after = folded.as_ref().map_or(0, |(_, version)| *version);
        let recorded = self.store.read_stream_after(request_id, after).await?;
        if recorded.is_empty() {
            return Ok(folded);
        }
        let events = recorded
            .iter()
            .map(codec::decode)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| CoordinatorError::Internal(format!("stream {request_id}: {e}")))?;
        let version = after + recorded.len() as u64;
        let state = match folded {
            Some((mut state, _)) => {
                events.iter().for_each(|e| state.apply(e));
                state
            }
            None => match RequestState::replay(&events) {
                Some(state) => state,
                None => return Ok(None),
            },
        };
        self.keep(request_id, &state, version);
        Ok(Some((state, version)))
    }

    fn folded(&self) -> std::sync::MutexGuard<'_, LruCache<String, (RequestState, u64)>> {
        self.folded.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `state` at `version` unless a later version is kept already. Only states
    /// folded from stored events are kept (what a decision's events fold to before they
    /// are encoded may differ in precision from what the store gives back).
    fn keep(&self, request_id: &str, state: &RequestState, version: u64) {
        let mut folded = self.folded();
        if folded.peek(request_id).is_some_and(|(_, v)| *v >= version) {
            return;
        }
        folded.insert(request_id.to_owned(), (state.clone(), version));
    }

    pub async fn get(&self, request_id: &str) -> Result<RequestState, CoordinatorError> {
        self.load(request_id)
            .await?
            .map(|(s, _)| s)
            .ok_or_else(|| CoordinatorError::NotFound(request_id.to_owned()))
    }

    /// Appends a decision at `version`, its dispatches into the outbox in the same
    /// transaction. Returns the stream's new version.
    pub async fn append(
        &self,
        stream: &str,
        version: u64,
        decision: Decision,
    ) -> Result<u64, CoordinatorError> {
        if decision.events.is_empty() {
            return Ok(version);
        }
        let outbox = outbox_messages(stream, &decision.effects, self.now());
        let new_version = self
            .store
            .append(AppendBatch {
                stream_id: stream.to_owned(),
                expected_version: version,
                events: decision.events.iter().map(codec::encode).collect(),
                outbox,
            })
            .await?;
        self.appended.notify_waiters();
        log_events(&decision.events);
        Ok(new_version)
    }

    /// The command loop: reads the request, lets `decide` decide at the clock's time and
    /// appends, again on a conflict. Returns the state after the decision.
    pub async fn decide_on(
        &self,
        request_id: &str,
        decide: impl Fn(&RequestState, DateTime<Utc>) -> Result<Decision, CoordinatorError>,
    ) -> Result<RequestState, CoordinatorError> {
        let decide = &decide;
        retry_on_conflict("one request", || async move {
            let (state, version) = self
                .load(request_id)
                .await?
                .ok_or_else(|| CoordinatorError::NotFound(request_id.to_owned()))?;
            let decision = decide(&state, self.now())?;
            let next = state.after(&decision.events);
            self.append(request_id, version, decision).await?;
            Ok(next)
        })
        .await
    }
}

/// Runs `attempt` until it does not lose a race for a stream's version, at most
/// [`MAX_CONFLICT_RETRIES`] times; `what` names the contended stream in the error.
pub async fn retry_on_conflict<T, F, Fut>(what: &str, attempt: F) -> Result<T, CoordinatorError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, CoordinatorError>>,
{
    for _ in 0..MAX_CONFLICT_RETRIES {
        match attempt().await {
            Err(CoordinatorError::Store(StoreError::Conflict { .. })) => continue,
            other => return other,
        }
    }
    Err(CoordinatorError::Internal(format!(
        "too many concurrent writers on {what}"
    )))
}
