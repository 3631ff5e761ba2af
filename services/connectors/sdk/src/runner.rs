//! [`Runner`]: consumes a system's work orders, calls its [`Connector`], and publishes
//! signed acknowledgments.
//!
//! For each work order: decode it (undecodable: permanent handler error, it can never
//! succeed); check it is for this system; answer a duplicate with the cached final
//! acknowledgment; otherwise pace, erase, sign, cache if final, publish. Publishing is the
//! last step, so a failure anywhere before it leaves the work order to be delivered again,
//! and a connector's idempotency makes the second erasure harmless. A work order with no
//! valid identifier, or with an invalid retention rule or date, is answered with a signed
//! permanent failure and the connector is not called.
//!
//! A retained report (items kept under legal holds) is final like any success: a duplicate
//! of the same attempt gets the same answer, and when the holds end the coordinator sends
//! a new attempt, which the cache does not answer, so the connector erases what was kept.
//!
//! An "accepted" report (a third party answers later) is not cached: the coordinator's
//! follow-up attempt reaches the connector. The runner keeps the order in memory so that
//! the connector can wake it sooner ([`crate::wake`]): the wake runs the same order again
//! and publishes the answer once it is final.
//!
//! The identifiers of an order come sealed to the connector's encryption key (HPKE, see
//! `erasure_proof::sealed`); they are opened in memory just before the connector is called,
//! and an order whose identifiers do not open is answered with a permanent failure saying
//! so. What a resolution found goes back sealed to the order's reply key.
//!
//! Logs and spans carry the request id, the system and the attempt, never identifiers.

use crate::accepted::AcceptedOrders;
use crate::cache::{AckCache, CacheError, Entry};
use crate::connector::{Connector, Report, Resolution};
use crate::pacer::Pacer;
use crate::wake::Waker;
use crate::wire::{acknowledgment, job_from_sealed_order, resolution, trace_headers};
use async_trait::async_trait;
use erasure_bus::{BusError, Handler, HandlerError, Message, Subscription, Transport, topics};
use erasure_core::SystemId;
use erasure_proof::KeyPair;
use erasure_proof::ack::sign_ack;
use erasure_proof::resolution::sign_resolution;
use erasure_proto::v1::{Purpose, WorkOrder};
use prost::Message as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tracing::Instrument;

/// Milliseconds since the Unix epoch; injected so tests can fix `completed_at_ms`.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// How a runner runs one system's connector.
#[derive(Clone, Debug, PartialEq)]
pub struct RunnerConfig {
    /// The system this connector erases from; it consumes `erasure.v1.work.<system_id>`.
    pub system_id: SystemId,
    /// SQLite file of the idempotency cache. `None` keeps it in memory, so a restart
    /// forgets it and a duplicate work order after a restart erases again (harmless, but
    /// the second acknowledgment says "nothing found").
    pub state_path: Option<PathBuf>,
    /// At most this many erasures per second; `None` = unpaced.
    pub max_per_second: Option<f64>,
}

/// Why a runner could not be built or its cache read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunnerError {
    #[error("invalid runner configuration: {0}")]
    Config(String),
    #[error("{0}")]
    Cache(String),
    /// The connector could not start what it runs beside its erasures (a listener).
    #[error("the connector could not start: {0}")]
    Connector(String),
}

/// The bus handler for one system's work orders. See the module docs.
pub struct Runner {
    system_id: SystemId,
    connector: Arc<dyn Connector>,
    key: KeyPair,
    transport: Arc<dyn Transport>,
    cache: AckCache,
    pacer: Pacer,
    clock: Clock,
    accepted: AcceptedOrders,
    /// The task ids the connector's waker sends; taken by [`Runner::start`].
    wakes: Mutex<Option<mpsc::UnboundedReceiver<String>>>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("system_id", &self.system_id)
            .field("kind", &self.connector.kind())
            .field("key_id", &self.key.key_id())
            .finish_non_exhaustive()
    }
}

