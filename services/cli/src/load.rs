//! `erasure load`: a bounded load against a running server (the runtime's), and its
//! figures.

use crate::client::{Target, connect};
use anyhow::Result;
use erasure_runtime::load::{self, LoadOptions};
use std::time::Duration;

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

pub async fn run(server: &Target, args: LoadArgs) -> Result<()> {
    let options = LoadOptions {
        requests: args.requests,
        concurrency: args.concurrency,
        prefix: args.prefix,
    };
    let figures = load::run(connect(server).await?, &options).await?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("requests      {}", figures.requests);
    println!("concurrency   {}", options.concurrency);
    println!("elapsed       {:.2} s", figures.elapsed.as_secs_f64());
    println!(
        "throughput    {:.1} requests/s (submit to certificate)",
        figures.throughput()
    );
    println!("latency p50   {:.1} ms", ms(figures.latency(0.50)));
    println!("latency p99   {:.1} ms", ms(figures.latency(0.99)));
    println!("latency max   {:.1} ms", ms(figures.latency(1.0)));
    Ok(())
}
