//! `erasure load`: a bounded load against a running server, to measure (not assert) speed.
//! Each worker submits a request and follows it with Watch until its certificate is
//! issued; the figures are throughput and submit-to-certificate latency percentiles.

use crate::client::connect;
use anyhow::{Result, bail};
use erasure_proto::v1 as pb;
use std::time::{Duration, Instant};
use tokio_stream::StreamExt;

#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// Requests to submit in all.
    #[arg(long, default_value_t = 1000)]
    pub requests: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Prefix of the synthetic customer numbers (LOAD-0, LOAD-1, ...).
    #[arg(long, default_value = "LOAD")]
    pub prefix: String,
}

pub async fn run(server: &str, args: LoadArgs) -> Result<()> {
    if args.requests == 0 || args.concurrency == 0 {
        bail!("--requests and --concurrency must be at least 1");
    }
    let client = connect(server).await?;
    let started = Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency.min(args.requests) {
        let (client, next, prefix, total) = (
            client.clone(),
            next.clone(),
            args.prefix.clone(),
            args.requests,
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
    let mut latencies = Vec::with_capacity(args.requests);
    while let Some(done) = workers.join_next().await {
        latencies.extend(done??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| {
        latencies[((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1]
    };
    println!("requests      {}", latencies.len());
    println!("concurrency   {}", args.concurrency);
    println!("elapsed       {:.2} s", elapsed.as_secs_f64());
    println!(
        "throughput    {:.1} requests/s (submit to certificate)",
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!("latency p50   {:.1} ms", ms(pct(0.50)));
    println!("latency p99   {:.1} ms", ms(pct(0.99)));
    println!("latency max   {:.1} ms", ms(pct(1.0)));
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Submits one request and waits for its certificate; returns the time it took.
async fn one(
    mut client: pb::erasure_service_client::ErasureServiceClient<tonic::transport::Channel>,
    customer: String,
) -> Result<Duration> {
    let start = Instant::now();
    let submitted = client
        .submit(pb::SubmitRequest {
            identifiers: Some(pb::Identifiers {
                customer_id: customer,
                ..Default::default()
            }),
            channel: "load".into(),
            ..Default::default()
        })
        .await
        .map_err(|e| anyhow::anyhow!("submit: {}", e.message()))?
        .into_inner();
    let mut stream = client
        .watch(pb::GetRequest {
            request_id: submitted.request_id.clone(),
        })
        .await
        .map_err(|e| anyhow::anyhow!("watch: {}", e.message()))?
        .into_inner();
    while let Some(update) = stream.next().await {
        let r = update.map_err(|e| anyhow::anyhow!("watch: {}", e.message()))?;
        if r.certificate_available {
            return Ok(start.elapsed());
        }
        if r.status == pb::RequestStatus::Failed as i32 {
            bail!("request {} failed", r.request_id);
        }
    }
    bail!("request {} did not complete", submitted.request_id)
}
