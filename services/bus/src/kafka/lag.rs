//! Consumer lag from librdkafka's statistics: every `statistics.interval.ms` (5 s) each
//! consumer reports, per partition it owns, how far its position is behind the partition's
//! high watermark. The sum over the subscription's partitions is kept for the metrics
//! ([`crate::Transport::consumer_lag`]).

use rdkafka::client::ClientContext;
use rdkafka::consumer::ConsumerContext;
use rdkafka::statistics::Statistics;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// How often librdkafka reports (milliseconds, as its setting takes it).
pub(crate) const INTERVAL_MS: &str = "5000";

/// A consumer's context: its topic's lag, updated from each statistics report.
pub(crate) struct LagContext {
    topic: String,
    lag: Arc<AtomicI64>,
}

impl ClientContext for LagContext {
    fn stats(&self, statistics: Statistics) {
        let partitions = statistics
            .topics
            .get(&self.topic)
            .map(|t| t.partitions.iter().map(|(id, p)| (*id, p.consumer_lag)));
        if let Some(partitions) = partitions {
            self.lag.store(total(partitions), Ordering::Relaxed);
        }
    }
}

impl ConsumerContext for LagContext {}

/// The lag of each subscribed topic of a transport.
#[derive(Debug, Default)]
pub(crate) struct Lags {
    topics: Mutex<HashMap<String, Arc<AtomicI64>>>,
}

impl Lags {
    /// The context for a new consumer of `topic` (0 until its first report).
    pub(crate) fn context(&self, topic: &str) -> LagContext {
        let lag = Arc::new(AtomicI64::new(0));
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics.insert(topic.to_owned(), Arc::clone(&lag));
        LagContext {
            topic: topic.to_owned(),
            lag,
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<(String, i64)> {
        let topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics
            .iter()
            .map(|(t, lag)| (t.clone(), lag.load(Ordering::Relaxed)))
            .collect()
    }
}

/// The sum of the partitions' lags. librdkafka reports -1 where it does not know yet (no
/// position, or no watermark), and the pseudo-partition -1 for the topic itself.
fn total(partitions: impl Iterator<Item = (i32, i64)>) -> i64 {
    partitions
        .filter(|(id, lag)| *id >= 0 && *lag >= 0)
        .map(|(_, lag)| lag)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_lags_and_the_topic_pseudo_partition_are_left_out() {
        assert_eq!(total([(0, 3), (1, -1), (2, 4), (-1, 100)].into_iter()), 7);
        assert_eq!(total(std::iter::empty()), 0);
    }

    #[test]
    fn each_topic_keeps_its_own_lag() {
        let lags = Lags::default();
        let acks = lags.context("acks");
        let _work = lags.context("work");
        acks.lag.store(5, Ordering::Relaxed);
        let mut seen = lags.snapshot();
        seen.sort();
        assert_eq!(seen, [("acks".to_owned(), 5), ("work".to_owned(), 0)]);
    }
}
