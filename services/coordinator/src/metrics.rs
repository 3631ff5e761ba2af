//! The coordinator's metrics, recorded into the global OpenTelemetry meter (see
//! `erasure_telemetry::metrics`: OTLP and `GET /metrics` read the same instruments).
//! Each hook elsewhere is one call into this module. Labels are system ids, states,
//! outcomes, reason classes and topics: values from the configuration or fixed here,
//! never from a message or a person.
//!
//! | metric (Prometheus name) | kind | labels |
//! |---|---|---|
//! | `erasure_requests` | gauge, read at collection | `state` |
//! | `erasure_requests_overdue` | gauge, read at collection | |
//! | `erasure_tasks_total` | counter | `system`, `outcome` |
//! | `erasure_ack_latency_seconds` | histogram, dispatch to answer | `system` |
//! | `erasure_acks_rejected_total` | counter | `reason` |
//! | `erasure_outbox_pending`, `erasure_outbox_oldest_age_seconds` | gauges, sampled | |
//! | `erasure_consumer_lag` | gauge, read at collection | `topic` |
//!
//! Without an installed meter provider every hook returns at once.

use crate::projection::Projection;
use crate::streams::Storage;
use chrono::{DateTime, Utc};
use erasure_bus::Transport;
use erasure_core::events::Outcome;
use erasure_core::{Event, RequestStatus};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, Meter};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Work orders whose answer is awaited at most, for the latency histogram; beyond it new
/// dispatches are not timed (the map never grows without bound).
const MAX_TIMED: usize = 100_000;

/// How often the outbox is sampled.
pub const OUTBOX_SAMPLE_INTERVAL: Duration = Duration::from_secs(5);

/// Why an acknowledgment (or a resolution answer) was rejected, as a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// Not attributable to a known request: undecodable, unsigned, or for an unknown request.
    Unattributed,
    /// Keyed for one request and signed for another.
    WrongRequest,
    /// For a known request, but its signature, key or content does not hold.
    Invalid,
}

impl Rejection {
    fn label(self) -> &'static str {
        match self {
            Self::Unattributed => "unattributed",
            Self::WrongRequest => "wrong_request",
            Self::Invalid => "invalid",
        }
    }
}

struct Instruments {
    tasks: Counter<u64>,
    latency: Histogram<f64>,
    rejected: Counter<u64>,
    /// When each awaited work order (task id, attempt) was handed to the transport.
    dispatched: Mutex<HashMap<(String, u32), Instant>>,
}

/// The instruments of the installed meter provider, made again after another is installed.
fn instruments() -> Option<Arc<Instruments>> {
    static INSTRUMENTS: RwLock<Option<(u64, Arc<Instruments>)>> = RwLock::new(None);
    let generation = erasure_telemetry::metrics::generation();
    if generation == 0 {
        return None;
    }
    if let Some((g, i)) = &*INSTRUMENTS.read().unwrap_or_else(|p| p.into_inner())
        && *g == generation
    {
        return Some(Arc::clone(i));
    }
    let made = Arc::new(make_instruments());
    *INSTRUMENTS.write().unwrap_or_else(|p| p.into_inner()) = Some((generation, Arc::clone(&made)));
    Some(made)
}

fn make_instruments() -> Instruments {
    let meter = meter();
    Instruments {
        tasks: meter
            .u64_counter("erasure_tasks")
            .with_description("Answers to tasks, by system and outcome")
            .build(),
        latency: meter
            .f64_histogram("erasure_ack_latency")
            .with_unit("s")
            .with_description(
                "From handing a work order to the transport to its acknowledgment, by system",
            )
            .with_boundaries(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
                3600.0,
            ])
            .build(),
        rejected: meter
            .u64_counter("erasure_acks_rejected")
            .with_description("Acknowledgments and resolution answers rejected, by reason class")
            .build(),
        dispatched: Mutex::default(),
    }
}

fn meter() -> Meter {
    opentelemetry::global::meter("erasure")
}

/// A work order for `task_id`'s `attempt` is about to be handed to the transport.
pub fn dispatching(task_id: &str, attempt: u32) {
    let Some(i) = instruments() else { return };
    let mut timed = i.dispatched.lock().unwrap_or_else(|p| p.into_inner());
    if timed.len() < MAX_TIMED || timed.contains_key(&(task_id.to_owned(), attempt)) {
        timed.insert((task_id.to_owned(), attempt), Instant::now());
    }
}

/// An acknowledgment was rejected (and the rejection recorded).
pub fn ack_rejected(why: Rejection) {
    if let Some(i) = instruments() {
        i.rejected.add(1, &[KeyValue::new("reason", why.label())]);
    }
}

