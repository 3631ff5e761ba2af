//! Kit cases for the connector behind a [`Runner`] on the embedded transport, with a
//! recording subscriber on the acknowledgment topic.

use super::{AS_OF, KitSubject, SYSTEM, alice};
use crate::connector::{Connector, Job, Report};
use crate::runner::{Runner, RunnerConfig};
use async_trait::async_trait;
use erasure_bus::conformance::{Recorder, wait_for};
use erasure_bus::embedded::EmbeddedTransport;
use erasure_bus::{Handler, HandlerError, Message, Subscription, Transport, topics};
use erasure_core::{Identifiers, SystemId};
use erasure_proof::ack::verify_ack;
use erasure_proof::sealed::{Binding, WORK_ORDER_CONTEXT, seal};
use erasure_proof::{KeyPair, TrustStore};
use erasure_proto::v1::{self as proto, Acknowledgment, SignedAcknowledgment, WorkOrder};
use prost::Message as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// The published acknowledgment verifies against the connector's public key and names the
/// request, task, system and attempt of the work order.
pub async fn the_runner_publishes_a_verifiable_acknowledgment(subject: &dyn KitSubject) {
    let person = alice();
    subject.seed(&person).await;
    let bench = Bench::start(subject.connector()).await;

    bench.deliver(&person, "req-signed", 3).await;

    let acks = wait_for(&bench.acks, 1).await;
    assert_eq!(acks.len(), 1, "one acknowledgment per work order");
    assert_eq!(
        acks[0].key, "req-signed",
        "acknowledgments are keyed by request id"
    );
    let ack = bench.verify(&acks[0]);
    assert_eq!(ack.request_id, "req-signed");
    assert_eq!(ack.task_id, format!("req-signed/{SYSTEM}"));
    assert_eq!((ack.system_id.as_str(), ack.attempt), (SYSTEM, 3));
    let success = [proto::Outcome::Erased, proto::Outcome::Anonymised];
    assert!(
        success.map(|o| o as i32).contains(&ack.outcome),
        "outcome {}",
        ack.outcome
    );
    assert!(ack.items_affected > 0);
    let evidence = bench
        .runner
        .evidence("req-signed")
        .await
        .expect("cache readable");
    let evidence = evidence.expect("evidence of a final outcome is kept");
    assert_eq!(
        ack.evidence_digest,
        erasure_proof::sha256(&evidence).to_vec()
    );
    assert_eq!(subject.remaining(&person).await, 0);
}

/// A duplicate work order is answered with the identical signed bytes, from the cache,
/// without erasing again.
pub async fn a_duplicate_work_order_replays_the_cached_acknowledgment(subject: &dyn KitSubject) {
    let person = alice();
    subject.seed(&person).await;
    let counting = Arc::new(Counting::new(subject.connector()));
    let bench = Bench::start(counting.clone()).await;

    bench.deliver(&person, "req-duplicate", 1).await;
    bench.deliver(&person, "req-duplicate", 1).await;

    let acks = wait_for(&bench.acks, 2).await;
    assert_eq!(acks.len(), 2, "every delivery is acknowledged");
    assert_eq!(
        acks[0].payload, acks[1].payload,
        "the replayed acknowledgment differs"
    );
    assert_eq!(counting.calls(), 1, "the connector erased twice");
    bench.verify(&acks[1]);
}

/// An undecodable message is refused for good, and nothing is erased or acknowledged.
pub async fn an_undecodable_message_is_a_permanent_error(subject: &dyn KitSubject) {
    let counting = Arc::new(Counting::new(subject.connector()));
    let bench = Bench::start(counting.clone()).await;
    let garbage = Message::new(topics::work(SYSTEM), "req-garbage", vec![0xff, 0xff, 0xff]);

    let verdict = bench.runner.handle(garbage).await;

    assert!(
        matches!(verdict, Err(HandlerError::Permanent(_))),
        "{verdict:?}"
    );
    assert_eq!(counting.calls(), 0);
    assert!(bench.acks.messages().is_empty());
}

/// A runner on an embedded transport, with a recorder on the acknowledgment topic: for the
/// cases here, and for a kind's own tests of what only a runner shows (a wake publishing
/// a final answer).
pub struct Bench {
    transport: Arc<EmbeddedTransport>,
    pub runner: Arc<Runner>,
    pub(crate) acks: Arc<Recorder>,
    trust: TrustStore,
    _subscriptions: [Subscription; 2],
}

