//! `erasure bench`: the open-loop benchmark (the runtime's), its progress on a terminal
//! and its figures, as a table or as JSON.

use crate::client::Target;
use crate::progress;
use anyhow::{Result, bail};
use erasure_runtime::bench::{self, BenchOptions, Percentiles, Progress, Report, Schedule, Server};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Requests per second, each sent when due whether or not earlier ones finished.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Measured requests [default: 1000].
    #[arg(long, conflicts_with = "duration")]
    requests: Option<usize>,
    /// Measure for this many seconds instead (rate × duration requests).
    #[arg(long, value_name = "SECONDS")]
    duration: Option<f64>,
    /// Warm-up requests, sent first at the same rate and left out of the figures
    /// [default: two seconds' worth].
    #[arg(long)]
    warmup: Option<usize>,
    /// Requests open at once, at most; one due while this many are open waits and is
    /// counted as late.
    #[arg(long, default_value_t = 1000)]
    max_in_flight: usize,
    /// A request with no certificate after this many seconds counts as an error.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    timeout: u64,
    /// Connections to the server the requests are spread over.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Start a server of its own (this binary's `serve`) on a fresh data directory whose
    /// example systems hold the people the run erases; stopped afterwards.
    #[arg(long, conflicts_with = "pids")]
    start: bool,
    /// With --start: the server's configuration (its example data is created too, with the
    /// people seeded; what is left of them is shown, and fails the run only without
    /// --config) [default: the embedded default].
    #[arg(long, requires = "start")]
    config: Option<PathBuf>,
    /// With --start: keep the server's data directory in DIR/data (DIR/serve.log its
    /// output) instead of a temporary one.
    #[arg(long, requires = "start", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// A process of the running server (--server) whose CPU time and peak memory to
    /// report. Repeatable: the coordinator and each connector in distributed mode.
    #[arg(long = "pid", visible_alias = "server-pid", value_name = "PID")]
    pids: Vec<i32>,
    /// The customer numbers erased are PREFIX-0, PREFIX-1, ... (seed them with
    /// `erasure example-data DIR --people N --prefix PREFIX`) [default: BENCH-<time>].
    #[arg(long)]
    prefix: Option<String>,
    /// Print the figures as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn run(server: &Target, args: BenchArgs) -> Result<()> {
    // The embedded default's systems are where the people were seeded; a configuration of
    // its own may keep its systems elsewhere, so what is left is shown, not held against it.
    let check_left = args.config.is_none();
    let requests = match (args.requests, args.duration) {
        (Some(n), _) => n,
        (None, Some(seconds)) => (args.rate * seconds).ceil() as usize,
        (None, None) => 1000,
    };
    let warmup = args.warmup.unwrap_or((args.rate * 2.0).ceil() as usize);
    let prefix = args
        .prefix
        .unwrap_or_else(|| format!("BENCH-{}", chrono::Utc::now().format("%H%M%S")));
    let options = BenchOptions {
        schedule: Schedule {
            rate: args.rate,
            max_in_flight: args.max_in_flight,
            timeout: Duration::from_secs(args.timeout),
            prefix,
        },
        requests,
        warmup,
        connections: args.connections,
        server: if args.start {
            Server::Start {
                config: args.config,
                data_dir: args.data_dir,
            }
        } else {
            Server::Running {
                target: server.clone(),
                pids: args.pids,
            }
        },
    };
    let counters = Arc::new(Progress::default());
    let shown = progress::bar("requests", (warmup + requests) as u64);
    let ticker = shown.clone().map(|bar| {
        let counters = Arc::clone(&counters);
        tokio::spawn(async move {
            loop {
                bar.set_position(counters.finished.load(Ordering::Relaxed));
                let errors = counters.errors.load(Ordering::Relaxed);
                let sent = counters.sent.load(Ordering::Relaxed);
                bar.set_message(format!("sent {sent}, errors {errors}"));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    });
    let report = bench::run(options, counters).await;
    if let Some(ticker) = ticker {
        ticker.abort();
    }
    if let Some(bar) = shown {
        bar.finish_and_clear();
    }
    let report = report?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    if report.errors > 0 {
        bail!(
            "{} of {} requests failed (first: {})",
            report.errors,
            report.requests,
            report.first_error.as_deref().unwrap_or("?")
        );
    }
    if let Some(s) = report
        .seeded
        .as_ref()
        .filter(|s| check_left && s.left.total() > 0)
    {
        bail!(
            "the systems still hold {} of the seeded people's records",
            s.left.total()
        );
    }
    Ok(())
}

fn print_table(r: &Report) {
    if r.build == "debug" {
        println!("note: a debug build; measure with a release build (cargo build --release)");
    }
    let rows = [
        ("server", r.server.clone()),
        (
            "rate",
            format!(
                "{} requests/s open-loop, {} warm-up requests not counted",
                r.rate, r.warmup
            ),
        ),
        ("requests", r.requests.to_string()),
        ("completed", r.completed.to_string()),
        ("errors", r.errors.to_string()),
        (
            "late",
            format!("{} (waited for one of {} slots)", r.late, r.max_in_flight),
        ),
        ("elapsed", format!("{:.2} s", r.elapsed_seconds)),
        (
            "throughput",
            format!("{:.1} requests/s completed", r.throughput),
        ),
    ];
    for (label, value) in rows {
        println!("{label:<18}{value}");
    }
    println!("latency (ms)      p50      p90      p99    p99.9      max");
    latency_row("  submit", r.submit.as_ref());
    latency_row("  certificate", r.certificate.as_ref());
    for p in &r.processes {
        println!(
            "process {} ({}): CPU {:.2} ms per request ({:.1} s), peak RSS {:.1} MiB, RSS at end {:.1} MiB",
            p.pid, p.name, p.cpu_ms_per_request, p.cpu_seconds, p.peak_rss_mib, p.rss_mib
        );
    }
    if r.processes.len() > 1 {
        let peak: f64 = r.processes.iter().map(|p| p.peak_rss_mib).sum();
        println!(
            "all processes: CPU {:.2} ms per request, peak RSS {peak:.1} MiB",
            r.cpu_ms_per_request.unwrap_or(0.0)
        );
    }
    if r.processes.is_empty() {
        println!("server CPU and memory: not measured (give --pid, or --start)");
    }
    if let Some(s) = &r.seeded {
        println!(
            "seeded            {} people {}-0..; left in the systems: {} customers, {} devices, {} invoices, {} camera folders",
            s.people,
            s.prefix,
            s.left.customers,
            s.left.devices,
            s.left.invoices,
            s.left.camera_folders
        );
    }
}

fn latency_row(name: &str, p: Option<&Percentiles>) {
    match p {
        Some(p) => println!(
            "{name:<16}{:>7.1}  {:>7.1}  {:>7.1}  {:>7.1}  {:>7.1}",
            p.p50_ms, p.p90_ms, p.p99_ms, p.p999_ms, p.max_ms
        ),
        None => println!("{name:<16}      -"),
    }
}
