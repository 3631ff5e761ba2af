//! In-process transport: `send` calls the topic's handler directly and returns its verdict.

use crate::{BusError, Handler, Message, Subscription, Transport};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

/// A topic's handler, and how many messages it is handling now (its consumer lag: in
/// this transport a message waits nowhere else).
#[derive(Clone)]
struct Subscriber {
    handler: Arc<dyn Handler>,
    in_flight: Arc<AtomicI64>,
}

type Handlers = Arc<RwLock<HashMap<String, Subscriber>>>;

/// Counts a message as in flight until dropped.
struct InFlight(Arc<AtomicI64>);

impl InFlight {
    fn start(counter: Arc<AtomicI64>) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One handler per topic; a send to a topic without one fails with
/// [`BusError::NoSubscriber`], so the sender keeps the message and retries.
#[derive(Clone, Default)]
pub struct EmbeddedTransport {
    handlers: Handlers,
}

impl std::fmt::Debug for EmbeddedTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let topics: Vec<String> = match self.handlers.read() {
            Ok(h) => h.keys().cloned().collect(),
            Err(_) => Vec::new(),
        };
        f.debug_struct("EmbeddedTransport")
            .field("topics", &topics)
            .finish()
    }
}

impl EmbeddedTransport {
    pub fn new() -> Self {
        Self::default()
    }

    fn handler(&self, topic: &str) -> Option<Subscriber> {
        self.handlers
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(topic)
            .cloned()
    }
}

#[async_trait]
impl Transport for EmbeddedTransport {
    async fn send(&self, message: Message) -> Result<(), BusError> {
        let subscriber = self
            .handler(&message.topic)
            .ok_or_else(|| BusError::NoSubscriber(message.topic.clone()))?;
        let _counted = InFlight::start(subscriber.in_flight);
        subscriber
            .handler
            .handle(message)
            .await
            .map_err(BusError::Handler)
    }

    async fn subscribe(
        &self,
        topic: &str,
        handler: Arc<dyn Handler>,
    ) -> Result<Subscription, BusError> {
        let mut handlers = self
            .handlers
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if handlers.contains_key(topic) {
            return Err(BusError::AlreadySubscribed(topic.to_owned()));
        }
        let in_flight = Arc::default();
        handlers.insert(topic.to_owned(), Subscriber { handler, in_flight });
        let registry = Arc::clone(&self.handlers);
        let topic = topic.to_owned();
        Ok(Subscription::new(move || {
            registry
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .remove(&topic);
        }))
    }

    fn consumer_lag(&self) -> Vec<(String, i64)> {
        let handlers = self
            .handlers
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        handlers
            .iter()
            .map(|(topic, s)| (topic.clone(), s.in_flight.load(Ordering::Relaxed)))
            .collect()
    }
}
