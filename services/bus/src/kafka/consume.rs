//! One subscription's task: receive, hand to the handler, store the offset after its verdict.
//!
//! Messages with different keys are handled at the same time (up to [`MAX_IN_FLIGHT`]);
//! messages with the same key (one request's) one after another, in the order received.
//! A `Transient` verdict retries the same message in place, with a growing pause, until it
//! succeeds or the subscription closes: the later messages of its key wait behind it.
//!
//! A partition's offset is stored only up to the last message before which every message
//! was handled: `Ok` (its effects are durable) or `Permanent` (set aside, logged).
//! librdkafka commits stored offsets in the background and on close, so a message still
//! being handled, and every later one of its partition, is delivered again after a crash
//! or a rebalance.
//!
//! A handler retrying for longer than `max.poll.interval.ms` (5 minutes) makes the consumer
//! leave its group; its partitions move to another member (or back to this one on its next
//! receive) and the message is delivered again. Delivery is at least once; handlers are
//! idempotent.

use crate::{Handler, HandlerError, Message};
use rdkafka::Message as _;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Headers};
use rdkafka::types::RDKafkaErrorCode;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// First pause after a transient failure; doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Messages received and not yet handled, per subscription: beyond it, the subscription
/// stops receiving until one is done.
const MAX_IN_FLIGHT: usize = 64;

/// Where a message sits, to store its offset and to log it without its payload.
#[derive(Clone, Copy, Debug)]
struct Position {
    partition: i32,
    offset: i64,
}

/// A subscribed consumer, its handler and the subscription's close signal.
pub(crate) struct Consumption {
    pub(crate) consumer: StreamConsumer<super::lag::LagContext>,
    pub(crate) topic: String,
    pub(crate) handler: Arc<dyn Handler>,
    pub(crate) closed: watch::Receiver<bool>,
}

/// The messages being handled, those waiting behind their key, and the offsets done.
#[derive(Default)]
struct Flight {
    tasks: JoinSet<(String, Position, bool)>,
    /// Per key being handled, the messages received for it since.
    waiting: HashMap<String, VecDeque<(Message, Position)>>,
    /// Per partition, the offsets received and not yet handled.
    open: HashMap<i32, BTreeSet<i64>>,
    /// Per partition, the highest offset handled.
    handled: HashMap<i32, i64>,
    /// Per partition, the offset last stored.
    stored: HashMap<i32, i64>,
}

impl Flight {
    /// Messages received and not yet handled.
    fn len(&self) -> usize {
        self.open.values().map(BTreeSet::len).sum()
    }
}

impl Consumption {
    /// Runs until the subscription is closed, then lets the messages being handled finish
    /// (a retry stops at the close), commits and leaves the group.
    pub(crate) async fn run(mut self) {
        let mut flight = Flight::default();
        loop {
            let room = flight.len() < MAX_IN_FLIGHT;
            tokio::select! {
                received = self.next(), if room => match received {
                    None => break,
                    Some(Ok((message, at))) => self.admit(&mut flight, message, at),
                    Some(Err(e)) => {
                        if !self.after_error(&e).await {
                            break;
                        }
                    }
                },
                Some(done) = flight.tasks.join_next(), if !flight.tasks.is_empty() => {
                    self.finished(&mut flight, done);
                }
                // Full, and nothing in hand: what is left was stopped by the close.
                else => break,
            }
        }
        while let Some(done) = flight.tasks.join_next().await {
            self.finished(&mut flight, done);
        }
        close(self.consumer, self.topic).await;
    }

    /// Starts handling `message`, or queues it behind the message of its key in hand.
    fn admit(&self, flight: &mut Flight, message: Message, at: Position) {
        flight
            .open
            .entry(at.partition)
            .or_default()
            .insert(at.offset);
        match flight.waiting.get_mut(&message.key) {
            Some(queue) => queue.push_back((message, at)),
            None => {
                flight.waiting.insert(message.key.clone(), VecDeque::new());
                self.start(flight, message, at);
            }
        }
    }

    fn start(&self, flight: &mut Flight, message: Message, at: Position) {
        let delivery = Delivery {
            topic: self.topic.clone(),
            handler: Arc::clone(&self.handler),
            closed: self.closed.clone(),
        };
        flight.tasks.spawn(async move {
            let key = message.key.clone();
            let handled = delivery.deliver(message, at).await;
            (key, at, handled)
        });
    }

    /// After a message was handled (or the close stopped it): stores what can be
    /// stored, and starts the next message of its key.
    fn finished(
        &self,
        flight: &mut Flight,
        done: Result<(String, Position, bool), tokio::task::JoinError>,
    ) {
        let (key, at, handled) = match done {
            Ok(done) => done,
            Err(e) => {
                // A handler that panicked: its message stays unstored, so nothing after it
                // in its partition is stored either, and it is delivered again later.
                tracing::error!(topic = %self.topic, error = %e, "a message handler failed");
                return;
            }
        };
        if !handled {
            // Closed while retrying: the message and its key's queue stay unstored.
            return;
        }
        if let Some(open) = flight.open.get_mut(&at.partition) {
            open.remove(&at.offset);
        }
        let handled = flight.handled.entry(at.partition).or_insert(at.offset);
        *handled = (*handled).max(at.offset);
        let highest = *handled;
        // Everything received below the first open offset is handled (and what came
        // before the first received was stored by an earlier consumer).
        let storable = match flight.open.get(&at.partition).and_then(|o| o.first()) {
            Some(first_open) => (first_open - 1).min(highest),
            None => highest,
        };
        let stored = flight.stored.get(&at.partition).copied().unwrap_or(-1);
        if storable > stored {
            self.store(Position {
                partition: at.partition,
                offset: storable,
            });
            flight.stored.insert(at.partition, storable);
        }
        let next = flight.waiting.get_mut(&key).and_then(VecDeque::pop_front);
        match next {
            Some((message, at)) if !self.is_closed() => self.start(flight, message, at),
            _ => {
                flight.waiting.remove(&key);
            }
        }
    }