/// Counts the answers among appended `events` and times them from their dispatch.
pub fn record_events(events: &[Event]) {
    let Some(i) = instruments() else { return };
    for e in events {
        let (task, system, attempt, outcome) = match e {
            Event::AckAccepted(a) => (
                &a.task_id,
                &a.system_id,
                Some(a.attempt),
                outcome(a.outcome),
            ),
            Event::IdentifiersResolved(r) => {
                (&r.task_id, &r.system_id, Some(r.attempt), "resolved")
            }
            Event::ResolutionFailed {
                task_id,
                system_id,
                attempt,
                ..
            } => (task_id, system_id, Some(*attempt), "resolution_failed"),
            Event::TaskAttested(a) => (&a.task_id, &a.system_id, None, outcome(a.outcome)),
            Event::TaskTimedOut {
                task_id,
                system_id,
                attempt,
                ..
            } => (task_id, system_id, Some(*attempt), "timed_out"),
            Event::TaskFailed {
                task_id, system_id, ..
            } => (task_id, system_id, None, "failed"),
            _ => continue,
        };
        let system = KeyValue::new("system", system.to_string());
        i.tasks
            .add(1, &[system.clone(), KeyValue::new("outcome", outcome)]);
        let Some(attempt) = attempt else { continue };
        let started = {
            let mut timed = i.dispatched.lock().unwrap_or_else(|p| p.into_inner());
            timed.remove(&(task.to_string(), attempt))
        };
        if let Some(started) = started.filter(|_| outcome != "timed_out") {
            i.latency.record(started.elapsed().as_secs_f64(), &[system]);
        }
    }
}

fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Erased => "erased",
        Outcome::Anonymised => "anonymised",
        Outcome::NothingFound => "nothing_found",
        Outcome::Retained => "retained",
        Outcome::FailedRetryable => "failed_retryable",
        Outcome::FailedPermanent => "failed_permanent",
        Outcome::Accepted => "accepted",
        Outcome::InBackups => "in_backups",
    }
}

fn state(s: RequestStatus) -> &'static str {
    match s {
        RequestStatus::InProgress => "in_progress",
        RequestStatus::Completed => "completed",
        RequestStatus::Failed => "failed",
        RequestStatus::Rejected => "rejected",
    }
}

/// The outbox as last sampled.
#[derive(Debug, Default)]
struct OutboxSample {
    pending: AtomicU64,
    oldest_age_ms: AtomicI64,
}

/// Registers the gauges read at collection (requests by state and overdue from the
/// projection, the transport's consumer lag, the outbox as sampled) and samples the
/// outbox every [`OUTBOX_SAMPLE_INTERVAL`] until `stopped`. Nothing without a meter
/// provider.
pub async fn observe(
    projection: Arc<Projection>,
    store: Arc<dyn Storage>,
    transport: Arc<dyn Transport>,
    clock: Arc<dyn crate::Clock>,
    stopped: impl Future<Output = ()>,
) {
    if !erasure_telemetry::metrics::enabled() {
        return stopped.await;
    }
    let meter = meter();
    let by_state = Arc::clone(&projection);
    let now = Arc::clone(&clock);
    let _requests = meter
        .u64_observable_gauge("erasure_requests")
        .with_description("Requests by state")
        .with_callback(move |o| {
            let (counts, _) = by_state.counts(now.now().date_naive());
            for (s, n) in counts {
                o.observe(n, &[KeyValue::new("state", state(s))]);
            }
        })
        .build();
    let now = Arc::clone(&clock);
    let _overdue = meter
        .u64_observable_gauge("erasure_requests_overdue")
        .with_description("Requests in progress past their deadline")
        .with_callback(move |o| o.observe(projection.counts(now.now().date_naive()).1, &[]))
        .build();
    let _lag = meter
        .i64_observable_gauge("erasure_consumer_lag")
        .with_description("Messages of a topic not yet handled by this process's subscriber")
        .with_callback(move |o| {
            for (topic, lag) in transport.consumer_lag() {
                o.observe(lag, &[KeyValue::new("topic", topic)]);
            }
        })
        .build();
    let sample = Arc::new(OutboxSample::default());
    let pending = Arc::clone(&sample);
    let _pending = meter
        .u64_observable_gauge("erasure_outbox_pending")
        .with_description("Outbox messages not yet delivered (due or not; dead letters aside)")
        .with_callback(move |o| o.observe(pending.pending.load(Ordering::Relaxed), &[]))
        .build();
    let oldest = Arc::clone(&sample);
    let _oldest = meter
        .f64_observable_gauge("erasure_outbox_oldest_age")
        .with_unit("s")
        .with_description("How long the oldest due outbox message has waited for delivery")
        .with_callback(move |o| {
            let ms = oldest.oldest_age_ms.load(Ordering::Relaxed);
            o.observe(ms as f64 / 1000.0, &[]);
        })
        .build();
    tokio::pin!(stopped);
    loop {
        sample_outbox(store.as_ref(), clock.now(), &sample).await;
        tokio::select! {
            () = &mut stopped => return,
            () = tokio::time::sleep(OUTBOX_SAMPLE_INTERVAL) => {}
        }
    }
}

async fn sample_outbox(store: &dyn Storage, now: DateTime<Utc>, sample: &OutboxSample) {
    match (store.pending().await, store.next_available_at().await) {
        (Ok(pending), Ok(next)) => {
            let age = next.map_or(0, |at| (now.timestamp_millis() - at).max(0));
            sample.pending.store(pending, Ordering::Relaxed);
            sample.oldest_age_ms.store(age, Ordering::Relaxed);
        }
        (Err(e), _) | (_, Err(e)) => {
            tracing::debug!(error = %e, "cannot sample the outbox for its metrics")
        }
    }
}
