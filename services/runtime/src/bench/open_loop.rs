//! The open loop: request `i` is due at `i / rate` seconds after the phase starts and is
//! sent then, whatever happened to the requests before it. Its latencies (to the submit's
//! answer, and to the certificate being available) count from when it was due. At most
//! `max_in_flight` requests are open at once: one due while the cap is reached waits for a
//! slot and is counted as late, its wait inside its latency.

use super::latency::Latencies;
use crate::client::Client;
use erasure_proto::v1 as pb;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;
use tokio_stream::StreamExt;

/// The shape of a run.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Requests per second.
    pub rate: f64,
    /// Requests open at once, at most.
    pub max_in_flight: usize,
    /// A request not certified after this long is an error.
    pub timeout: Duration,
    /// The customer numbers erased are `{prefix}-{i}`.
    pub prefix: String,
}

/// Counters a progress display reads while a run goes on.
#[derive(Debug, Default)]
pub struct Progress {
    pub sent: AtomicU64,
    pub finished: AtomicU64,
    pub errors: AtomicU64,
}

/// What one phase measured.
#[derive(Debug, Clone, Default)]
pub struct Phase {
    pub requests: u64,
    /// Requests whose certificate became available.
    pub completed: u64,
    pub errors: u64,
    /// The first error, as the server or the connection said it.
    pub first_error: Option<String>,
    /// Requests that waited for a slot under the in-flight cap.
    pub late: u64,
    /// From the first request's due time to the last request's end.
    pub elapsed: Duration,
    /// Due time to the submit's answer.
    pub submit: Latencies,
    /// Due time to the certificate being available.
    pub certificate: Latencies,
}

impl Phase {
    /// Completed requests per second over the phase.
    pub fn throughput(&self) -> f64 {
        self.completed as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Sends the requests `indexes` on the schedule, spread over `clients` in turn, and waits
/// for every one of them.
pub async fn run(
    clients: &[Client],
    schedule: &Schedule,
    indexes: std::ops::Range<usize>,
    progress: &Arc<Progress>,
) -> Phase {
    let slots = Arc::new(Semaphore::new(schedule.max_in_flight.max(1)));
    let (done, mut outcomes) = mpsc::unbounded_channel();
    let start = Instant::now();
    let mut phase = Phase {
        requests: indexes.len() as u64,
        ..Phase::default()
    };
    for (k, i) in indexes.enumerate() {
        let due = start + Duration::from_secs_f64(k as f64 / schedule.rate);
        tokio::time::sleep_until(due).await;
        let permit = match Arc::clone(&slots).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                phase.late += 1;
                match Arc::clone(&slots).acquire_owned().await {
                    Ok(permit) => permit,
                    Err(_) => unreachable!("the semaphore is never closed"),
                }
            }
        };
        let client = clients[k % clients.len()].clone();
        let customer = crate::example::synthetic::customer_number(&schedule.prefix, i);
        let (done, progress, timeout) = (done.clone(), Arc::clone(progress), schedule.timeout);
        progress.sent.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            let followed = submit_and_follow(client, customer, "bench", due);
            let outcome = match tokio::time::timeout(timeout, followed).await {
                Ok(outcome) => outcome,
                Err(_) => Err(format!("no certificate within {} s", timeout.as_secs())),
            };
            drop(permit);
            if outcome.is_err() {
                progress.errors.fetch_add(1, Ordering::Relaxed);
            }
            progress.finished.fetch_add(1, Ordering::Relaxed);
            let _ = done.send(outcome);
        });
    }
    drop(done);
    while let Some(outcome) = outcomes.recv().await {
        match outcome {
            Ok((submitted, certified)) => {
                phase.completed += 1;
                phase.submit.record(submitted);
                phase.certificate.record(certified);
            }
            Err(why) => {
                phase.errors += 1;
                phase.first_error.get_or_insert(why);
            }
        }
    }
    phase.elapsed = start.elapsed();
    phase
}

/// Submits one request (by customer number, from `channel`) and follows it until its
/// certificate is available; returns the times from `due` to the submit's answer and to
/// the certificate.
pub(crate) async fn submit_and_follow(
    mut client: Client,
    customer: String,
    channel: &str,
    due: Instant,
) -> Result<(Duration, Duration), String> {
    let submitted = client
        .submit(pb::SubmitRequest {
            identifiers: Some(pb::Identifiers {
                customer_id: vec![customer],
                ..Default::default()
            }),
            channel: channel.into(),
            ..Default::default()
        })
        .await
        .map_err(|e| format!("submit: {}", e.message()))?
        .into_inner();
    let submit_latency = due.elapsed();
    let mut stream = client
        .watch(pb::GetRequest {
            request_id: submitted.request_id.clone(),
        })
        .await
        .map_err(|e| format!("watch: {}", e.message()))?
        .into_inner();
    while let Some(update) = stream.next().await {
        let r = update.map_err(|e| format!("watch: {}", e.message()))?;
        if r.certificate_available {
            return Ok((submit_latency, due.elapsed()));
        }
        if r.status == pb::RequestStatus::Failed as i32 {
            return Err(format!("request {} failed", r.request_id));
        }
    }
    Err(format!("request {} did not complete", submitted.request_id))
}