    /// librdkafka reconnects by itself; the pause only keeps a persistent error from
    /// turning into a busy loop. `false` if the subscription closed meanwhile.
    async fn after_error(&mut self, e: &KafkaError) -> bool {
        tracing::warn!(topic = %self.topic, error = %e, "kafka consumer error; retrying");
        self.pause(FIRST_BACKOFF).await
    }

    fn is_closed(&self) -> bool {
        *self.closed.borrow()
    }

    /// The next message, or `None` once the subscription is closed (checked first, so a
    /// closed subscription never starts another delivery).
    async fn next(&mut self) -> Option<Result<(Message, Position), KafkaError>> {
        let mut closed = self.closed.clone();
        tokio::select! {
            biased;
            _ = closed.wait_for(|c| *c) => None,
            received = self.consumer.recv() => {
                Some(received.map(|m| (to_message(&m), position(&m))))
            }
        }
    }

    /// Sleeps for `pause`; `false` if the subscription closed meanwhile.
    async fn pause(&mut self, pause: Duration) -> bool {
        tokio::select! {
            _ = self.closed.wait_for(|c| *c) => false,
            () = tokio::time::sleep(pause) => true,
        }
    }

    /// Stores `at`'s offset for the next commit. Failing (the partition was revoked by a
    /// rebalance meanwhile) only means the new owner delivers the message again.
    fn store(&self, at: Position) {
        if let Err(e) = self
            .consumer
            .store_offset(&self.topic, at.partition, at.offset)
        {
            tracing::warn!(topic = %self.topic, partition = at.partition, offset = at.offset,
                error = %e, "offset not stored; the message will be delivered again");
        }
    }
}

/// What one message's handling needs, apart from the consumer.
struct Delivery {
    topic: String,
    handler: Arc<dyn Handler>,
    closed: watch::Receiver<bool>,
}

impl Delivery {
    /// Hands `message` to the handler until it takes or refuses it for good; `false` when
    /// the subscription closed first (the offset stays unstored: delivered again later).
    async fn deliver(mut self, message: Message, at: Position) -> bool {
        let mut pause = FIRST_BACKOFF;
        loop {
            if *self.closed.borrow() {
                return false;
            }
            match self.handler.handle(message.clone()).await {
                Ok(()) => return true,
                Err(HandlerError::Permanent(reason)) => {
                    self.log_set_aside(at, &reason);
                    return true;
                }
                Err(HandlerError::Transient(reason)) => {
                    self.log_retry(at, &reason, pause);
                    tokio::select! {
                        _ = self.closed.wait_for(|c| *c) => return false,
                        () = tokio::time::sleep(pause) => {}
                    }
                    pause = (pause * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    fn log_retry(&self, at: Position, reason: &str, pause: Duration) {
        tracing::warn!(topic = %self.topic, partition = at.partition, offset = at.offset,
            reason, retry_in = ?pause, "handler failed transiently; retrying the same message");
    }

    fn log_set_aside(&self, at: Position, reason: &str) {
        tracing::error!(topic = %self.topic, partition = at.partition, offset = at.offset,
            reason, "handler refused the message for good; set aside, not retried");
    }
}

/// Commits what was stored and leaves the group. librdkafka's close blocks its thread (it
/// polls until the group is left), so it runs on the blocking pool.
async fn close(consumer: StreamConsumer<super::lag::LagContext>, topic: String) {
    let closing = tokio::task::spawn_blocking(move || {
        match consumer.commit_consumer_state(CommitMode::Sync) {
            Ok(()) | Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
            Err(e) => tracing::warn!(topic = %topic, error = %e,
                "final commit failed; the last messages will be delivered again"),
        }
        drop(consumer);
    });
    if let Err(e) = closing.await {
        tracing::warn!(error = %e, "closing a kafka consumer did not finish");
    }
}

fn position(m: &BorrowedMessage<'_>) -> Position {
    Position {
        partition: m.partition(),
        offset: m.offset(),
    }
}

/// Copies a record out of librdkafka's buffer. Keys and header values that are not UTF-8
/// (from a foreign producer) are converted lossily: the handler decides what it accepts.
fn to_message(m: &BorrowedMessage<'_>) -> Message {
    let headers = m
        .headers()
        .map(|h| {
            h.iter()
                .map(|h| (h.key.to_owned(), lossy(h.value)))
                .collect()
        })
        .unwrap_or_default();
    Message {
        topic: m.topic().to_owned(),
        key: lossy(m.key()),
        payload: m.payload().unwrap_or_default().to_vec(),
        headers,
    }
}

fn lossy(bytes: Option<&[u8]>) -> String {
    String::from_utf8_lossy(bytes.unwrap_or_default()).into_owned()
}
