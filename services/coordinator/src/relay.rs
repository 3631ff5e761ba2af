//! The outbox relay: delivers committed outbox messages to the transport.
//!
//! A message leaves the outbox only after `send` returned `Ok` (the transport holds it, or
//! in the embedded transport the subscriber has handled it), so a crash at any point means
//! another delivery, never a lost one. Work orders are stored without identifiers; the
//! relay opens them from the request's sealed identifiers just before sending and seals
//! them again, with HPKE, to the receiving connector's encryption key from the trust file
//! (`erasure_proof::sealed`): the broker sees ciphertext only. A resolution order also
//! carries the coordinator's encryption key, for the answer.

use crate::certify::Notary;
use crate::error::CoordinatorError;
use crate::sealing::Sealer;
use crate::streams::Streams;
use erasure_bus::{BusError, Message, Transport};
use erasure_core::decide::Policy;
use erasure_proof::sealed::{Binding, WORK_ORDER_CONTEXT, seal};
use erasure_proto::convert::ms;
use erasure_proto::v1 as pb;
use erasure_store::OutboxMessage;
use prost::Message as _;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tracing::Instrument;

/// How the relay paces itself.
#[derive(Clone, Copy, Debug)]
pub struct RelayConfig {
    /// Messages delivered at the same time.
    pub concurrency: usize,
    /// Longest sleep when nothing is due (new appends wake it earlier).
    pub idle_poll: Duration,
    /// Cap of the backoff between failed deliveries of one message.
    pub max_backoff: Duration,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            concurrency: 32,
            idle_poll: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

pub struct Relay {
    /// The outbox, the requests' state, the clock and the signal of new appends.
    streams: Streams,
    /// Opens the identifiers a work order carries.
    sealer: Sealer,
    /// The connectors' encryption keys, and the coordinator's for the answers.
    notary: Arc<Notary>,
    /// The retention rules a work order carries.
    policy: Arc<Policy>,
    transport: Arc<dyn Transport>,
    config: RelayConfig,
    /// Messages taken from the outbox and not yet removed or rescheduled: never taken twice.
    in_flight: Arc<Mutex<HashSet<i64>>>,
    /// Messages the transport holds, to remove from the outbox in one write per turn.
    delivered: Mutex<Vec<i64>>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Relay {
    pub fn new(
        streams: Streams,
        sealer: Sealer,
        notary: Arc<Notary>,
        policy: Arc<Policy>,
        transport: Arc<dyn Transport>,
        config: RelayConfig,
    ) -> Arc<Self> {
        Arc::new(Self {
            streams,
            sealer,
            notary,
            policy,
            transport,
            config,
            in_flight: Arc::default(),
            delivered: Mutex::default(),
        })
    }

    /// Delivers until `shutdown` resolves; deliveries under way are awaited.
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let permits = Arc::new(Semaphore::new(self.config.concurrency));
        let mut tasks = JoinSet::new();
        loop {
            // Registered before looking, so an append in between still wakes us.
            let woken = self.streams.appended().notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            while tasks.try_join_next().is_some() {}
            self.remove_delivered().await;
            let started = self.start_due(&permits, &mut tasks).await;
            if started > 0 {
                continue;
            }
            let sleep = self.idle_sleep().await;
            tokio::select! {
                () = &mut shutdown => break,
                () = &mut woken => {}
                () = tokio::time::sleep(sleep) => {}
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        while tasks.join_next().await.is_some() {}
        self.remove_delivered().await;
    }

    /// Removes what was delivered since the last turn from the outbox, in one write. A
    /// crash before it means those messages are delivered again (at least once, as
    /// always); until it, they stay in flight, so they are not taken again meanwhile.
    async fn remove_delivered(&self) {
        let ids = std::mem::take(&mut *self.delivered.lock().unwrap_or_else(|p| p.into_inner()));
        if ids.is_empty() {
            return;
        }
        if let Err(e) = self.streams.store().delivered_all(&ids).await {
            tracing::warn!(error = %e, "cannot record the delivery; the messages will be delivered again");
        }
        if let Ok(mut s) = self.in_flight.lock() {
            for id in &ids {
                s.remove(id);
            }
        }
    }

    async fn idle_sleep(&self) -> Duration {
        let now = ms(self.streams.now());
        match self.streams.store().next_available_at().await {
            Ok(Some(at)) if at > now => {
                Duration::from_millis((at - now) as u64).min(self.config.idle_poll)
            }
            _ => self.config.idle_poll,
        }
    }

    async fn start_due(
        self: &Arc<Self>,
        permits: &Arc<Semaphore>,
        tasks: &mut JoinSet<()>,
    ) -> usize {
        let free = permits.available_permits();
        if free == 0 {
            return 0;
        }
        let exclude: Vec<i64> = self
            .in_flight
            .lock()
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        let now = ms(self.streams.now());
        let due = match self.streams.store().due(now, free, &exclude).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "relay cannot read the outbox; retrying");
                return 0;
            }
        };
        let started = due.len();
        for row in due {
            let Ok(permit) = Arc::clone(permits).acquire_owned().await else {
                break;
            };
            if let Ok(mut s) = self.in_flight.lock() {
                s.insert(row.id);
            }
            let relay = Arc::clone(self);
            tasks.spawn(async move {
                relay.deliver(row).await;
                drop(permit);
            });
        }
        started
    }

