//! Transport of work orders and acknowledgments between the coordinator and connectors.
//!
//! - [`Transport`]: send a [`Message`], subscribe a [`Handler`] to a topic.
//! - [`embedded`]: the in-process adapter. Durability comes from the coordinator's outbox:
//!   `send` returns only once the subscriber has handled the message, so a relay that marks
//!   an outbox row delivered after `send` returns never loses one.
//! - [`kafka`] (feature `kafka`): the adapter over Kafka. `send` returns once the broker
//!   acknowledged the record; a consumer stores its offset only after the handler's verdict.
//! - [`conformance`] (feature `test-util`): the suite every adapter passes.
//!
//! Delivery is at least once everywhere; handlers must be idempotent.

#[cfg(feature = "test-util")]
pub mod conformance;
pub mod embedded;
#[cfg(feature = "kafka")]
pub mod kafka;

use async_trait::async_trait;
use std::sync::Arc;

/// Topic names of the wire protocol.
pub mod topics {
    /// Signed acknowledgments from every connector.
    pub const ACKS: &str = "erasure.v1.acks";
    /// Connectors' answers to identity resolution (`SignedResolution`), keyed by request id.
    pub const RESOLUTIONS: &str = "erasure.v1.resolutions";

    /// Work orders for one system.
    pub fn work(system_id: &str) -> String {
        format!("erasure.v1.work.{system_id}")
    }
}

/// One message: key = request id, headers carry tracing context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub topic: String,
    pub key: String,
    pub payload: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Message {
    pub fn new(topic: impl Into<String>, key: impl Into<String>, payload: Vec<u8>) -> Self {
        Self {
            topic: topic.into(),
            key: key.into(),
            payload,
            headers: Vec::new(),
        }
    }
}

/// A handler's verdict on a message it could not take. Messages carry no personal data in
/// these strings.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HandlerError {
    /// Try again later (the system is down, a dependency failed).
    #[error("transient: {0}")]
    Transient(String),
    /// Will never succeed (undecodable message): set it aside, do not retry.
    #[error("permanent: {0}")]
    Permanent(String),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BusError {
    #[error("no subscriber for topic {0}")]
    NoSubscriber(String),
    #[error("topic {0} already has a subscriber")]
    AlreadySubscribed(String),
    #[error("the handler refused the message: {0}")]
    Handler(#[from] HandlerError),
    #[error("transport unavailable: {0}")]
    Unavailable(String),
}

impl BusError {
    /// Whether sending the same message again can never succeed.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Handler(HandlerError::Permanent(_)))
    }
}

/// Consumes messages of one topic.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// `Ok` once the message's effects are durable; it may be delivered again regardless.
    async fn handle(&self, message: Message) -> Result<(), HandlerError>;
}

/// Stops its subscription when closed or dropped.
#[must_use = "dropping a Subscription unsubscribes"]
pub struct Subscription {
    close: Option<Box<dyn FnOnce() + Send + Sync>>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("open", &self.close.is_some())
            .finish()
    }
}

impl Subscription {
    pub fn new(close: impl FnOnce() + Send + Sync + 'static) -> Self {
        Self {
            close: Some(Box::new(close)),
        }
    }

    pub fn close(mut self) {
        self.close_now();
    }

    fn close_now(&mut self) {
        if let Some(close) = self.close.take() {
            close();
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.close_now();
    }
}

#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Returns `Ok` once the message can no longer be lost.
    async fn send(&self, message: Message) -> Result<(), BusError>;

    /// Delivers every message of `topic` to `handler` until the subscription is closed.
    async fn subscribe(
        &self,
        topic: &str,
        handler: Arc<dyn Handler>,
    ) -> Result<Subscription, BusError>;

    /// Per subscribed topic, the messages not yet handled by this process's subscriber
    /// (for the metrics); empty where the transport cannot tell.
    fn consumer_lag(&self) -> Vec<(String, i64)> {
        Vec::new()
    }
}
