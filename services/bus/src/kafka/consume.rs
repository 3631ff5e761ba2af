//! One subscription's task: receive, hand to the handler, store the offset after its verdict.
//!
//! The offset of a message is stored only once the handler returned `Ok` (its effects are
//! durable) or `Permanent` (set aside, logged); librdkafka commits stored offsets in the
//! background and on close. A `Transient` verdict retries the same message in place, with
//! a growing pause, until it succeeds or the subscription closes: later messages of the
//! partition wait behind it, which keeps one request's messages in order.
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
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// First pause after a transient failure; doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

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

impl Consumption {
    /// Runs until the subscription is closed, then commits and leaves the group.
    pub(crate) async fn run(mut self) {
        while let Some(received) = self.next().await {
            let going_on = match received {
                Ok((message, at)) => self.deliver(message, at).await,
                Err(e) => self.after_error(&e).await,
            };
            if !going_on {
                break;
            }
        }
        close(self.consumer, self.topic).await;
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

    /// Hands `message` to the handler until it takes or refuses it for good; `false` when
    /// the subscription closed first (the offset stays unstored: delivered again later).
    async fn deliver(&mut self, message: Message, at: Position) -> bool {
        let mut pause = FIRST_BACKOFF;
        loop {
            if self.is_closed() {
                return false;
            }
            match self.handler.handle(message.clone()).await {
                Ok(()) => break,
                Err(HandlerError::Permanent(reason)) => {
                    self.log_set_aside(at, &reason);
                    break;
                }
                Err(HandlerError::Transient(reason)) => {
                    self.log_retry(at, &reason, pause);
                    if !self.pause(pause).await {
                        return false;
                    }
                    pause = (pause * 2).min(MAX_BACKOFF);
                }
            }
        }
        self.store(at);
        true
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