    async fn deliver(&self, row: OutboxMessage) {
        let span = tracing::info_span!("dispatch", request_id = %row.key, topic = %row.topic);
        erasure_telemetry::continue_trace(&span, &row.headers);
        self.deliver_in_span(row).instrument(span).await;
    }

    async fn deliver_in_span(&self, row: OutboxMessage) {
        let id = row.id;
        let result = match self.prepare(&row).await {
            Ok(message) => self.transport.send(message).await.map_err(Failure::Bus),
            Err(e) => Err(Failure::Prepare(e)),
        };
        let storage = self.streams.store();
        let outcome = match result {
            Ok(()) => {
                // Removed at the next turn of the relay, with the others delivered by then.
                self.delivered
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(id);
                return;
            }
            Err(f) if f.is_permanent() => {
                tracing::error!(reason = %f, "outbox message set aside");
                storage.dead_letter(id, &f.to_string()).await
            }
            Err(f) => {
                let backoff = self.backoff(row.attempts);
                tracing::warn!(reason = %f, retry_in_ms = backoff.as_millis() as u64, "delivery failed; will retry");
                storage
                    .retry_later(id, ms(self.streams.now()) + backoff.as_millis() as i64)
                    .await
            }
        };
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "cannot record the delivery; the message will be delivered again");
        }
        if let Ok(mut s) = self.in_flight.lock() {
            s.remove(&id);
        }
    }

    fn backoff(&self, attempts: u32) -> Duration {
        let exp = Duration::from_millis(250).saturating_mul(1 << attempts.min(10));
        exp.min(self.config.max_backoff)
    }

    /// Fills a work order's identifiers from the request's sealed copy, sealed to the
    /// connector.
    async fn prepare(&self, row: &OutboxMessage) -> Result<Message, CoordinatorError> {
        let mut message = Message::new(row.topic.clone(), row.key.clone(), row.payload.clone());
        message.headers = row.headers.clone();
        if !row.topic.starts_with("erasure.v1.work.") {
            return Ok(message);
        }
        let mut order = pb::WorkOrder::decode(row.payload.as_slice()).map_err(|_| {
            CoordinatorError::Invalid("undecodable work order in the outbox".into())
        })?;
        // The connector continues this delivery's span.
        erasure_telemetry::inject_current(&mut message.headers);
        crate::metrics::dispatching(&order.task_id, order.attempt);
        let state = self.streams.get(&order.request_id).await?;
        let identifiers = self.sealer.open_current(&state).await?;
        self.seal_for_connector(&mut order, &identifiers)?;
        order.deadline = state.deadline().to_string();
        order.controller = state.received.controller.clone().unwrap_or_default();
        // The rules in force now (a law may have changed since planning), and today's date
        // as the coordinator sees it: items whose hold ended before it are erased.
        order.holds = self
            .policy
            .rules
            .matching(&state.received.jurisdiction, &order.categories)
            .map(pb::RetentionRule::from)
            .collect();
        order.as_of = self.streams.now().date_naive().to_string();
        order.financial_year_end = self.policy.financial_year_end.to_string();
        message.payload = order.encode_to_vec();
        Ok(message)
    }

    /// Seals the identifiers to the system's current encryption key, bound to the order.
    /// A system whose trust entry has no encryption key waits (retried with backoff): its
    /// registration must be renewed, and nothing is sent in plaintext meanwhile.
    fn seal_for_connector(
        &self,
        order: &mut pb::WorkOrder,
        identifiers: &pb::Identifiers,
    ) -> Result<(), CoordinatorError> {
        let to = self
            .notary
            .trust()
            .connector_encryption_key(&order.system_id)
            .ok_or_else(|| {
                CoordinatorError::Unavailable(format!(
                    "connector {} has no encryption key in the trust file; register it again \
                     (erasure connector --register) and restart the coordinator",
                    order.system_id
                ))
            })?;
        let binding = Binding {
            context: WORK_ORDER_CONTEXT,
            request_id: &order.request_id,
            system_id: &order.system_id,
            attempt: order.attempt,
        };
        let sealed = seal(&to, &binding, &identifiers.encode_to_vec())
            .map_err(|e| CoordinatorError::Internal(e.to_string()))?;
        order.identifiers = None;
        order.sealed_identifiers = sealed.ciphertext;
        order.encapsulated_key = sealed.encapsulated_key;
        if order.purpose == pb::Purpose::Resolve as i32 {
            order.reply_key = self.notary.encryption_key();
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Bus(BusError),
    #[error(transparent)]
    Prepare(CoordinatorError),
}

impl Failure {
    fn is_permanent(&self) -> bool {
        match self {
            Self::Bus(e) => e.is_permanent(),
            Self::Prepare(e) => matches!(
                e,
                CoordinatorError::Invalid(_)
                    | CoordinatorError::NotFound(_)
                    | CoordinatorError::FailedPrecondition(_)
            ),
        }
    }
}
