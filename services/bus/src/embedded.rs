//! In-process transport: `send` calls the topic's handler directly and returns its verdict.

use crate::{BusError, Handler, Message, Subscription, Transport};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

type Handlers = Arc<RwLock<HashMap<String, Arc<dyn Handler>>>>;

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

    fn handler(&self, topic: &str) -> Option<Arc<dyn Handler>> {
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
        let handler = self
            .handler(&message.topic)
            .ok_or_else(|| BusError::NoSubscriber(message.topic.clone()))?;
        handler.handle(message).await.map_err(BusError::Handler)
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
        handlers.insert(topic.to_owned(), handler);
        let registry = Arc::clone(&self.handlers);
        let topic = topic.to_owned();
        Ok(Subscription::new(move || {
            registry
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .remove(&topic);
        }))
    }
}
