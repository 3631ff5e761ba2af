//! The Kafka transport passes the transport conformance suite, and keeps Kafka's own
//! promises (offsets after the handler, topic layout), against a real broker.
//!
//! Needs `ERASURE_TEST_KAFKA_BROKERS=host:port`: `scripts/start-broker DIR` starts Tansu
//! and prints the address. Without it every test fails, saying so.

use erasure_bus::conformance::{self as suite, Recorder, send_until_ok, wait_for};
use erasure_bus::kafka::{KafkaConfig, KafkaTransport, TRACEPARENT};
use erasure_bus::{BusError, Handler, HandlerError, Message, Transport};
use rdkafka::consumer::{BaseConsumer, Consumer};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BROKERS_VAR: &str = "ERASURE_TEST_KAFKA_BROKERS";

fn brokers() -> String {
    std::env::var(BROKERS_VAR).unwrap_or_else(|_| {
        panic!(
            "{BROKERS_VAR} is not set: start a broker with `scripts/start-broker DIR` and \
             export the address it prints, e.g. {BROKERS_VAR}=127.0.0.1:PORT"
        )
    })
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("randomness");
    hex::encode(bytes)
}

/// A topic name no other test (or earlier run against the same broker) uses.
fn topic(name: &str) -> String {
    format!("test.{name}.{}", random_suffix())
}

fn config(partitions: i32) -> KafkaConfig {
    KafkaConfig {
        idempotent: true,
        brokers: brokers(),
        group_id: format!("test-group-{}", random_suffix()),
        partitions,
        replication_factor: 1,
        client_id: "erasure-bus-tests".into(),
        security: Default::default(),
    }
}