impl Runner {
    /// Validates the configuration, opens the idempotency cache, and attaches the
    /// connector ([`Connector::attach`]).
    pub async fn new(
        config: RunnerConfig,
        connector: Arc<dyn Connector>,
        key: KeyPair,
        transport: Arc<dyn Transport>,
    ) -> Result<Self, RunnerError> {
        if !SystemId::is_valid(config.system_id.as_str()) {
            return Err(RunnerError::Config(format!(
                "system id {:?}: use lower-case letters, digits, '-' and '_'",
                config.system_id.as_str()
            )));
        }
        let pacer = Pacer::new(config.max_per_second).map_err(|e| RunnerError::Config(e.into()))?;
        let cache = AckCache::open(config.state_path)
            .await
            .map_err(cache_error)?;
        let (waker, wakes) = Waker::channel();
        connector
            .attach(waker)
            .await
            .map_err(|e| RunnerError::Connector(e.to_string()))?;
        Ok(Self {
            system_id: config.system_id,
            connector,
            key,
            transport,
            cache,
            pacer,
            clock: Arc::new(system_now_ms),
            accepted: AcceptedOrders::default(),
            wakes: Mutex::new(Some(wakes)),
        })
    }

    /// Replaces the system clock (for tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn system_id(&self) -> &SystemId {
        &self.system_id
    }

    /// Subscribes the runner to its system's work topic; work stops when the subscription
    /// is closed or dropped. Wakes are handled from then on, while the runner exists.
    pub async fn start(self: Arc<Self>) -> Result<Subscription, BusError> {
        self.handle_wakes();
        let topic = topics::work(self.system_id.as_str());
        let transport = Arc::clone(&self.transport);
        transport.subscribe(&topic, self).await
    }

    /// The evidence document behind the final acknowledgment of `request_id`, if cached.
    pub async fn evidence(&self, request_id: &str) -> Result<Option<Vec<u8>>, RunnerError> {
        let entry = self.cache.get(request_id, self.system_id.as_str()).await;
        Ok(entry.map_err(cache_error)?.map(|e| e.evidence))
    }

    async fn process(
        &self,
        order: WorkOrder,
        headers: Vec<(String, String)>,
    ) -> Result<(), HandlerError> {
        if order.purpose == Purpose::Resolve as i32 {
            // Changes nothing: answered afresh every time, never from the cache.
            let payload = self.resolve_and_sign(&order).await;
            return self
                .publish(topics::RESOLUTIONS, &order.request_id, payload, headers)
                .await;
        }
        let payload = match self.cached(&order).await? {
            Some(signed_ack) => {
                tracing::debug!("duplicate work order: replaying the cached acknowledgment");
                signed_ack
            }
            None => self.erase_and_sign(&order, &headers).await.0,
        };
        self.publish(topics::ACKS, &order.request_id, payload, headers)
            .await
    }

    /// Resolves and returns the encoded `SignedResolution`.
    async fn resolve_and_sign(&self, order: &WorkOrder) -> Vec<u8> {
        let answer = match job_from_sealed_order(order, &self.key) {
            Ok(job) => {
                self.pacer.wait().await;
                self.connector.resolve(&job).await
            }
            Err(refusal) => {
                tracing::warn!(%refusal, "resolution order refused");
                Resolution::failed_permanent(refusal.to_string())
            }
        };
        tracing::info!(
            kind = self.connector.kind(),
            outcome = ?answer.outcome,
            found = answer.found.iter().count(),
            detail = %answer.detail,
            "resolution finished"
        );
        let message = resolution(order, &answer, (self.clock)());
        sign_resolution(&self.key, &message).encode_to_vec()
    }

    /// The cached final acknowledgment if it answers this attempt or a later one. A cache
    /// that cannot be read is transient: nothing has been done yet, so retrying is free.
    async fn cached(&self, order: &WorkOrder) -> Result<Option<Vec<u8>>, HandlerError> {
        let entry = self.cache.get(&order.request_id, &order.system_id).await;
        let entry = entry.map_err(|CacheError(e)| HandlerError::Transient(e))?;
        Ok(entry
            .filter(|e| e.attempt >= order.attempt)
            .map(|e| e.signed_ack))
    }

    /// Runs the job and returns the encoded `SignedAcknowledgment` (cached when final) and
    /// whether it is final; an accepted order is kept for a wake.
    async fn erase_and_sign(
        &self,
        order: &WorkOrder,
        headers: &[(String, String)],
    ) -> (Vec<u8>, bool) {
        let report = self.run_job(order).await;
        let ack = acknowledgment(order, &report, (self.clock)());
        let signed_ack = sign_ack(&self.key, &ack).encode_to_vec();
        self.accepted.note(order, headers, report.outcome);
        let is_final = report.is_final();
        if is_final {
            self.remember(order, &signed_ack, report.evidence).await;
        }
        (signed_ack, is_final)
    }

    /// Runs every woken task's accepted order again, one at a time, while the runner
    /// exists and its connector can wake it.
    fn handle_wakes(self: &Arc<Self>) {
        let taken = self.wakes.lock().map(|mut w| w.take());
        let Ok(Some(mut wakes)) = taken else {
            return; // started before: its loop runs already
        };
        let runner = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(task_id) = wakes.recv().await {
                let Some(runner) = runner.upgrade() else {
                    return;
                };
                runner.wake(&task_id).await;
            }
        });
    }

    /// Runs the task's accepted order again and publishes the answer if it is final;
    /// otherwise keeps the order for the next wake (see [`crate::wake`]).
    async fn wake(&self, task_id: &str) {
        let Some((order, headers)) = self.accepted.take(task_id) else {
            tracing::debug!("wake for a task with no accepted work order: nothing to run");
            return;
        };
        let span = tracing::info_span!(
            "wake",
            request_id = %order.request_id,
            system = %self.system_id,
            attempt = order.attempt,
        );
        async {
            let (signed_ack, is_final) = self.erase_and_sign(&order, &headers).await;
            if !is_final {
                tracing::debug!("woken task not final yet: the follow-up stands");
                self.accepted.restore((order, headers));
                return;
            }
            let published = self
                .publish(topics::ACKS, &order.request_id, signed_ack, headers)
                .await;
            if published.is_err() {
                // Cached: the coordinator's follow-up gets this answer.
                tracing::warn!("the woken task's acknowledgment waits for the follow-up");
            }
        }
        .instrument(span)
        .await;
    }

    async fn run_job(&self, order: &WorkOrder) -> Report {
        let job = match job_from_sealed_order(order, &self.key) {
            Ok(job) => job,
            Err(refusal) => {
                tracing::warn!(%refusal, "work order refused");
                return Report::failed_permanent(refusal.to_string());
            }
        };
        self.pacer.wait().await;
        let report = self.connector.erase(&job).await;
        tracing::info!(
            kind = self.connector.kind(),
            outcome = report.outcome.name(),
            items = report.items_affected,
            retained = report.retained.len(),
            detail = %report.detail,
            "erasure finished"
        );
        report
    }

    /// A cache that cannot be written must not hold back the acknowledgment: the erasure
    /// is done, and a duplicate will merely erase again and find nothing.
    async fn remember(&self, order: &WorkOrder, signed_ack: &[u8], evidence: Vec<u8>) {
        let entry = Entry {
            request_id: order.request_id.clone(),
            system_id: order.system_id.clone(),
            attempt: order.attempt,
            signed_ack: signed_ack.to_vec(),
            evidence,
        };
        if let Err(CacheError(e)) = self.cache.put(entry).await {
            tracing::warn!(error = %e, "could not cache the acknowledgment");
        }
    }

    /// A refused send is transient (the work order comes again and the cached
    /// acknowledgment with it), unless the receiver refused it for good: then replaying it
    /// would loop forever.
    async fn publish(
        &self,
        topic: &str,
        request_id: &str,
        signed: Vec<u8>,
        headers: Vec<(String, String)>,
    ) -> Result<(), HandlerError> {
        let mut message = Message::new(topic, request_id, signed);
        message.headers = headers;
        self.transport.send(message).await.map_err(|e| {
            tracing::warn!(error = %e, "could not publish the acknowledgment");
            let reason = format!("publishing the acknowledgment failed: {e}");
            if e.is_permanent() {
                HandlerError::Permanent(reason)
            } else {
                HandlerError::Transient(reason)
            }
        })
    }
}

#[async_trait]
impl Handler for Runner {
    async fn handle(&self, message: Message) -> Result<(), HandlerError> {
        let order = WorkOrder::decode(message.payload.as_slice())
            .map_err(|_| HandlerError::Permanent("undecodable work order".into()))?;
        if order.system_id != self.system_id.as_str() {
            return Err(HandlerError::Permanent(format!(
                "work order for system {:?} reached the connector of {}",
                order.system_id, self.system_id
            )));
        }
        let span = tracing::info_span!(
            "work_order",
            request_id = %order.request_id,
            system = %self.system_id,
            attempt = order.attempt,
        );
        // Continue the coordinator's trace; the acknowledgment carries this span onward.
        erasure_telemetry::continue_trace(&span, &message.headers);
        let mut headers = Vec::new();
        span.in_scope(|| erasure_telemetry::inject_current(&mut headers));
        if headers.is_empty() {
            headers = trace_headers(&message.headers); // no OpenTelemetry layer: forward as is
        }
        self.process(order, headers).instrument(span).await
    }
}

fn cache_error(CacheError(e): CacheError) -> RunnerError {
    RunnerError::Cache(e)
}

fn system_now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
