//! Topic creation: the work and acknowledgment topics exist before anyone produces to them,
//! with the partition count the operator chose rather than a broker default.

use super::KafkaConfig;
use crate::BusError;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication, TopicResult};
use rdkafka::client::DefaultClientContext;
use rdkafka::types::RDKafkaErrorCode;
use std::time::Duration;

/// Bound on one CreateTopics round trip, so an unreachable broker is reported, not awaited.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Creates those of `topics` that do not exist yet; existing ones are left as they are
/// (their partition count is not checked or changed).
pub(crate) async fn ensure_topics(config: &KafkaConfig, topics: &[String]) -> Result<(), BusError> {
    if topics.is_empty() {
        return Ok(());
    }
    let admin: AdminClient<DefaultClientContext> = config
        .admin()
        .create()
        .map_err(|e| unavailable(config, topics, &e))?;
    let replication = || TopicReplication::Fixed(config.replication_factor);
    let new: Vec<NewTopic<'_>> = topics
        .iter()
        .map(|t| NewTopic::new(t, config.partitions, replication()))
        .collect();
    let options = AdminOptions::new()
        .request_timeout(Some(ADMIN_TIMEOUT))
        .operation_timeout(Some(ADMIN_TIMEOUT));
    let results = admin
        .create_topics(&new, &options)
        .await
        .map_err(|e| unavailable(config, topics, &e))?;
    results.into_iter().try_for_each(|r| check(config, r))
}

/// "Already exists" is what a second process (or a restart) sees: success.
fn check(config: &KafkaConfig, result: TopicResult) -> Result<(), BusError> {
    match result {
        Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => Ok(()),
        Err((topic, code)) => Err(BusError::Unavailable(format!(
            "kafka at {}: creating topic {topic} failed: {code}",
            config.brokers
        ))),
    }
}

fn unavailable(config: &KafkaConfig, topics: &[String], err: &dyn std::fmt::Display) -> BusError {
    BusError::Unavailable(format!(
        "kafka at {}: creating topics {} failed: {err}",
        config.brokers,
        topics.join(", ")
    ))
}
