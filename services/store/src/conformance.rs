//! The one conformance suite every adapter passes (feature `test-util`).
//!
//! Each case is a public async fn taking a fresh, empty store by reference and panicking
//! when the store misbehaves. An adapter's test file runs them all with
//! [`store_conformance!`](crate::store_conformance):
//!
//! ```text
//! erasure_store::store_conformance!(async { SqliteStore::open_in_memory().expect("open") });
//! ```
//!
//! The expression may also yield `(store, guard)`, where the guard (a temporary
//! directory, a database container) must outlive the store; see [`Fixture`].
//!
//! - `events`: appends, optimistic concurrency, reading a stream;
//! - `tailing`: global order and tailing `read_all` while writers append;
//! - `outbox`: outbox rows committed with events and the relay's calls;
//! - `keys`: the data key store.

mod events;
mod keys;
mod outbox;
mod tailing;

pub use events::*;
pub use keys::*;
pub use outbox::*;
pub use tailing::*;

use crate::{AppendBatch, EventStore, KeyStore, NewEvent, NewOutboxMessage, Outbox};

/// What [`store_conformance!`](crate::store_conformance) needs from its expression: a
/// store, or a store with whatever must live as long as it.
pub trait Fixture {
    type Store: EventStore + Outbox + KeyStore;
    fn store(&self) -> &Self::Store;
}

impl<S: EventStore + Outbox + KeyStore> Fixture for S {
    type Store = S;
    fn store(&self) -> &S {
        self
    }
}

impl<S: EventStore + Outbox + KeyStore, G> Fixture for (S, G) {
    type Store = S;
    fn store(&self) -> &S {
        &self.0
    }
}

/// Expands to one `#[tokio::test]` per conformance case; `$make` is an async expression
/// that yields a fresh [`Fixture`] for each test. The calling crate needs `tokio` with
/// the `macros` and `rt-multi-thread` features. Invoke it inside a module per adapter
/// configuration (`mod file { ... }`) to run the suite more than once in one file.
#[macro_export]
macro_rules! store_conformance {
    ($make:expr $(,)?) => {
        $crate::store_conformance!(@cases $make;
            appends_and_reads_a_stream,
            rejects_an_empty_batch,
            wrong_expected_version_is_a_conflict_and_changes_nothing,
            one_of_concurrent_appenders_wins,
            unknown_stream_reads_empty,
            read_all_is_in_position_order,
            tailing_in_small_pages_sees_every_event_once,
            tailing_while_writers_append_sees_every_event_once,
            outbox_messages_commit_with_their_events,
            due_respects_available_at_order_and_exclude,
            retry_later_delays_and_counts_attempts,
            delivered_removes_a_message,
            dead_letter_removes_from_pending,
            pending_and_next_available_at,
            headers_and_payloads_round_trip,
            put_key_if_absent_keeps_the_first_key,
            unknown_key_is_none,
            destroyed_key_is_gone,
        );
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let fixture = $make.await;
                $crate::conformance::$case($crate::conformance::Fixture::store(&fixture)).await;
            }
        )*
    };
}

fn event(event_type: &str, payload: &[u8]) -> NewEvent {
    NewEvent {
        event_type: event_type.to_owned(),
        version: 1,
        payload: payload.to_vec(),
    }
}

fn message(key: &str, available_at_ms: i64) -> NewOutboxMessage {
    NewOutboxMessage {
        topic: "erasure.requests".to_owned(),
        key: key.to_owned(),
        payload: key.as_bytes().to_vec(),
        headers: vec![(
            "content-type".to_owned(),
            "application/x-protobuf".to_owned(),
        )],
        available_at_ms,
    }
}

fn batch(
    stream_id: &str,
    expected_version: u64,
    events: Vec<NewEvent>,
    outbox: Vec<NewOutboxMessage>,
) -> AppendBatch {
    AppendBatch {
        stream_id: stream_id.to_owned(),
        expected_version,
        events,
        outbox,
    }
}

/// Appends each message (keys must be unique) with one event, in its own batch, to a
/// new stream; returns the messages' ids in the order given.
async fn append_messages<S: EventStore + Outbox>(
    s: &S,
    messages: Vec<NewOutboxMessage>,
) -> Vec<i64> {
    let keys: Vec<String> = messages.iter().map(|m| m.key.clone()).collect();
    for (v, m) in (0..).zip(messages) {
        s.append(batch("outbox-test", v, vec![event("Sent", b"")], vec![m]))
            .await
            .expect("append");
    }
    let all = s.due(i64::MAX, usize::MAX, &[]).await.expect("due");
    let id_of = |k: &String| all.iter().find(|m| &m.key == k).map(|m| m.id);
    keys.iter()
        .map(|k| id_of(k).expect("every appended message is due at the end of time"))
        .collect()
}