/// A transport in a fresh consumer group, with `topics` created.
async fn transport(topics: &[&String]) -> KafkaTransport {
    let t = KafkaTransport::new(config(2)).expect("transport");
    let names: Vec<String> = topics.iter().map(|t| (*t).clone()).collect();
    t.ensure_topics(&names).await.expect("ensure_topics");
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivers_key_payload_and_headers() {
    let a = topic("delivers");
    suite::delivers_key_payload_and_headers(&transport(&[&a]).await, &a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failure_is_delivered_again() {
    let a = topic("transient");
    suite::transient_failure_is_delivered_again(&transport(&[&a]).await, &a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_are_separate() {
    let (a, b) = (topic("separate-a"), topic("separate-b"));
    suite::topics_are_separate(&transport(&[&a, &b]).await, &a, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_subscription_receives_nothing() {
    let a = topic("closed");
    suite::closed_subscription_receives_nothing(&transport(&[&a]).await, &a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscription_closed_while_live_receives_nothing_more() {
    let a = topic("closed-live");
    suite::subscription_closed_while_live_receives_nothing_more(&transport(&[&a]).await, &a).await;
}

fn message(topic: &str, key: &str) -> Message {
    Message::new(topic, key, key.as_bytes().to_vec())
}

fn keys(messages: &[Message]) -> Vec<String> {
    messages.iter().map(|m| m.key.clone()).collect()
}

/// Waits until `recorder` holds a message with `key`, then returns every key it holds.
async fn keys_once_seen(recorder: &Recorder, key: &str) -> Vec<String> {
    for _ in 0..500 {
        let got = keys(&recorder.messages());
        if got.iter().any(|k| k == key) {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{key} never arrived; got {:?}", keys(&recorder.messages()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_are_stored_only_after_the_handler_succeeded() {
    let a = topic("offsets");
    let t = transport(&[&a]).await;
    let first = Recorder::failing_first(1);
    let sub = t.subscribe(&a, first.clone()).await.expect("subscribe");
    send_until_ok(&t, message(&a, "old")).await.expect("send");
    assert_eq!(keys(&wait_for(&first, 1).await), ["old"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(keys(&first.messages()), ["old"], "handled exactly once");
    sub.close();

    // Same transport, same group: the new consumer starts after the stored offset.
    let second = Recorder::failing_first(0);
    let _sub = t
        .subscribe(&a, second.clone())
        .await
        .expect("subscribe again");
    send_until_ok(&t, message(&a, "new")).await.expect("send");
    assert_eq!(
        keys_once_seen(&second, "new").await,
        ["new"],
        "old seen again"
    );
}

/// Fails every delivery transiently, counting them.
#[derive(Debug, Default)]
struct AlwaysDown {
    attempts: AtomicU32,
}

#[async_trait::async_trait]
impl Handler for AlwaysDown {
    async fn handle(&self, _: Message) -> Result<(), HandlerError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        Err(HandlerError::Transient("system down".into()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_never_handled_is_delivered_to_the_next_subscription() {
    let a = topic("unhandled");
    let t = transport(&[&a]).await;
    let down = Arc::new(AlwaysDown::default());
    let sub = t.subscribe(&a, down.clone()).await.expect("subscribe");
    send_until_ok(&t, message(&a, "pending"))
        .await
        .expect("send");
    for _ in 0..500 {
        if down.attempts.load(Ordering::SeqCst) >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        down.attempts.load(Ordering::SeqCst) >= 3,
        "retried in place"
    );
    sub.close();

    let up = Recorder::failing_first(0);
    let _sub = t.subscribe(&a, up.clone()).await.expect("subscribe again");
    assert_eq!(keys_once_seen(&up, "pending").await, ["pending"]);
}

/// Refuses `poison` for good, records the rest.
#[derive(Debug, Default)]
struct Refuses {
    poison_attempts: AtomicU32,
    taken: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Handler for Refuses {
    async fn handle(&self, m: Message) -> Result<(), HandlerError> {
        if m.key == "poison" {
            self.poison_attempts.fetch_add(1, Ordering::SeqCst);
            return Err(HandlerError::Permanent("undecodable".into()));
        }
        self.taken.lock().expect("lock").push(m.key);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanently_refused_message_is_set_aside() {
    let a = topic("poison");
    // One partition, so "poison" is ahead of "good" in the same log.
    let t = KafkaTransport::new(config(1)).expect("transport");
    t.ensure_topics(std::slice::from_ref(&a))
        .await
        .expect("ensure");
    let h = Arc::new(Refuses::default());
    let sub = t.subscribe(&a, h.clone()).await.expect("subscribe");
    send_until_ok(&t, message(&a, "poison"))
        .await
        .expect("send");
    send_until_ok(&t, message(&a, "good")).await.expect("send");
    for _ in 0..500 {
        if !h.taken.lock().expect("lock").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(*h.taken.lock().expect("lock"), ["good"]);
    assert_eq!(h.poison_attempts.load(Ordering::SeqCst), 1, "not retried");
    sub.close();

    let after = Recorder::failing_first(0);
    let _sub = t
        .subscribe(&a, after.clone())
        .await
        .expect("subscribe again");
    send_until_ok(&t, message(&a, "later")).await.expect("send");
    assert_eq!(keys_once_seen(&after, "later").await, ["later"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_and_headers_round_trip() {
    let a = topic("headers");
    let t = transport(&[&a]).await;
    let rec = Recorder::failing_first(0);
    let _sub = t.subscribe(&a, rec.clone()).await.expect("subscribe");
    let mut m = Message::new(&a, "7f1c2a9e-request-ü", Vec::new());
    m.headers = vec![
        ("b-second".into(), "zwei ü".into()),
        ("a-first".into(), String::new()),
        ("b-second".into(), "repeated".into()),
    ];
    send_until_ok(&t, m.clone()).await.expect("send");
    let got = wait_for(&rec, 1).await;
    let got = got.first().expect("delivered");
    assert_eq!(
        (&got.topic, &got.key, &got.payload),
        (&m.topic, &m.key, &m.payload)
    );
    let (given, added) = got.headers.split_at(m.headers.len());
    assert_eq!(
        given,
        m.headers.as_slice(),
        "order, repeats and empty values kept"
    );
    let [(name, value)] = added else {
        panic!("expected one added traceparent, got {added:?}");
    };
    assert_eq!(name, TRACEPARENT);
    assert_eq!(value.len(), 55, "00-<32>-<16>-01: {value}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ensure_topics_creates_topics_with_the_configured_partitions() {
    let (a, b) = (topic("layout-a"), topic("layout-b"));
    let t = KafkaTransport::new(config(3)).expect("transport");
    t.ensure_topics(&[a.clone(), b.clone()])
        .await
        .expect("create");
    t.ensure_topics(std::slice::from_ref(&a))
        .await
        .expect("existing is fine");
    for name in [&a, &b] {
        assert_eq!(partitions(name).await, 3, "{name}");
    }
}

async fn partitions(topic: &str) -> usize {
    let brokers = brokers();
    let topic = topic.to_owned();
    tokio::task::spawn_blocking(move || {
        let client: BaseConsumer = rdkafka::ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .create()
            .expect("metadata client");
        let meta = client
            .fetch_metadata(Some(&topic), Duration::from_secs(10))
            .expect("metadata");
        let t = meta.topics().first().expect("topic in metadata");
        assert!(t.error().is_none(), "{:?}", t.error());
        t.partitions().len()
    })
    .await
    .expect("metadata task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_open_subscription_per_topic_and_transport() {
    let a = topic("twice");
    let t = transport(&[&a]).await;
    let _sub = t
        .subscribe(&a, Recorder::failing_first(0))
        .await
        .expect("first");
    let err = t
        .subscribe(&a, Recorder::failing_first(0))
        .await
        .expect_err("second");
    assert_eq!(err, BusError::AlreadySubscribed(a));
}

/// Holds every message of key `held` (failing it transiently) until `release` is set;
/// records the others, and `held`'s once released, in the order handled.
#[derive(Debug, Default)]
struct HoldsOneKey {
    release: std::sync::atomic::AtomicBool,
    held_attempts: AtomicU32,
    handled: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Handler for HoldsOneKey {
    async fn handle(&self, m: Message) -> Result<(), HandlerError> {
        if m.key == "held" && !self.release.load(Ordering::SeqCst) {
            self.held_attempts.fetch_add(1, Ordering::SeqCst);
            return Err(HandlerError::Transient("not yet".into()));
        }
        let payload = String::from_utf8(m.payload).expect("utf-8 payload");
        self.handled.lock().expect("lock").push(payload);
        Ok(())
    }
}

impl HoldsOneKey {
    fn handled(&self) -> Vec<String> {
        self.handled.lock().expect("lock").clone()
    }

    async fn wait_handled(&self, n: usize) -> Vec<String> {
        for _ in 0..500 {
            if self.handled().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.handled()
    }
}

/// One partition, so every message below is in one log, in the order sent.
async fn one_partition(name: &str) -> (String, KafkaTransport) {
    let a = topic(name);
    let t = KafkaTransport::new(config(1)).expect("transport");
    t.ensure_topics(std::slice::from_ref(&a))
        .await
        .expect("ensure");
    (a, t)
}

fn keyed(topic: &str, key: &str, payload: &str) -> Message {
    Message::new(topic, key, payload.as_bytes().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_keys_go_on_while_one_key_waits_and_each_key_keeps_its_order() {
    let (a, t) = one_partition("by-key").await;
    let h = Arc::new(HoldsOneKey::default());
    let _sub = t.subscribe(&a, h.clone()).await.expect("subscribe");
    for (key, payload) in [
        ("held", "held-1"),
        ("other", "other-1"),
        ("held", "held-2"),
        ("other", "other-2"),
    ] {
        send_until_ok(&t, keyed(&a, key, payload))
            .await
            .expect("send");
    }
    assert_eq!(
        h.wait_handled(2).await,
        ["other-1", "other-2"],
        "the other key is handled while the first message of `held` is retried"
    );
    assert!(h.held_attempts.load(Ordering::SeqCst) >= 1);
    h.release.store(true, Ordering::SeqCst);
    assert_eq!(
        h.wait_handled(4).await[2..],
        ["held-1", "held-2"],
        "one key's messages in the order sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offset_is_not_stored_past_a_message_still_being_handled() {
    let (a, t) = one_partition("held-offset").await;
    let h = Arc::new(HoldsOneKey::default());
    let sub = t.subscribe(&a, h.clone()).await.expect("subscribe");
    send_until_ok(&t, keyed(&a, "held", "held-1"))
        .await
        .expect("send");
    send_until_ok(&t, keyed(&a, "other", "other-1"))
        .await
        .expect("send");
    assert_eq!(h.wait_handled(1).await, ["other-1"]);
    // Give the background commit time to run with whatever was stored.
    tokio::time::sleep(Duration::from_secs(1)).await;
    sub.close();

    // The same group again: the message never handled comes back (and the one after it,
    // handled already, may too: delivery is at least once).
    let again = Recorder::failing_first(0);
    let _sub = t
        .subscribe(&a, again.clone())
        .await
        .expect("subscribe again");
    let seen = keys_once_seen(&again, "held").await;
    assert!(seen.iter().any(|k| k == "held"), "{seen:?}");
}
