//! What the adapter needs to know, and the librdkafka settings derived from it.

use rdkafka::ClientConfig;
use serde::Deserialize;

/// Connection and topic settings of the Kafka adapter.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaConfig {
    /// Bootstrap servers, `host:port[,host:port…]`; named in every error message.
    pub brokers: String,
    /// Consumer group of every subscription of one transport: processes sharing it share
    /// the work of a topic, each message going to one of them.
    pub group_id: String,
    /// Partition count of topics created by `ensure_topics`. Records of one request share a
    /// key, hence a partition, hence an order.
    pub partitions: i32,
    /// Replication factor of topics created by `ensure_topics` (1 for a single broker).
    pub replication_factor: i32,
    /// Shown in broker logs and metrics, to tell the processes apart.
    pub client_id: String,
    /// Idempotent producer (the default): the broker drops duplicates of the producer's own
    /// retries. Turn it off only for a broker that cannot keep producer state across a
    /// restart: Tansu 0.6 panics in its storage ("more or less than one row") when an
    /// idempotent producer reconnects after a broker restart, and then fails every request.
    /// Duplicates are harmless here either way: consumers are idempotent.
    #[serde(default = "idempotent_by_default")]
    pub idempotent: bool,
}

fn idempotent_by_default() -> bool {
    true
}

/// How long a produced message may wait for the broker's acknowledgment before `send`
/// fails: librdkafka's default, 5 minutes. While the broker is away, sends wait (the relay
/// holds back; nothing is lost: the outbox still has every row) and go through when it
/// returns. A shorter bound is harmful: a delivery timeout makes an idempotent producer bump
/// its epoch, which Tansu 0.6 answers by failing every later request.
const DELIVERY_TIMEOUT_MS: &str = "300000";

impl KafkaConfig {
    fn common(&self) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &self.brokers)
            .set("client.id", &self.client_id);
        c
    }

    /// Idempotent producer: the broker discards duplicates of its own retries and keeps
    /// the order of one partition, and acknowledges only once every in-sync replica has it.
    pub(crate) fn producer(&self) -> ClientConfig {
        let mut c = self.common();
        c.set(
            "enable.idempotence",
            if self.idempotent { "true" } else { "false" },
        )
        .set("acks", "all")
        .set("message.timeout.ms", DELIVERY_TIMEOUT_MS);
        c
    }

    /// Consumer whose offsets advance only when the adapter stores them (after the
    /// handler's verdict); librdkafka commits what was stored in the background and on
    /// close. A new group starts at the oldest message, so nothing sent before the first
    /// subscription is skipped.
    pub(crate) fn consumer(&self) -> ClientConfig {
        let mut c = self.common();
        c.set("group.id", &self.group_id)
            .set("enable.auto.commit", "true")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            // An erasure crosses two topics; the default 500 ms a fetch may wait on an
            // empty partition showed up as ~1 s of latency per request. 20 ms costs a few
            // more fetch requests on idle topics.
            .set("fetch.wait.max.ms", "20");
        c
    }

    pub(crate) fn admin(&self) -> ClientConfig {
        self.common()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> KafkaConfig {
        KafkaConfig {
            idempotent: true,
            brokers: "127.0.0.1:9092".into(),
            group_id: "g".into(),
            partitions: 3,
            replication_factor: 1,
            client_id: "c".into(),
        }
    }

    #[test]
    fn consumer_stores_offsets_only_when_told() {
        let c = config().consumer();
        assert_eq!(c.get("enable.auto.offset.store"), Some("false"));
        assert_eq!(c.get("enable.auto.commit"), Some("true"));
        assert_eq!(c.get("auto.offset.reset"), Some("earliest"));
        assert_eq!(c.get("group.id"), Some("g"));
    }

    #[test]
    fn producer_is_idempotent_and_waits_for_all_replicas() {
        let c = config().producer();
        assert_eq!(c.get("enable.idempotence"), Some("true"));
        assert_eq!(c.get("acks"), Some("all"));
        assert_eq!(c.get("bootstrap.servers"), Some("127.0.0.1:9092"));
    }
}
