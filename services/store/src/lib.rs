//! Persistence of the orchestrator: events, the outbox, per-request data keys.
//!
//! - [`EventStore`]: append-only streams with optimistic concurrency on
//!   (stream, version); the outbox rows of an append commit in the same transaction.
//! - [`Outbox`]: messages committed with events, waiting to be delivered by the relay.
//!   Delivered rows are deleted, so polling never depends on position order.
//! - [`KeyStore`]: wrapped per-request data keys, stored apart from the events so that
//!   destroying one erases the person from the whole history (crypto-shredding).
//! - [`sqlite`]: the embedded adapter.
//! - `postgres` (feature `postgres`): the distributed adapter.
//! - [`conformance`] (feature `test-util`): the suite every adapter passes.

#[cfg(feature = "test-util")]
pub mod conformance;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod sqlite;

use async_trait::async_trait;

/// An event to append. `payload` is the encoded protobuf message named by `event_type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub event_type: String,
    /// Schema version of the payload.
    pub version: u32,
    pub payload: Vec<u8>,
}

/// An event as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedEvent {
    /// Global position, increasing in commit order.
    pub position: u64,
    pub stream_id: String,
    /// 1 for the first event of a stream.
    pub stream_version: u64,
    pub event_type: String,
    pub version: u32,
    pub payload: Vec<u8>,
    /// Milliseconds since the Unix epoch, when the store committed it.
    pub recorded_at_ms: i64,
}

/// A message to deliver once the events appended with it are committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOutboxMessage {
    pub topic: String,
    pub key: String,
    pub payload: Vec<u8>,
    pub headers: Vec<(String, String)>,
    /// Not delivered before this time (milliseconds since the Unix epoch).
    pub available_at_ms: i64,
}

/// An outbox message waiting for delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub topic: String,
    pub key: String,
    pub payload: Vec<u8>,
    pub headers: Vec<(String, String)>,
    pub available_at_ms: i64,
    /// Failed delivery attempts so far.
    pub attempts: u32,
}

/// Events for one stream, appended only if the stream is at `expected_version`
/// (the number of events it holds; 0 for a new stream), with outbox messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendBatch {
    pub stream_id: String,
    pub expected_version: u64,
    pub events: Vec<NewEvent>,
    pub outbox: Vec<NewOutboxMessage>,
}

impl AppendBatch {
    /// Rejects what no store could take; returns the stream version after the append.
    pub(crate) fn version_after(&self) -> Result<u64, StoreError> {
        if self.events.is_empty() {
            return Err(StoreError::Invalid(format!(
                "append to stream {} has no events",
                self.stream_id
            )));
        }
        u64::try_from(self.events.len())
            .ok()
            .and_then(|n| self.expected_version.checked_add(n))
            .filter(|v| i64::try_from(*v).is_ok())
            .ok_or_else(|| StoreError::Invalid("stream version out of range".to_owned()))
    }

    /// The conflict this batch meets when its stream is at `actual`.
    pub(crate) fn conflict(&self, actual: u64) -> StoreError {
        StoreError::Conflict {
            stream_id: self.stream_id.clone(),
            expected: self.expected_version,
            actual,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Someone else appended first: reload the stream and decide again.
    #[error("stream {stream_id} is at version {actual}, not {expected}")]
    Conflict {
        stream_id: String,
        expected: u64,
        actual: u64,
    },
    /// The caller passed something the store cannot take (e.g. an empty batch).
    #[error("invalid request to the store: {0}")]
    Invalid(String),
    /// The database failed or cannot be reached.
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Appends atomically, with the batch's outbox messages, if the stream is at the
    /// expected version; returns the stream's new version.
    async fn append(&self, batch: AppendBatch) -> Result<u64, StoreError>;

    /// Every event of a stream, in version order; empty for an unknown stream.
    async fn read_stream(&self, stream_id: &str) -> Result<Vec<RecordedEvent>, StoreError> {
        self.read_stream_after(stream_id, 0).await
    }

    /// The events of a stream with a version greater than `after`, in version order: what
    /// a reader that has folded the first `after` events has not seen yet.
    async fn read_stream_after(
        &self,
        stream_id: &str,
        after: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// The stream's version: how many events it has (0 for an unknown stream).
    async fn stream_version(&self, stream_id: &str) -> Result<u64, StoreError>;

    /// Events with position greater than `after`, in position order, at most `limit`.
    /// A reader that tails with the last position it saw never skips an event.
    async fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError>;
}

#[async_trait]
pub trait Outbox: Send + Sync + 'static {
    /// Messages available at `now_ms`, oldest first, at most `limit`, leaving out the ids
    /// in `exclude` (those the caller is delivering already).
    async fn due(
        &self,
        now_ms: i64,
        limit: usize,
        exclude: &[i64],
    ) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Removes a delivered message.
    async fn delivered(&self, id: i64) -> Result<(), StoreError>;

    /// Removes delivered messages, in one write where the store can.
    async fn delivered_all(&self, ids: &[i64]) -> Result<(), StoreError> {
        for id in ids {
            self.delivered(*id).await?;
        }
        Ok(())
    }

    /// Counts a failed attempt and makes the message available again at `available_at_ms`.
    async fn retry_later(&self, id: i64, available_at_ms: i64) -> Result<(), StoreError>;

    /// Moves a message that can never be delivered aside, with the reason.
    async fn dead_letter(&self, id: i64, reason: &str) -> Result<(), StoreError>;

    /// Messages waiting (due or not), not counting dead letters.
    async fn pending(&self) -> Result<u64, StoreError>;

    /// The earliest `available_at_ms` of a waiting message.
    async fn next_available_at(&self) -> Result<Option<i64>, StoreError>;
}

#[async_trait]
pub trait KeyStore: Send + Sync + 'static {
    /// Stores a wrapped data key for the request unless it has one; returns the one stored.
    async fn put_key_if_absent(
        &self,
        request_id: &str,
        wrapped: &[u8],
    ) -> Result<Vec<u8>, StoreError>;

    /// The wrapped data key; `None` if there never was one or it was destroyed.
    async fn get_key(&self, request_id: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Destroys the key for good; `true` if there was one.
    async fn destroy_key(&self, request_id: &str) -> Result<bool, StoreError>;
}
