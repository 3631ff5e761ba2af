//! A bounded load against a running server (`erasure load`), to measure (not assert) speed.
//! Each worker submits a request and follows it with Watch until its certificate is
//! issued; the figures are throughput and submit-to-certificate latency percentiles.

use crate::bench::open_loop::submit_and_follow;
use crate::client::Client;
use anyhow::{Result, bail};
use std::time::{Duration, Instant};

/// How much load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Requests to submit in all.
    pub requests: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Prefix of the synthetic customer numbers (LOAD-0, LOAD-1, ...).
    pub prefix: String,
}

/// What a load measured.
#[derive(Debug, Clone)]
pub struct Figures {
    pub requests: usize,
    pub elapsed: Duration,
    /// Submit-to-certificate latencies, sorted.
    latencies: Vec<Duration>,
}

impl Figures {
    /// Requests per second, submit to certificate.
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at percentile `p` in [0, 1] (nearest rank).
    pub fn latency(&self, p: f64) -> Duration {
        let n = self.latencies.len();
        let rank = ((n as f64 * p).ceil() as usize).clamp(1, n.max(1));
        self.latencies.get(rank - 1).copied().unwrap_or_default()
    }
}

/// Runs the load against `client`'s server.
pub async fn run(client: Client, options: &LoadOptions) -> Result<Figures> {
    if options.requests == 0 || options.concurrency == 0 {
        bail!("--requests and --concurrency must be at least 1");
    }
    let started = Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..options.concurrency.min(options.requests) {
        let (client, next, prefix, total) = (
            client.clone(),
            next.clone(),
            options.prefix.clone(),
            options.requests,
        );
        workers.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                latencies.push(one(client.clone(), format!("{prefix}-{i}")).await?);
            }
        });
    }
    let mut latencies = Vec::with_capacity(options.requests);
    while let Some(done) = workers.join_next().await {
        latencies.extend(done??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Ok(Figures {
        requests: latencies.len(),
        elapsed,
        latencies,
    })
}

/// Submits one request and waits for its certificate; returns the time it took.
async fn one(client: Client, customer: String) -> Result<Duration> {
    let start = tokio::time::Instant::now();
    let (_, certified) = submit_and_follow(client, customer, "load", start)
        .await
        .map_err(anyhow::Error::msg)?;
    Ok(certified)
}
