//! What the adapter needs to know, and the librdkafka settings derived from it.

use rdkafka::ClientConfig;
use serde::Deserialize;
use std::path::PathBuf;

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
    /// TLS and SASL; the default is plaintext without authentication (a trusted network).
    #[serde(skip)]
    pub security: KafkaSecurity,
}

/// How the adapter reaches the broker: plaintext (the default), TLS, or SASL/SCRAM over
/// TLS. SCRAM without TLS is not offered: every message would cross the network in clear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KafkaSecurity {
    /// TLS to the broker, its certificate and host name verified.
    pub tls: bool,
    /// PEM file of the CA certificates the broker's certificate must chain to
    /// (`ssl.ca.location`); `None`: the system's roots.
    pub ca_file: Option<PathBuf>,
    /// SASL/SCRAM credentials; set only with `tls`.
    pub sasl: Option<Scram>,
}

/// SASL/SCRAM credentials. `Debug` does not show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Scram {
    pub mechanism: ScramMechanism,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Scram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scram")
            .field("mechanism", &self.mechanism)
            .field("username", &self.username)
            .field("password", &"**REDACTED**")
            .finish()
    }
}

/// The SCRAM mechanisms librdkafka speaks, by their SASL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum ScramMechanism {
    #[serde(rename = "SCRAM-SHA-256")]
    Sha256,
    #[serde(rename = "SCRAM-SHA-512")]
    Sha512,
}

impl ScramMechanism {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "SCRAM-SHA-256",
            Self::Sha512 => "SCRAM-SHA-512",
        }
    }
}

impl KafkaSecurity {
    /// The librdkafka settings: `security.protocol`, the CA, host name verification and
    /// the SASL mechanism and credentials. SASL without TLS is refused.
    fn apply(&self, c: &mut ClientConfig) -> Result<(), String> {
        let protocol = match (self.tls, &self.sasl) {
            (false, None) => "plaintext",
            (true, None) => "ssl",
            (true, Some(_)) => "sasl_ssl",
            (false, Some(_)) => {
                return Err(
                    "SASL/SCRAM needs TLS: the broker would see every message in clear".into(),
                );
            }
        };
        c.set("security.protocol", protocol);
        if self.tls {
            c.set("ssl.endpoint.identification.algorithm", "https");
            if let Some(ca) = &self.ca_file {
                c.set("ssl.ca.location", ca.to_string_lossy());
            }
        }
        if let Some(s) = &self.sasl {
            c.set("sasl.mechanism", s.mechanism.name())
                .set("sasl.username", &s.username)
                .set("sasl.password", &s.password);
        }
        Ok(())
    }
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
    /// Checks what librdkafka would only find out later (SASL without TLS).
    pub fn check(&self) -> Result<(), String> {
        self.security.apply(&mut ClientConfig::new())
    }

    /// Every client's settings. The security settings were checked by [`Self::check`]
    /// (in `KafkaTransport::new`) before any client is made.
    fn common(&self) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &self.brokers)
            .set("client.id", &self.client_id);
        let _ = self.security.apply(&mut c);
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
            security: KafkaSecurity::default(),
        }
    }

    fn scram() -> Scram {
        Scram {
            mechanism: ScramMechanism::Sha512,
            username: "erasure".into(),
            password: "pw".into(),
        }
    }

    #[test]
    fn plaintext_is_the_default() {
        let c = config().producer();
        assert_eq!(c.get("security.protocol"), Some("plaintext"));
        assert_eq!(c.get("sasl.mechanism"), None);
        assert_eq!(c.get("ssl.ca.location"), None);
    }

    #[test]
    fn tls_verifies_the_broker_against_the_given_ca() {
        let mut config = config();
        config.security = KafkaSecurity {
            tls: true,
            ca_file: Some("/etc/erasure/kafka-ca.pem".into()),
            sasl: None,
        };
        for c in [config.producer(), config.consumer(), config.admin()] {
            assert_eq!(c.get("security.protocol"), Some("ssl"));
            assert_eq!(c.get("ssl.ca.location"), Some("/etc/erasure/kafka-ca.pem"));
            assert_eq!(
                c.get("ssl.endpoint.identification.algorithm"),
                Some("https")
            );
            assert_eq!(c.get("sasl.username"), None);
        }
    }

    #[test]
    fn scram_runs_over_tls_in_every_client() {
        let mut config = config();
        config.security = KafkaSecurity {
            tls: true,
            ca_file: None,
            sasl: Some(scram()),
        };
        assert_eq!(config.check(), Ok(()));
        for c in [config.producer(), config.consumer(), config.admin()] {
            assert_eq!(c.get("security.protocol"), Some("sasl_ssl"));
            assert_eq!(c.get("sasl.mechanism"), Some("SCRAM-SHA-512"));
            assert_eq!(c.get("sasl.username"), Some("erasure"));
            assert_eq!(c.get("sasl.password"), Some("pw"));
            assert_eq!(c.get("ssl.ca.location"), None, "system roots");
        }
    }

    #[test]
    fn scram_without_tls_is_refused_and_the_password_is_never_shown() {
        let mut config = config();
        config.security.sasl = Some(scram());
        let err = config.check().expect_err("sasl without tls");
        assert!(err.contains("SASL/SCRAM needs TLS"), "{err}");
        let shown = format!("{config:?}");
        assert!(!shown.contains("\"pw\""), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
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
