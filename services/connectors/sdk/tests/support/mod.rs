//! A runner on an embedded transport with a scripted connector, for the runner's tests.

use async_trait::async_trait;
use erasure_bus::conformance::Recorder;
use erasure_bus::embedded::EmbeddedTransport;
use erasure_bus::{BusError, Handler, HandlerError, Message, Subscription, Transport, topics};
use erasure_connector_sdk::kit::{alice, runner_cases::work_order};
use erasure_connector_sdk::{Connector, Job, Report, Runner, RunnerConfig, RunnerError};
use erasure_core::SystemId;
use erasure_proof::ack::verify_ack;
use erasure_proof::{KeyPair, TrustStore};
use erasure_proto::v1::{Acknowledgment, SignedAcknowledgment, WorkOrder};
use prost::Message as _;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

pub const SYSTEM: &str = erasure_connector_sdk::kit::SYSTEM;
/// What the injected clock says.
pub const NOW_MS: i64 = 1_767_225_600_000;

pub fn config() -> RunnerConfig {
    RunnerConfig {
        system_id: SystemId::new(SYSTEM),
        state_path: None,
        max_per_second: None,
    }
}

/// Alice's work order `req-1` at `attempt`.
pub fn order(attempt: u32) -> WorkOrder {
    work_order(&alice(), "req-1", attempt)
}

pub fn order_message(order: &WorkOrder) -> Message {
    Message::new(
        topics::work(SYSTEM),
        order.request_id.clone(),
        order.encode_to_vec(),
    )
}

/// Answers with the scripted reports, then with "1 deleted"; records jobs and when they came.
#[derive(Debug, Default)]
pub struct Scripted {
    script: Mutex<VecDeque<Report>>,
    jobs: Mutex<Vec<(Job, Instant)>>,
}

impl Scripted {
    pub fn new(reports: impl IntoIterator<Item = Report>) -> Arc<Self> {
        Arc::new(Self {
            script: Mutex::new(reports.into_iter().collect()),
            jobs: Mutex::default(),
        })
    }

    pub fn calls(&self) -> usize {
        self.jobs.lock().map(|j| j.len()).unwrap_or_default()
    }

    pub fn jobs(&self) -> Vec<Job> {
        let jobs = self.jobs.lock().map(|j| j.clone()).unwrap_or_default();
        jobs.into_iter().map(|(job, _)| job).collect()
    }

    pub fn times(&self) -> Vec<Instant> {
        let jobs = self.jobs.lock().map(|j| j.clone()).unwrap_or_default();
        jobs.into_iter().map(|(_, at)| at).collect()
    }
}

#[async_trait]
impl Connector for Scripted {
    fn kind(&self) -> &'static str {
        "scripted"
    }

    async fn erase(&self, job: &Job) -> Report {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.push((job.clone(), Instant::now()));
        }
        let next = self.script.lock().ok().and_then(|mut s| s.pop_front());
        next.unwrap_or_else(|| Report::from_counts(1, 0, "items: 1 deleted", b"{}".to_vec()))
    }
}

/// An acknowledgment consumer that refuses everything for good.
#[derive(Debug)]
pub struct Refusing;

#[async_trait]
impl Handler for Refusing {
    async fn handle(&self, _: Message) -> Result<(), HandlerError> {
        Err(HandlerError::Permanent("refused".into()))
    }
}

pub struct Bench {
    pub transport: Arc<EmbeddedTransport>,
    pub runner: Arc<Runner>,
    pub acks: Arc<Recorder>,
    trust: TrustStore,
    subscriptions: Vec<Subscription>,
}

impl Bench {
    pub async fn start(connector: Arc<dyn Connector>) -> Self {
        Self::start_with(config(), connector).await
    }

    pub async fn start_with(config: RunnerConfig, connector: Arc<dyn Connector>) -> Self {
        let bench = Self::try_start(config, connector).await.expect("runner");
        bench.subscribe_acks().await
    }

    pub async fn start_without_ack_subscriber(connector: Arc<dyn Connector>) -> Self {
        Self::try_start(config(), connector).await.expect("runner")
    }

    pub async fn start_with_ack_handler(
        connector: Arc<dyn Connector>,
        handler: Arc<dyn Handler>,
    ) -> Self {
        let mut bench = Self::start_without_ack_subscriber(connector).await;
        let sub = bench.transport.subscribe(topics::ACKS, handler).await;
        bench.subscriptions.push(sub.expect("subscribe acks"));
        bench
    }

    /// A runner subscribed to its work topic, with nobody on the acknowledgment topic.
    pub async fn try_start(
        config: RunnerConfig,
        connector: Arc<dyn Connector>,
    ) -> Result<Self, RunnerError> {
        let transport = Arc::new(EmbeddedTransport::new());
        let key = KeyPair::from_seed(erasure_connector_sdk::kit::runner_cases::KEY_SEED);
        let mut trust = TrustStore::default();
        trust.add_connector(SYSTEM, &key.public());
        let runner = Runner::new(config, connector, key, transport.clone()).await?;
        let runner = Arc::new(runner.with_clock(Arc::new(|| NOW_MS)));
        let work = Arc::clone(&runner).start().await.expect("subscribe work");
        Ok(Self {
            transport,
            runner,
            acks: Recorder::failing_first(0),
            trust,
            subscriptions: vec![work],
        })
    }

    pub async fn subscribe_acks(mut self) -> Self {
        let sub = self
            .transport
            .subscribe(topics::ACKS, self.acks.clone())
            .await;
        self.subscriptions.push(sub.expect("subscribe acks"));
        self
    }

    /// Through the transport, as the coordinator's relay would.
    pub async fn deliver(&self, order: WorkOrder) -> Result<(), BusError> {
        self.transport.send(order_message(&order)).await
    }

    /// Straight to the runner, to see its verdict.
    pub async fn handle(&self, message: Message) -> Result<(), HandlerError> {
        self.runner.handle(message).await
    }

    pub fn payloads(&self) -> Vec<Vec<u8>> {
        self.acks
            .messages()
            .into_iter()
            .map(|m| m.payload)
            .collect()
    }

    /// The `i`th published acknowledgment, verified.
    pub fn ack(&self, i: usize) -> Acknowledgment {
        let payloads = self.payloads();
        let payload = payloads.get(i).expect("acknowledgment published");
        let signed = SignedAcknowledgment::decode(payload.as_slice()).expect("decodes");
        verify_ack(&self.trust, &signed).expect("verifies")
    }
}
