//! A whole run: the server (started here, or given with its processes), the warm-up, the
//! measured phase, the processes' figures and, for a server started here, what the
//! systems still hold of the people it erased.

use super::latency::Percentiles;
use super::local::{LocalOptions, LocalServer};
use super::open_loop::{self, Progress, Schedule};
use super::process::{ProcessFigures, Sample};
use crate::client::{Client, Target, connect};
use crate::example::synthetic::{self, Left};
use anyhow::{Result, bail};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub schedule: Schedule,
    /// Measured requests.
    pub requests: usize,
    /// Requests sent first at the same rate, waited for, and left out of the figures.
    pub warmup: usize,
    /// Connections the requests are spread over.
    pub connections: usize,
    pub server: Server,
}

/// The server measured.
#[derive(Debug, Clone)]
pub enum Server {
    /// One started for the run ([`LocalServer`]); `config` and `data_dir` as there.
    Start {
        config: Option<PathBuf>,
        data_dir: Option<PathBuf>,
    },
    /// A running one, and the processes whose CPU and memory count (none: not measured).
    Running { target: Target, pids: Vec<i32> },
}

/// The figures of a run (`erasure bench --json` prints this).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The build of the binary that ran the benchmark (and, with `--start`, the server).
    pub build: &'static str,
    pub server: String,
    pub rate: f64,
    pub warmup: u64,
    pub max_in_flight: usize,
    pub requests: u64,
    pub completed: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// Requests that waited for a slot under the in-flight cap (late; the wait is in
    /// their latency).
    pub late: u64,
    pub elapsed_seconds: f64,
    /// Completed requests per second.
    pub throughput: f64,
    /// Due time to the submit's answer.
    pub submit: Option<Percentiles>,
    /// Due time to the certificate being available.
    pub certificate: Option<Percentiles>,
    pub processes: Vec<ProcessFigures>,
    /// The processes' CPU time together, per completed request.
    pub cpu_ms_per_request: Option<f64>,
    /// The synthetic people seeded for a server started here, and what is left of them.
    pub seeded: Option<Seeded>,
}

/// The people a started server's systems held for the run.
#[derive(Debug, Clone, Serialize)]
pub struct Seeded {
    pub prefix: String,
    pub people: usize,
    /// What the systems still hold of them after the run (all zero when every erasure
    /// was carried out).
    pub left: Left,
}

/// Runs the benchmark; `progress` counts requests as they go (warm-up included).
pub async fn run(options: BenchOptions, progress: Arc<Progress>) -> Result<Report> {
    if !(options.schedule.rate > 0.0 && options.schedule.rate.is_finite()) {
        bail!("--rate must be a positive number of requests per second");
    }
    if options.requests == 0 {
        bail!("--requests (or --duration) must give at least one request");
    }
    let people = options.warmup + options.requests;
    let (local, target, pids) = match &options.server {
        Server::Start { config, data_dir } => {
            let local = LocalServer::start(&LocalOptions {
                data_dir: data_dir.clone(),
                config: config.clone(),
                people,
                prefix: options.schedule.prefix.clone(),
                start_timeout: std::time::Duration::from_secs(120),
            })
            .await?;
            let (target, pid) = (Target::new(&local.url), local.pid);
            (Some(local), target, vec![pid])
        }
        Server::Running { target, pids } => (None, target.clone(), pids.clone()),
    };
    // A mistyped --pid is said before the run, not after it.
    for &pid in &pids {
        Sample::take(pid)?;
    }
    let mut clients: Vec<Client> = Vec::new();
    for _ in 0..options.connections.max(1) {
        clients.push(connect(&target).await?);
    }
    let schedule = &options.schedule;
    open_loop::run(&clients, schedule, 0..options.warmup, &progress).await;
    let before = pids
        .iter()
        .map(|&p| Sample::take(p))
        .collect::<Result<Vec<_>>>()?;
    let phase = open_loop::run(&clients, schedule, options.warmup..people, &progress).await;
    let processes = before
        .iter()
        .map(|b| ProcessFigures::since(b, phase.completed))
        .collect::<Result<Vec<_>>>()?;
    let seeded = match local {
        Some(mut local) => {
            local.stop().await?;
            Some(Seeded {
                prefix: schedule.prefix.clone(),
                people,
                left: synthetic::left(&local.example_dir(), &schedule.prefix)?,
            })
        }
        None => None,
    };
    let cpu: f64 = processes.iter().map(|p| p.cpu_ms_per_request).sum();
    Ok(Report {
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        server: target.server,
        rate: schedule.rate,
        warmup: options.warmup as u64,
        max_in_flight: schedule.max_in_flight,
        requests: phase.requests,
        completed: phase.completed,
        errors: phase.errors,
        first_error: phase.first_error.clone(),
        late: phase.late,
        elapsed_seconds: phase.elapsed.as_secs_f64(),
        throughput: phase.throughput(),
        submit: phase.submit.percentiles(),
        certificate: phase.certificate.percentiles(),
        cpu_ms_per_request: (!processes.is_empty()).then_some(cpu),
        processes,
        seeded,
    })
}