impl std::fmt::Debug for Bench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bench")
            .field("runner", &self.runner)
            .finish_non_exhaustive()
    }
}

impl Bench {
    /// The connector behind a runner of the kit's system, subscribed and started.
    pub async fn start(connector: Arc<dyn Connector>) -> Self {
        let transport = Arc::new(EmbeddedTransport::new());
        let key = KeyPair::from_seed(KEY_SEED);
        let mut trust = TrustStore::default();
        trust.add_connector(SYSTEM, &key.public());
        let config = RunnerConfig {
            system_id: SystemId::new(SYSTEM),
            state_path: None,
            max_per_second: None,
        };
        let runner = Runner::new(config, connector, key, transport.clone())
            .await
            .expect("runner");
        let runner = Arc::new(runner);
        let acks = Recorder::failing_first(0);
        let ack_sub = transport.subscribe(topics::ACKS, acks.clone()).await;
        let work_sub = Arc::clone(&runner).start().await.expect("subscribe work");
        Self {
            transport,
            runner,
            acks,
            trust,
            _subscriptions: [ack_sub.expect("subscribe acks"), work_sub],
        }
    }

    /// Sends a work order and expects the runner to take it.
    pub async fn deliver(&self, person: &Identifiers, request_id: &str, attempt: u32) {
        let order = work_order(person, request_id, attempt);
        let message = Message::new(topics::work(SYSTEM), request_id, order.encode_to_vec());
        self.transport
            .send(message)
            .await
            .expect("the runner took the work order");
    }

    /// A published acknowledgment, verified.
    pub fn verify(&self, message: &Message) -> Acknowledgment {
        let signed = SignedAcknowledgment::decode(message.payload.as_slice()).expect("decodes");
        verify_ack(&self.trust, &signed).expect("the acknowledgment verifies")
    }

    /// The first `n` acknowledgments published, verified (waits for them, bounded).
    pub async fn acks(&self, n: usize) -> Vec<Acknowledgment> {
        let messages = wait_for(&self.acks, n).await;
        assert!(
            messages.len() >= n,
            "{} acknowledgments, not {n}",
            messages.len()
        );
        messages.iter().map(|m| self.verify(m)).collect()
    }
}

/// The seed of the kit runners' key: work orders are sealed to its encryption key.
pub const KEY_SEED: [u8; 32] = [42; 32];

/// The work order the coordinator would send for `person`: its identifiers sealed to the
/// encryption key of [`KEY_SEED`], bound to the request, system and attempt.
pub fn work_order(person: &Identifiers, request_id: &str, attempt: u32) -> WorkOrder {
    let order = WorkOrder {
        request_id: request_id.to_owned(),
        task_id: format!("{request_id}/{SYSTEM}"),
        system_id: SYSTEM.to_owned(),
        attempt,
        identifiers: None,
        categories: Vec::new(),
        deadline: "2030-01-31".to_owned(),
        issued_at_ms: 0,
        holds: Vec::new(),
        as_of: AS_OF.to_owned(),
        financial_year_end: "12-31".to_owned(),
        controller: String::new(),
        purpose: 0,
        ..Default::default()
    };
    seal_to(order, person, &KeyPair::from_seed(KEY_SEED))
}

/// `order` with `person`'s identifiers sealed to `key`'s encryption key, as the relay
/// seals them.
pub fn seal_to(mut order: WorkOrder, person: &Identifiers, key: &KeyPair) -> WorkOrder {
    let to = key.public().encryption_key().expect("a key pair has one");
    let binding = Binding {
        context: WORK_ORDER_CONTEXT,
        request_id: &order.request_id,
        system_id: &order.system_id,
        attempt: order.attempt,
    };
    let plain = proto::Identifiers::from(person).encode_to_vec();
    let sealed = seal(&to, &binding, &plain).expect("seal");
    order.sealed_identifiers = sealed.ciphertext;
    order.encapsulated_key = sealed.encapsulated_key;
    order
}

/// Counts the erasures it passes on.
pub(crate) struct Counting {
    inner: Arc<dyn Connector>,
    calls: AtomicU32,
}

impl Counting {
    pub(crate) fn new(inner: Arc<dyn Connector>) -> Self {
        Self {
            inner,
            calls: AtomicU32::new(0),
        }
    }

    pub(crate) fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Connector for Counting {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    async fn erase(&self, job: &Job) -> Report {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.erase(job).await
    }
}
