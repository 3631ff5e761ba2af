//! `erasure bench`: an open-loop benchmark of a server, to measure (never assert) speed.
//!
//! - [`open_loop`]: requests sent on a fixed schedule whether or not earlier ones finished,
//!   each followed with Watch until its certificate is available; latency counts from the
//!   time a request was due, so a slow server cannot hide its queue (no coordinated
//!   omission).
//! - [`latency`]: the latencies in an HdrHistogram, and their percentiles.
//! - [`process`]: a server process's CPU time and memory, read from `/proc`.
//! - [`local`]: a server of its own on a fresh data directory, the example systems seeded
//!   with the synthetic people the run erases.
//! - [`run`]: a whole run (warm-up, measured phase, the processes' figures) and its
//!   [`Report`].

pub mod history;
pub mod latency;
pub mod local;
pub mod open_loop;
pub mod process;
pub mod run;

pub use latency::{Latencies, Percentiles};
pub use open_loop::{Phase, Progress, Schedule};
pub use process::{ProcessFigures, Sample};
pub use run::{BenchOptions, Report, Seeded, Server, run};
