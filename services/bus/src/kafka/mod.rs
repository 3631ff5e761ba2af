//! Kafka adapter (feature `kafka`): the wire protocol of DESIGN.md, spoken through
//! librdkafka so any Kafka client can be a connector.
//!
//! - [`config`]: [`KafkaConfig`] and the librdkafka settings derived from it.
//! - `produce`: `send` produces with an idempotent producer and waits for the broker's
//!   acknowledgment, so the outbox marks a message delivered only once Kafka holds it.
//! - `consume`: one consumer per subscription, in the transport's group; offsets are stored
//!   after the handler's verdict (at least once), transient failures retried in place.
//! - `subscriptions`: one open subscription per topic and transport.
//! - `admin`: [`KafkaTransport::ensure_topics`].
//! - `lag`: each consumer's lag, from librdkafka's statistics.
//! - `refusal`: the producer's context, which turns errors retrying cannot cure (refused
//!   credentials, a failed TLS handshake) into a start-up error.
//! - `trace`: a W3C `traceparent` header on every record.

mod admin;
pub mod config;
mod consume;
mod lag;
mod produce;
mod refusal;
mod subscriptions;
mod trace;

pub use config::{KafkaConfig, KafkaSecurity, Scram, ScramMechanism};
pub use trace::TRACEPARENT;

use crate::{BusError, Handler, Message, Subscription, Transport};
use async_trait::async_trait;
use consume::Consumption;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::producer::FutureProducer;
use std::sync::Arc;
use subscriptions::Subscriptions;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A [`Transport`] over Kafka. One producer shared by every `send`; one consumer per
/// `subscribe`, all in [`KafkaConfig::group_id`].
pub struct KafkaTransport {
    config: KafkaConfig,
    producer: FutureProducer<refusal::Refusals>,
    /// The first refusal the producer saw (see `refusal`).
    refused: watch::Receiver<Option<String>>,
    subscriptions: Subscriptions,
    /// Each subscription's consumer lag.
    lags: lag::Lags,
}

impl std::fmt::Debug for KafkaTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaTransport")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl KafkaTransport {
    /// Builds the producer; no connection is made yet (librdkafka connects in the
    /// background and keeps retrying), so this fails only on invalid settings.
    pub fn new(config: KafkaConfig) -> Result<Self, BusError> {
        config
            .check()
            .map_err(|e| BusError::Unavailable(format!("kafka at {}: {e}", config.brokers)))?;
        let (context, refused) = refusal::Refusals::new();
        let producer = config
            .producer()
            .create_with_context(context)
            .map_err(|e| invalid(&config, &e))?;
        Ok(Self {
            config,
            producer,
            refused,
            subscriptions: Subscriptions::default(),
            lags: lag::Lags::default(),
        })
    }

    pub fn config(&self) -> &KafkaConfig {
        &self.config
    }

    /// Creates the missing ones of `topics` with the configured partitions and
    /// replication; existing topics are fine as they are. Fails at once when the broker
    /// refuses the credentials or the TLS handshake fails (see `refusal`).
    pub async fn ensure_topics(&self, topics: &[String]) -> Result<(), BusError> {
        tokio::select! {
            done = admin::ensure_topics(&self.config, topics) => done,
            reason = refusal::refused(self.refused.clone()) => Err(BusError::Unavailable(
                format!("kafka at {}: {reason}", self.config.brokers),
            )),
        }
    }

    /// Creates a consumer subscribed to `topic` and spawns its task.
    fn start(
        &self,
        topic: &str,
        handler: Arc<dyn Handler>,
        closed: watch::Receiver<bool>,
    ) -> Result<JoinHandle<()>, BusError> {
        let consumer: StreamConsumer<lag::LagContext> = self
            .config
            .consumer()
            .set("statistics.interval.ms", lag::INTERVAL_MS)
            .create_with_context(self.lags.context(topic))
            .map_err(|e| invalid(&self.config, &e))?;
        consumer
            .subscribe(&[topic])
            .map_err(|e| invalid(&self.config, &e))?;
        let consumption = Consumption {
            consumer,
            topic: topic.to_owned(),
            handler,
            closed,
        };
        Ok(tokio::spawn(consumption.run()))
    }
}

fn invalid(config: &KafkaConfig, err: &rdkafka::error::KafkaError) -> BusError {
    BusError::Unavailable(format!("kafka at {}: {err}", config.brokers))
}

#[async_trait]
impl Transport for KafkaTransport {
    async fn send(&self, message: Message) -> Result<(), BusError> {
        produce::produce(&self.producer, &self.config.brokers, message).await
    }

    /// Returns once the consumer is created; it joins the group and receives in the
    /// background (a new group starts at the oldest message, so nothing is missed). An
    /// unreachable broker is retried by librdkafka; the subscription stays open.
    async fn subscribe(
        &self,
        topic: &str,
        handler: Arc<dyn Handler>,
    ) -> Result<Subscription, BusError> {
        self.subscriptions
            .open(topic, |closed| self.start(topic, handler, closed))
            .await
    }

    /// From the consumers' latest statistics (every 5 s): messages of each subscribed
    /// topic behind its partitions' high watermarks.
    fn consumer_lag(&self) -> Vec<(String, i64)> {
        self.lags.snapshot()
    }
}
